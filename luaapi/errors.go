package luaapi

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/errcode"
	"github.com/omapish/omapish/omapi"
)

// The error conventions of the module (design.md, "The Lua module omapi"):
// misuse — a wrong argument type, an unparsable address, a closed
// connection — raises a Lua error naming the function and the argument;
// a runtime failure returns nil, message, code.

// guard wraps an LGFunction so that a Go panic inside it becomes a Lua
// error instead of taking the process down. gopher-lua signals its own
// errors (RaiseError, ArgError) by panicking with *lua.ApiError; those pass
// through untouched.
func guard(name string, fn lua.LGFunction) lua.LGFunction {
	return func(L *lua.LState) int {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(*lua.ApiError); ok {
					panic(r)
				}
				L.RaiseError("%s: internal error: %v", name, r)
			}
		}()
		return fn(L)
	}
}

// guardAll wraps every function of fns with guard, naming it prefix+name.
func guardAll(prefix string, fns map[string]lua.LGFunction) map[string]lua.LGFunction {
	out := make(map[string]lua.LGFunction, len(fns))
	for name, fn := range fns {
		out[name] = guard(prefix+name, fn)
	}
	return out
}

// call describes the Go function running, for error messages. Arguments
// are addressed by stack index; for methods (self at index 1) the number
// shown to the user is one less, as C Lua shows it.
type call struct {
	L      *lua.LState
	name   string // the function as the user knows it: "connect", "lookup_ip"
	method bool
	entry  int    // when > 0, argument messages start "entry N: " (bulk calls)
	prefix string // put before argument messages, after the entry, e.g. "message: "
	field  bool   // setting a field (name is e.g. "m.object"), not calling
}

// argNum returns the argument number the user sees for stack index n.
func (c call) argNum(n int) int {
	if c.method {
		return n - 1
	}
	return n
}

// argError raises "bad argument #N to 'name' (msg)".
func (c call) argError(n int, msg string) {
	prefix := c.prefix
	if c.entry > 0 {
		prefix = "entry " + strconv.Itoa(c.entry) + ": " + prefix
	}
	if c.field {
		c.L.RaiseError("cannot set %s: %s%s", c.name, prefix, msg)
	}
	c.L.RaiseError("bad argument #%d to '%s' (%s%s)", c.argNum(n), c.name, prefix, msg)
}

// typeError raises "bad argument #N to 'name' (want expected, got TYPE)".
func (c call) typeError(n int, want string) {
	c.argError(n, want+" expected, got "+typeName(c.L.Get(n)))
}

// errorf raises an error prefixed with the function's name.
func (c call) errorf(format string, args ...any) {
	c.L.RaiseError("%s: %s", c.name, fmt.Sprintf(format, args...))
}

// checkString returns argument n, which must be a string.
func (c call) checkString(n int, want string) string {
	if s, ok := c.L.Get(n).(lua.LString); ok {
		return string(s)
	}
	c.typeError(n, want)
	return ""
}

// checkName returns argument n, which must be a non-empty string.
func (c call) checkName(n int, want string) string {
	s := c.checkString(n, want)
	if s == "" {
		c.argError(n, want+" expected, got an empty string")
	}
	return s
}

// optString returns argument n, a string or nil ("").
func (c call) optString(n int, want string) string {
	if c.L.Get(n) == lua.LNil {
		return ""
	}
	return c.checkString(n, want)
}

// checkTable returns argument n, which must be a table.
func (c call) checkTable(n int, want string) *lua.LTable {
	if t, ok := c.L.Get(n).(*lua.LTable); ok {
		return t
	}
	c.typeError(n, want)
	return nil
}

// optTable returns argument n, a table or nil.
func (c call) optTable(n int, want string) *lua.LTable {
	if c.L.Get(n) == lua.LNil {
		return nil
	}
	return c.checkTable(n, want)
}

// checkU32 returns argument n, an integer from 0 to 2^32-1.
func (c call) checkU32(n int, want string) uint32 {
	v := c.L.Get(n)
	u, err := toU32(v)
	if err != nil {
		if _, ok := v.(lua.LNumber); ok {
			c.argError(n, want+": "+err.Error())
		}
		c.typeError(n, want)
	}
	return u
}

// checkIP returns argument n, dotted IPv4 text.
func (c call) checkIP(n int) string {
	s, ok := c.L.Get(n).(lua.LString)
	if !ok {
		c.typeError(n, "IPv4 address")
	}
	if _, err := omapi.ParseIP(string(s)); err != nil {
		c.argError(n, fmt.Sprintf("IPv4 address expected, got %q", string(s)))
	}
	return string(s)
}

