package luaapi

import (
	"encoding/binary"
	"errors"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/policy"
	"github.com/omapish/omapish/omapi"
	"github.com/omapish/omapish/omapi/pypure"
)

// luaConn is the Go side of an omapi.conn userdata.
type luaConn struct {
	mod     *module
	c       *omapi.Conn
	address string // as dialed, host:port
	keyName string // "" when unsigned
	alg     string
	profile string // the profile it came from, "" when none
	timeout time.Duration
	closed  bool
	busy    string // the streaming call (lookup_each) whose callback runs now

	lastReconnects int // c.Reconnects() when last asked, for when c is busy

	// types remembers the type of objects by handle, learned from the
	// replies on this connection: it types the replies of conn:query and
	// conn:refresh, and lets hazardous requests by handle be recognised.
	// It is bounded; the hazardous types are kept apart and never dropped.
	types     map[uint32]string
	hazardous map[uint32]string
}

// readStreams is how many connections a bulk lookup may spread over
// (omapi.Dialer.Streams): eight keep a local dhcpd busy, for twice the
// lookups per second of one.
const readStreams = 8

// maxTypes bounds luaConn.types (bulk lookups open many objects).
const maxTypes = 1 << 14

func (lc *luaConn) remember(handle uint32, typ string) {
	if typ == "" || handle == 0 {
		return
	}
	if typ == "interface" || typ == "control" {
		lc.hazardous[handle] = typ
		return
	}
	if len(lc.types) >= maxTypes {
		clear(lc.types)
	}
	lc.types[handle] = typ
}

// refType is the type of the object whose handle attribute name holds (a
// lease's subnet, pool, host and billing class), "" for other attributes.
func refType(name string) string {
	switch name {
	case "subnet", "pool", "host":
		return name
	case "billing-class":
		return "class"
	}
	return ""
}

// learn remembers the type of an object read, and of the objects its
// handle attributes point at.
func (lc *luaConn) learn(handle uint32, typ string, vs omapi.Values) {
	lc.remember(handle, typ)
	for _, v := range vs {
		if t := refType(v.Name); t != "" && len(v.Data) == 4 {
			if k, _ := kindOf(typ, v.Name); k == omapi.KindHandle {
				lc.remember(binary.BigEndian.Uint32(v.Data), t)
			}
		}
	}
}

func (lc *luaConn) typeOf(handle uint32) string {
	if t, ok := lc.hazardous[handle]; ok {
		return t
	}
	return lc.types[handle]
}

func (lc *luaConn) close() {
	if lc.closed {
		return
	}
	lc.closed = true
	lc.c.Close()
	delete(lc.mod.conns, lc)
}

// connFuncs returns the methods of omapi.conn.
func (m *module) connFuncs() map[string]lua.LGFunction {
	fns := map[string]lua.LGFunction{
		"close":                   m.connClose,
		"lookup_by_host":          m.lookupBy("host", "lookup_by_host"),
		"lookup_by_lease":         m.lookupBy("lease", "lookup_by_lease"),
		"lookup_by_failoverstate": m.lookupBy("failover-state", "lookup_by_failoverstate"),
		"lookup_failoverstate":    m.lookupFailoverState,
		"open":                    m.connOpen,
		"create":                  m.connCreate,
		"refresh":                 m.connRefresh,
		"query":                   m.connQuery,
		"lookup_many":             m.lookupMany,
		"lookup_each":             m.lookupEach,
		"open_many":               m.openMany(false, "open_many"),
		"create_many":             m.openMany(true, "create_many"),
		"delete_many":             m.deleteMany,
		"query_many":              m.queryMany,
	}
	for _, op := range pypure.Ops() {
		fns[op.Name] = m.pypureOp(op)
	}
	return fns
}

// ---- the userdata ----

// connSelf checks that argument 1 is an open connection.
func connSelf(L *lua.LState, name string) (*luaConn, call) {
	lc := connArg(L, name)
	lc.checkUsable(L, name)
	return lc, call{L: L, name: name, method: true}
}

// checkUsable raises an error when the connection is closed, or busy with
// a streaming call whose callback is running (a request on it would wait
// for that call, which waits for the callback).
func (lc *luaConn) checkUsable(L *lua.LState, name string) {
	if lc.closed {
		L.RaiseError("%s: the connection to %s is closed", name, lc.address)
	}
	if lc.busy != "" {
		L.RaiseError("%s: the connection to %s is busy with %s, whose callback is running: use another connection (omapi.connect) inside it", name, lc.address, lc.busy)
	}
}

func connArg(L *lua.LState, name string) *luaConn {
	if ud, ok := L.Get(1).(*lua.LUserData); ok {
		if lc, ok := ud.Value.(*luaConn); ok {
			return lc
		}
	}
	L.RaiseError("calling '%s' on bad self (%s expected, got %s; write conn:%s(...))", name, ConnClass, typeName(L.Get(1)), name)
	return nil
}

