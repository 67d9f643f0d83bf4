// Package luaapi is the Lua module omapi on gopher-lua: connections,
// objects and raw messages as userdata, and the conversion between Lua
// values and OMAPI's untyped bytes.
//
// The module's surface is the contract in design.md ("The Lua module
// omapi"); Functions documents every function and method. Conventions:
// misuse (a wrong argument type, an unparsable address, a closed
// connection) raises a Lua error naming the function and the argument;
// a runtime failure returns nil, message, code, where code is errcode.Of's
// stable name ("not-found", "exists", "auth", "timeout", "canceled", ...).
//
// Every network call uses the state's context (L.Context), so cancelling
// it interrupts a blocked request. gopher-lua has no __gc: call CloseAll
// before closing the state.
package luaapi

import (
	"context"
	"io"
	"net"
	"os"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/profile"
	"github.com/omapish/omapish/omapi"
)

// Metatable names of the module's userdata.
const (
	ConnClass    = "omapi.conn"
	ObjectClass  = "omapi.object"
	MessageClass = "omapi.message"
)

// Options configure the module for one Lua state.
type Options struct {
	// Profiles are the server profiles omapi.connect(name) and
	// omapi.connect() (the default profile) use; nil means none.
	Profiles *profile.Config
	// Servers are the profile names omapi.servers() lists (the command
	// line's --server, in order); nil means the profiles of Profiles in
	// the order of its file.
	Servers []string
	// AddressKey gives the key (KeyName, Algorithm, Secret) and Timeout
	// for an address that no profile describes: omapi.connect("host:port")
	// and the table form with an address and no profile. Nil means
	// unsigned, with the default timeout.
	AddressKey *profile.Server
	// Dial opens the transport, e.g. a lab's namespace dialer; nil means
	// a net.Dialer.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Timeout is the connect and request timeout when neither the profile
	// nor the script gives one; 0 means omapi.DefaultTimeout.
	Timeout time.Duration
	// Trace, when set, is passed to every connection (the --trace flag):
	// it sees each message sent and received with its raw bytes.
	Trace func(stream int, dir omapi.Direction, m *omapi.Message, raw []byte)
	// Confirm is asked before a hazardous request (policy.Hazard: a
	// control shutdown, a failover state change, a lease's ends, an
	// interface delete) when the script did not pass {force=true}. Nil refuses such requests with a Lua error telling to
	// pass {force=true}.
	Confirm func(warning string) bool
	// Stdout receives what omapi.help prints; nil means os.Stdout.
	Stdout io.Writer
}

// module is the per-state module: its options and open connections.
type module struct {
	opts  Options
	conns map[*luaConn]struct{}
	table *lua.LTable
	util  *lua.LTable // omapish.util

	// Method tables of the userdata classes.
	connMethods, objectMethods, messageMethods *lua.LTable

	// miss is the last name read from the module's values and not found,
	// for the error of calling it (names.go).
	miss miss
}

// registryKey holds the state's *module in the Lua registry.
const registryKey = "github.com/omapish/omapish/luaapi"

// Preload makes the module available in L: through require("omapi")
// (L.PreloadModule) and as the global omapi. Both are the same table.
func Preload(L *lua.LState, opts Options) {
	m := &module{opts: opts, conns: map[*luaConn]struct{}{}}
	ud := L.NewUserData()
	ud.Value = m
	L.G.Registry.RawSetString(registryKey, ud)
	m.registerTypes(L)
	m.table = m.newModuleTable(L)
	m.util = m.newUtilTable(L)
	// The helpers under their old names, omapi.getopt and the like: one
	// release more.
	m.util.ForEach(func(k, v lua.LValue) { m.table.RawSet(k, v) })
	m.nameCalls(L)
	L.PreloadModule("omapi", func(L *lua.LState) int {
		L.Push(m.table)
		return 1
	})
	L.SetGlobal("omapi", m.table)
}

// CloseAll closes every connection opened in L that is still open.
// gopher-lua has no finalizers: call it before L.Close().
func CloseAll(L *lua.LState) {
	ud, ok := L.G.Registry.RawGetString(registryKey).(*lua.LUserData)
	if !ok {
		return
	}
	m, ok := ud.Value.(*module)
	if !ok {
		return
	}
	for lc := range m.conns {
		lc.close()
	}
}

// stateContext returns the context network calls of L run under.
func stateContext(L *lua.LState) context.Context {
	if ctx := L.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// moduleFuncs returns the functions of the omapi table.
func (m *module) moduleFuncs() map[string]lua.LGFunction {
	return withSchemaHelpers(map[string]lua.LGFunction{
		"connect":     m.connect,
		"servers":     m.servers,
		"u32":         m.u32,
		"ip":          m.ip,
		"mac":         m.mac,
		"raw":         m.raw,
		"check":       m.checkFunc,
		"pack_ip":     packIP,
		"unpack_ip":   unpackIP,
		"pack_mac":    packMAC,
		"unpack_mac":  unpackMAC,
		"hexdump":     hexdump,
		"unhex":       unhex,
		"json":        jsonFn,
		"time":        timeFn,
		"sleep":       sleep,
		"attributes":  attributes,
		"help":        m.help,
		"read_conf":   readConf,
		"dhcpd_files": dhcpdFiles,
		"read_leases": readLeases,
	})
}

// messageFuncs returns the functions of the omapi.message table.
func (m *module) messageFuncs() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"open":    m.messageOpen,
		"update":  m.messageByHandle(omapi.OpUpdate, "message.update"),
		"delete":  m.messageByHandle(omapi.OpDelete, "message.delete"),
		"refresh": m.messageByHandle(omapi.OpRefresh, "message.refresh"),
		"new":     m.messageNew,
		"parse":   m.messageParse,
	}
}

