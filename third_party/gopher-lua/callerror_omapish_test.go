package lua

import (
	"strings"
	"testing"
)

// TestCallErrorHook: omapish patch 9. The hook sees the value called and
// the name the call site used; without a hook the message is upstream's.
func TestCallErrorHook(t *testing.T) {
	for _, tc := range []struct {
		code, want string
		hook       bool
	}{
		{`prnt("x")`, "attempt to call a non-function object", false},
		{`prnt("x")`, "called nil as prnt", true},
		{`local t = {} t.field(1)`, "called nil as field", true},
		{`local t = {} t:method(1)`, "called nil as method", true},
		{`local n = 1 n()`, "called number as n", true},
		{`return (function() return undefined_fn() end)()`, "called nil as undefined_fn", true},
		{`pcall(nope)`, "", true}, // called by pcall (Go): caught, no message
		{`(nil)()`, "called nil as ", true},
	} {
		L := NewState()
		if tc.hook {
			L.Options.CallError = func(L *LState, v LValue, name string) string {
				return "called " + v.Type().String() + " as " + name
			}
		}
		err := L.DoString(tc.code)
		L.Close()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v, want no error", tc.code, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", tc.code, err, tc.want)
		}
	}
}