func (m *module) connIndex(L *lua.LState) int {
	lc := connArg(L, "__index")
	key, _ := L.Get(2).(lua.LString)
	switch key {
	case "address":
		L.Push(lua.LString(lc.address))
	case "key_name":
		L.Push(optLString(lc.keyName))
	case "algorithm":
		L.Push(optLString(lc.alg))
	case "profile":
		L.Push(optLString(lc.profile))
	case "timeout":
		L.Push(lua.LNumber(lc.timeout.Seconds()))
	case "closed":
		L.Push(lua.LBool(lc.closed))
	case "state":
		L.Push(lua.LString(lc.state()))
	case "reconnects":
		L.Push(lua.LNumber(lc.reconnects()))
	default:
		L.Push(m.connMethods.RawGet(L.Get(2)))
	}
	return 1
}

func optLString(s string) lua.LValue {
	if s == "" {
		return lua.LNil
	}
	return lua.LString(s)
}

func (lc *luaConn) String() string {
	s := "omapi.conn " + lc.address
	if lc.profile != "" {
		s += " (profile " + lc.profile + ")"
	}
	if lc.keyName != "" {
		s += " key " + lc.keyName + " " + lc.alg
	} else {
		s += " unsigned"
	}
	if lc.closed {
		s += " closed"
	}
	return s
}

func connToString(L *lua.LState) int {
	L.Push(lua.LString(connArg(L, "__tostring").String()))
	return 1
}

// table is the connection as data, for omapi.json.
func (lc *luaConn) table(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("address", lua.LString(lc.address))
	t.RawSetString("key_name", optLString(lc.keyName))
	t.RawSetString("algorithm", optLString(lc.alg))
	t.RawSetString("profile", optLString(lc.profile))
	t.RawSetString("closed", lua.LBool(lc.closed))
	t.RawSetString("state", lua.LString(lc.state()))
	t.RawSetString("reconnects", lua.LNumber(lc.reconnects()))
	return t
}

// state is conn.state: "open"; "busy" inside a lookup_each callback;
// "out-of-step" after an interrupted request left the stream out of
// step (the next request opens a new connection); "broken" after a
// failure of the server (a new omapi.connect is needed); "closed".
func (lc *luaConn) state() string {
	switch {
	case lc.closed:
		return "closed"
	case lc.busy != "":
		return "busy" // the batch holds the connection: asking would wait for it
	}
	switch err := lc.c.Err(); {
	case err == nil:
		return "open"
	case errors.Is(err, omapi.ErrOutOfStep):
		return "out-of-step"
	}
	return "broken"
}

// reconnects is conn.reconnects: how many times a new connection replaced
// one out of step.
func (lc *luaConn) reconnects() int {
	if lc.busy != "" {
		return lc.lastReconnects
	}
	lc.lastReconnects = lc.c.Reconnects()
	return lc.lastReconnects
}

func (m *module) connClose(L *lua.LState) int {
	lc := connArg(L, "close")
	if lc.busy != "" {
		lc.checkUsable(L, "close")
	}
	lc.close()
	L.Push(lua.LTrue)
	return 1
}

// keysArg reads a table of lookup keys at stack index n, with the option
// raw=true among them (or in an options table at n+1), and the names
// whose values are wrapped with omapi.raw.
func keysArg(c call, n int, typ string) (omapi.Values, bool, map[string]bool) {
	t := c.checkTable(n, "table of keys")
	raw := false
	if v := t.RawGetString("raw"); v != lua.LNil {
		b, ok := v.(lua.LBool)
		if !ok {
			c.argError(n, "raw: boolean expected, got "+typeName(v))
		}
		raw = bool(b)
	}
	if c.options(n+1, "raw")["raw"] {
		raw = true
	}
	keys := c.toValues(n, t, typ, modeAttrs, "raw")
	if len(keys) == 0 {
		c.argError(n, "at least one key expected (mac=, ip=, name= or any attribute)")
	}
	return keys, raw, rawNames(t)
}

func (m *module) lookupBy(typ, name string) lua.LGFunction {
	return func(L *lua.LState) int {
		lc, c := connSelf(L, name)
		keys, raw, rawNames := keysArg(c, 2, typ)
		if err := policy.Check(typ, omapi.OpOpen, keys, policy.Options{Raw: raw, RawNames: rawNames}); err != nil {
			return fail(L, err)
		}
		o, err := lc.open(L, typ, keys)
		if err != nil {
			return fail(L, err)
		}
		L.Push(attrsTable(L, typ, o.Values, raw))
		return 1
	}
}

func (m *module) lookupFailoverState(L *lua.LState) int {
	lc, c := connSelf(L, "lookup_failoverstate")
	name := c.checkName(2, "failover peer name")
	attr := keyName(c.checkName(3, "attribute name"))
	o, err := lc.open(L, "failover-state", omapi.Values{{Name: "name", Data: []byte(name)}})
	if err != nil {
		return fail(L, err)
	}
	b, ok := o.Values.Get(attr)
	if !ok {
		return attrFail(L, &omapi.AttrError{Type: "failover-state", Name: attr}, "lookup_failoverstate", name, attr)
	}
	L.Push(decodeAttr(L, "failover-state", attr, b, false))
	return 1
}
