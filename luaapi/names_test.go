package luaapi

import (
	"errors"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestMisspelledNames: calling a name the module, a connection, an object
// or a message does not have names it and what it has that is spelt alike,
// while reading a missing name still gives nil (a script may test for it;
// an attribute dhcpd did not send is absent). Against the lab's dhcpd.
func TestMisspelledNames(t *testing.T) {
	L, _ := labState(t)
	doString(t, L, `
		conn = assert(omapi.connect())
		h = assert(conn:open("host", {name = "static1"}))
		m = omapi.message.open("host")`)
	tests := []struct {
		name, code, want string
	}{
		{"module function", `omapi.conect()`, `omapi has no function "conect" (did you mean "connect"?)`},
		{"module function, no suggestion", `omapi.xyzzy()`, `omapi has no function "xyzzy"`},
		{"message function", `omapi.message.opn("host")`, `omapi.message has no function "opn" (did you mean "open"?)`},
		{"connection method", `conn:lookup_ipp("00:00:5e:00:53:50")`, `omapi.conn has no method "lookup_ipp" (did you mean "lookup_ip"?)`},
		{"connection method called with a dot", `conn.lookup_ipp(conn, "00:00:5e:00:53:50")`, `omapi.conn has no method "lookup_ipp" (did you mean "lookup_ip"?)`},
		{"object method", `h:refrsh()`, `omapi.object has no method "refrsh" (did you mean "refresh"?)`},
		{"message method", `m:update_objects{}`, `omapi.message has no method "update_objects" (did you mean "update_object"?)`},
		{"a global", `prnt("x")`, `attempt to call 'prnt' (a nil value)`},
		{"a field of a plain table", `local t = {} t.go()`, `attempt to call 'go' (a nil value)`},
		{"a miss on another line", "local conect = omapi.conect\nconect()", `attempt to call 'conect' (a nil value)`},
		{"a miss of another name", `local x = omapi.nosuch; local f; f()`, `attempt to call 'f' (a nil value)`},
		{"no name", `(nil)()`, `attempt to call a nil value`},
		{"a number", `omapi.OPEN()`, `attempt to call 'OPEN' (a number value)`},
		{"a string", `conn.address()`, `attempt to call 'address' (a string value)`},
		{"a boolean", `conn.closed()`, `attempt to call 'closed' (a boolean value)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fn, err := L.Load(strings.NewReader(tt.code), "chunk")
			if err != nil {
				t.Fatal(err)
			}
			L.Push(fn)
			err = L.PCall(0, 0, nil)
			var ae *lua.ApiError
			if !errors.As(err, &ae) {
				t.Fatalf("got %v, want an error", err)
			}
			got := ae.Object.String()
			line := strings.Count(tt.code, "\n") + 1
			if want := "chunk:" + string(rune('0'+line)) + ": " + tt.want; got != want {
				t.Errorf("error %q\nwant      %q", got, want)
			}
		})
	}

	// Reading a missing name is nil, never an error.
	doString(t, L, `
		assert(h["client-hostname"] == nil and h.client_hostname == nil, "absent attribute")
		assert(h.name == "static1")
		assert(omapi.nosuch == nil and omapi.message.nosuch == nil, "module")
		assert(conn.nosuch == nil and m.nosuch == nil and h.nosuch == nil, "userdata")
		assert(rawget(omapi, "connect") ~= nil)
		local ok, err = pcall(nil)
		assert(not ok and err:find("attempt to call a nil value", 1, true), err)`)
}