func (m *module) newModuleTable(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	L.SetFuncs(t, guardAll("omapi.", m.moduleFuncs()))
	mt := L.NewTable()
	L.SetFuncs(mt, guardAll("omapi.message.", m.messageFuncs()))
	t.RawSetString("message", mt)
	L.SetMetatable(t, L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{"__index": m.missingIndex("omapi")}))
	L.SetMetatable(mt, L.SetFuncs(L.NewTable(), map[string]lua.LGFunction{"__index": m.missingIndex("omapi.message")}))
	for _, op := range []omapi.Opcode{omapi.OpOpen, omapi.OpRefresh, omapi.OpUpdate, omapi.OpNotify, omapi.OpStatus, omapi.OpDelete} {
		t.RawSetString(upper(op.String()), lua.LNumber(op))
	}
	t.RawSetString("lease_states", stateTable(L, omapi.States("lease", "state")))
	t.RawSetString("failover_states", stateTable(L, omapi.States("failover-state", "local-state")))
	t.RawSetString("control_states", stateTable(L, omapi.States("control", "state")))
	types := L.CreateTable(len(objectTypes), 0)
	for _, typ := range objectTypes {
		types.Append(lua.LString(typ))
	}
	t.RawSetString("types", types)
	t.RawSetString("NEVER", lua.LNumber(omapi.Never))
	return t
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// registerTypes makes the metatables of the module's userdata.
func (m *module) registerTypes(L *lua.LState) {
	m.connMethods = L.SetFuncs(L.NewTable(), guardAll("conn:", m.connFuncs()))
	m.objectMethods = L.SetFuncs(L.NewTable(), guardAll("obj:", m.objectFuncs()))
	m.messageMethods = L.SetFuncs(L.NewTable(), guardAll("m:", m.messageMethodFuncs()))
	conn := L.NewTypeMetatable(ConnClass)
	L.SetFuncs(conn, map[string]lua.LGFunction{
		"__index":    guard("conn.__index", m.notingMisses(ConnClass, m.connMethods, m.connIndex)),
		"__newindex": guard("conn.__newindex", readOnly(ConnClass)),
		"__tostring": guard("conn.__tostring", connToString),
	})
	obj := L.NewTypeMetatable(ObjectClass)
	L.SetFuncs(obj, map[string]lua.LGFunction{
		"__index":    guard("object.__index", m.notingMisses(ObjectClass, m.objectMethods, m.objectIndex)),
		"__newindex": guard("object.__newindex", readOnly(ObjectClass)),
		"__tostring": guard("object.__tostring", objectToString),
	})
	msg := L.NewTypeMetatable(MessageClass)
	L.SetFuncs(msg, map[string]lua.LGFunction{
		"__index":    guard("message.__index", m.notingMisses(MessageClass, m.messageMethods, m.messageIndex)),
		"__newindex": guard("message.__newindex", m.messageNewIndex),
		"__tostring": guard("message.__tostring", messageToString),
	})
	// The methods are in the metatables too (Lua reads only the __ keys
	// there), so that a program holding the metatable, such as the
	// shell's help(conn.lookup_ip) and completion, finds them as the
	// same function values __index returns.
	for mt, methods := range map[*lua.LTable]*lua.LTable{conn: m.connMethods, obj: m.objectMethods, msg: m.messageMethods} {
		methods.ForEach(func(k, v lua.LValue) { mt.RawSet(k, v) })
	}
	val := L.NewTypeMetatable(ValueClass)
	L.SetFuncs(val, map[string]lua.LGFunction{
		"__index":    guard("value.__index", typedIndex),
		"__newindex": guard("value.__newindex", readOnly(ValueClass)),
		"__tostring": guard("value.__tostring", typedToString),
		"__eq":       guard("value.__eq", typedEq),
	})
}

// readOnly is the __newindex of userdata whose fields cannot be set.
func readOnly(class string) lua.LGFunction {
	return func(L *lua.LState) int {
		hint := ""
		if class == ObjectClass {
			hint = "; use obj:update{...} to change the object"
		}
		L.RaiseError("cannot set field %s of %s: it is read-only%s", luaRepr(L.Get(2)), class, hint)
		return 0
	}
}

func attributes(L *lua.LState) int {
	c := call{L: L, name: "attributes"}
	typ := c.optString(1, "object type")
	names := omapi.Attributes(typ)
	t := L.CreateTable(len(names), 0)
	for _, n := range names {
		t.Append(lua.LString(n))
	}
	L.Push(t)
	return 1
}

func (m *module) stdout() io.Writer {
	if m.opts.Stdout != nil {
		return m.opts.Stdout
	}
	return os.Stdout
}