// checkMAC returns argument n, MAC address text.
func (c call) checkMAC(n int) string {
	s, ok := c.L.Get(n).(lua.LString)
	if !ok {
		c.typeError(n, "MAC address")
	}
	if _, err := omapi.ParseMAC(string(s)); err != nil {
		c.argError(n, fmt.Sprintf("MAC address like 00:11:22:33:44:55 expected, got %q", string(s)))
	}
	return string(s)
}

// options reads an options table (argument n, nil allowed) whose keys
// must be among allowed and whose values must be booleans.
func (c call) options(n int, allowed ...string) map[string]bool {
	t := c.optTable(n, "options table")
	out := map[string]bool{}
	if t == nil {
		return out
	}
	t.ForEach(func(k, v lua.LValue) {
		ks, ok := k.(lua.LString)
		if !ok || !contains(allowed, string(ks)) {
			c.argError(n, fmt.Sprintf("unknown option %s (options: %s)", luaRepr(k), strings.Join(allowed, ", ")))
		}
		b, ok := v.(lua.LBool)
		if !ok {
			c.argError(n, fmt.Sprintf("option %s: boolean expected, got %s", ks, typeName(v)))
		}
		out[string(ks)] = bool(b)
	})
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// typeName names the type of a Lua value, with the class of our userdata.
func typeName(v lua.LValue) string {
	if ud, ok := v.(*lua.LUserData); ok {
		switch ud.Value.(type) {
		case *luaConn:
			return ConnClass
		case *luaObject:
			return ObjectClass
		case *luaMessage:
			return MessageClass
		case *typedValue:
			return ValueClass
		}
	}
	if v == nil {
		return "no value"
	}
	return v.Type().String()
}

// luaRepr shows a Lua value briefly in an error message.
func luaRepr(v lua.LValue) string {
	switch v := v.(type) {
	case lua.LString:
		s := string(v)
		if len(s) > 40 {
			s = s[:37] + "..."
		}
		return fmt.Sprintf("%q", s)
	case lua.LNumber:
		return v.String()
	}
	return typeName(v)
}

// toU32 converts a Lua number to a 32-bit unsigned integer.
func toU32(v lua.LValue) (uint32, error) {
	n, ok := v.(lua.LNumber)
	if !ok {
		return 0, fmt.Errorf("number expected, got %s", typeName(v))
	}
	f := float64(n)
	if f != math.Trunc(f) || f < 0 || f > math.MaxUint32 {
		return 0, fmt.Errorf("%s is not an integer from 0 to 4294967295", n)
	}
	return uint32(f), nil
}

// fail pushes nil, message, code for a runtime failure and returns 3.
func fail(L *lua.LState, err error) int {
	L.Push(lua.LNil)
	L.Push(lua.LString(errMessage(err)))
	L.Push(lua.LString(errCode(err)))
	return 3
}

// failf is fail with context: "what: message".
func failf(L *lua.LState, err error, what string) int {
	return fail(L, errorf("%s: %w", what, err))
}

// errMessage is err's text without the "omapi: " that starts the
// library's errors, which says nothing inside the omapi module.
func errMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "omapi: ")
}

// errorf is fmt.Errorf for the module's errors around the library's: the
// errors among args are matched (%w) as with fmt.Errorf, and said by
// their errMessage, so that "omapi: " does not appear in the middle of a
// message.
func errorf(format string, args ...any) error {
	text := make([]any, len(args))
	for i, a := range args {
		if e, ok := a.(error); ok {
			a = errMessage(e)
		}
		text[i] = a
	}
	return &moduleError{fmt.Sprintf(strings.ReplaceAll(format, "%w", "%s"), text...), fmt.Errorf(format, args...)}
}

// moduleError is an error of errorf.
type moduleError struct {
	text    string
	wrapped error // fmt.Errorf's, for its Unwrap
}

func (e *moduleError) Error() string { return e.text }

// Unwrap returns fmt.Errorf's error, which wraps what the format's %w
// verbs name.
func (e *moduleError) Unwrap() error { return e.wrapped }

// errCode is the stable code of err, "io" for an error of no known kind.
func errCode(err error) string {
	if c := errcode.Of(err); c != "" {
		return c
	}
	return "io"
}

// errTable is the entry of a batch result for a request that failed.
func errTable(L *lua.LState, err error) *lua.LTable {
	t := L.CreateTable(0, 2)
	t.RawSetString("error", lua.LString(errMessage(err)))
	t.RawSetString("code", lua.LString(errCode(err)))
	return t
}
