package luaapi

import (
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/omapi/omapitest"
)

// faultTimeout is the request timeout of the fault tests; each fault must
// be reported well within faultDeadline.
const (
	faultTimeout  = 300 * time.Millisecond
	faultDeadline = 1500 * time.Millisecond
)

// faultState serves fault f and returns a Lua state whose global TARGET
// is the omapi.connect options for it (with omapitest's key when f.Auth).
func faultState(t *testing.T, f omapitest.Fault) *lua.LState {
	t.Helper()
	addr := omapitest.ServeFault(t, f)
	L := newState(t, Options{Timeout: faultTimeout})
	target := L.NewTable()
	target.RawSetString("address", lua.LString(addr))
	if f.Auth {
		target.RawSetString("key_name", lua.LString(omapitest.KeyName))
		target.RawSetString("secret", lua.LString(omapitest.SecretBase64))
		target.RawSetString("algorithm", lua.LString(omapitest.Algorithm))
	}
	L.SetGlobal("TARGET", target)
	return L
}

// TestFaults runs the fault matrix (omapitest.Faults) through the Lua
// module: each hostile or broken server makes omapi.connect or the first
// request return nil, message, code — the code and message the library
// gives, within the timeout — and a later call on the connection fails
// the same way, without raising.
func TestFaults(t *testing.T) {
	for _, f := range omapitest.Faults {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			L := faultState(t, f)
			start := time.Now()
			doString(t, L, `
				local conn, msg, code = omapi.connect(TARGET)
				stage = "connect"
				if conn then
					stage = "lookup_ip"
					local ip
					ip, msg, code = conn:lookup_ip("00:11:22:33:44:55")
					assert(ip == nil, "lookup_ip succeeded")
					-- the connection is broken (or, after an auth failure,
					-- still refuses): a second call fails without raising
					local h, msg2, code2 = conn:lookup_host("h")
					assert(h == nil and type(msg2) == "string" and type(code2) == "string",
						"second call: " .. tostring(msg2))
					second = code2 .. ": " .. msg2
					conn:close()
				end
				MSG, CODE = msg, code`)
			elapsed := time.Since(start)
			msg, code := L.GetGlobal("MSG").String(), L.GetGlobal("CODE").String()
			t.Logf("%s: %s: %s (then %s)", L.GetGlobal("stage"), code, msg, L.GetGlobal("second"))
			if code != f.Code || !strings.Contains(msg, f.Want) {
				t.Errorf("got %q, %q; want code %q and a message containing %q", msg, code, f.Code, f.Want)
			}
			if strings.Contains(msg, "omapi: ") || strings.Contains(msg, "\n") {
				t.Errorf("message %q: want one line without the library's prefix", msg)
			}
			if elapsed > faultDeadline {
				t.Errorf("took %v, want under %v", elapsed, faultDeadline)
			}
		})
	}
}

// TestFaultsPipelined runs the fault matrix under pipelined requests
// (conn:lookup_many, three in flight): each fault fails the call with nil,
// message, code — or fails each request in its result entry — within the
// timeout, and never raises.
func TestFaultsPipelined(t *testing.T) {
	for _, f := range omapitest.Faults {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			L := faultState(t, f)
			start := time.Now()
			doString(t, L, `
				local conn, msg, code = omapi.connect(TARGET)
				if not conn then
					RESULT = "connect: " .. code .. ": " .. msg
					return
				end
				local res
				res, msg, code = conn:lookup_many("lease", {{ip = "192.0.2.1"}, {ip = "192.0.2.2"}, {ip = "192.0.2.3"}})
				if res == nil then
					assert(type(msg) == "string" and type(code) == "string", "nil without a message and code")
					RESULT = code .. ": " .. msg
				else
					assert(#res == 3, "results: " .. #res)
					local parts = {}
					for i, r in ipairs(res) do
						assert(type(r) == "table" and r.error and r.code, "entry " .. i .. " did not fail")
						parts[i] = r.code .. ": " .. r.error
					end
					RESULT = table.concat(parts, " | ")
				end
				conn:close()`)
			result := L.GetGlobal("RESULT").String()
			t.Logf("%s", result)
			switch f.Code {
			case "protocol", "auth", "io", "timeout":
				if !strings.Contains(result, f.Want) {
					t.Errorf("want %q in the failure", f.Want)
				}
			default:
				// A failing status fails its own request; the server then
				// closing the connection fails the call.
				if !strings.Contains(result, "server closed the connection") {
					t.Errorf("want the server closing the connection in the failure")
				}
			}
			if strings.ContainsAny(result, "\r\n\x1b") {
				t.Errorf("failure %q has control characters", result)
			}
			if elapsed := time.Since(start); elapsed > faultDeadline {
				t.Errorf("took %v, want under %v", elapsed, faultDeadline)
			}
		})
	}
}
