package luaapi

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/lab"
	"github.com/omapish/omapish/internal/lab/labtest"
)

// authFault is a key mismatch between omapi.connect and a real dhcpd.
type authFault struct {
	name  string
	nokey bool   // the server has no omapi-key (lab.Config.NoOMAPIKey)
	code  string // Lua: the connect call and a lookup on its connection
	want  string // the code; "" when it works
	msg   string // substring of the message
}

// authFaults are the key mismatches, each with its own message. A server
// without omapi-key still accepts a key it defines (dhcpd opens any
// defined key); only a key it does not define fails there.
var authFaults = []authFault{
	{name: "wrong secret", code: `connect{address = LAB.address, key_name = LAB.key_name, secret = "AAAAAAAAAAAAAAAAAAAAAA=="}`,
		want: "auth", msg: "the server rejected our signature: wrong secret?"},
	{name: "wrong key name", code: `connect{address = LAB.address, key_name = "no-such-key", secret = LAB.secret}`,
		want: "auth", msg: `the server has no key "no-such-key" with algorithm hmac-md5`},
	{name: "wrong algorithm", code: `connect{address = LAB.address, key_name = LAB.key_name, secret = LAB.secret, algorithm = "hmac-sha256"}`,
		want: "auth", msg: "uses algorithm hmac-md5, not hmac-sha256"},
	{name: "a defined key that is not the omapi-key", code: `connect{address = LAB.address, key_name = LAB.other_key_name, secret = LAB.other_secret}`,
		want: "auth", msg: "is not the server's omapi-key"},
	{name: "server with a key, client without", code: `connect(LAB.address)`,
		want: "auth", msg: "the server requires a key and none is configured"},
	{name: "server without a key, client with its defined key", nokey: true,
		code: `connect{address = LAB.address, key_name = LAB.key_name, secret = LAB.secret}`},
	{name: "server without a key, client without", nokey: true, code: `connect(LAB.address)`},
	{name: "server without a key, client with a key it does not define", nokey: true,
		code: `connect{address = LAB.address, key_name = "no-such-key", secret = LAB.secret}`,
		want: "auth", msg: `the server has no key "no-such-key"`},
	{name: "server without a key, client with its defined key and a wrong secret", nokey: true,
		code: `connect{address = LAB.address, key_name = LAB.key_name, secret = "AAAAAAAAAAAAAAAAAAAAAA=="}`,
		want: "auth", msg: "wrong secret"},
}

// TestLabAuthFaults runs the key mismatches against real dhcpds, with and
// without omapi-key: each fails with code "auth" and its own message (at
// connect for a signed client, at the first request for an unsigned one),
// or works where dhcpd accepts the key.
func TestLabAuthFaults(t *testing.T) {
	keyed := sharedLab(t)
	open := labtest.Start(t, lab.Config{NoOMAPIKey: true})
	for _, f := range authFaults {
		t.Run(f.name, func(t *testing.T) {
			l := keyed
			if f.nokey {
				l = open
			}
			L := newState(t, labOptions(l))
			L.SetGlobal("LAB", labTable(L, l))
			doString(t, L, `
				local conn, msg, code = omapi.`+f.code+`
				stage = "connect"
				if conn then
					stage = "lookup_ip"
					local ip
					ip, msg, code = conn:lookup_ip(LAB.active.mac)
					assert((ip == nil) == (msg ~= nil))
					conn:close()
				end
				MSG, CODE = msg, code`)
			msg, code := luaString(L.GetGlobal("MSG")), luaString(L.GetGlobal("CODE"))
			t.Logf("%s: %s: %s", L.GetGlobal("stage"), code, msg)
			if code != f.want || !strings.Contains(msg, f.msg) {
				t.Errorf("got %q, %q; want code %q and a message containing %q", msg, code, f.want, f.msg)
			}
		})
	}
}

// luaString is a Lua string's text, "" for nil.
func luaString(v lua.LValue) string {
	if s, ok := v.(lua.LString); ok {
		return string(s)
	}
	return ""
}

// TestLabServerRestart: dhcpd killed while a script holds a connection
// makes the next call fail with "io" and says the server closed it; a
// connect while dhcpd is down is refused; after a restart a new connect
// works.
func TestLabServerRestart(t *testing.T) {
	l := labtest.Start(t)
	L := newState(t, labOptions(l))
	L.SetGlobal("LAB", labTable(L, l))
	doString(t, L, `
		conn = assert(omapi.connect())
		assert(conn:lookup_ip(LAB.active.mac) == LAB.active.ip)`)
	if err := l.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	doString(t, L, `
		local ip, msg, code = conn:lookup_ip(LAB.active.mac)
		assert(ip == nil and code == "io", tostring(msg) .. " " .. tostring(code))
		assert(msg:find("server closed the connection", 1, true) or msg:find("reset", 1, true), msg)
		killed = msg
		ip, msg, code = conn:lookup_ip(LAB.active.mac)
		assert(ip == nil and code == "io" and msg:find("broken", 1, true), msg)
		local c2
		c2, msg, code = omapi.connect()
		assert(c2 == nil and code == "io" and msg:find("refused", 1, true), msg)
		down = msg`)
	t.Logf("killed: %s", L.GetGlobal("killed"))
	t.Logf("down: %s", L.GetGlobal("down"))
	if err := l.Restart(t.Context()); err != nil {
		t.Fatal(err)
	}
	doString(t, L, `
		local c = assert(omapi.connect())
		assert(c:lookup_ip(LAB.active.mac) == LAB.active.ip)`)
}
