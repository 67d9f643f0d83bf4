package luaapi

import (
	"fmt"
	"strconv"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/policy"
	"github.com/omapish/omapish/omapi"
)

// luaObject is the Go side of an omapi.object userdata: a server object
// as last read, and the connection it was read on.
type luaObject struct {
	conn *luaConn
	obj  *omapi.Object
}

// objectFuncs returns the methods of omapi.object.
func (m *module) objectFuncs() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"attrs":   m.objectAttrs,
		"update":  m.objectUpdate,
		"refresh": m.objectRefresh,
		"delete":  m.objectDelete,
	}
}

func (m *module) newObject(L *lua.LState, lc *luaConn, o *omapi.Object) *lua.LUserData {
	ud := L.NewUserData()
	ud.Value = &luaObject{conn: lc, obj: o}
	ud.Metatable = L.GetTypeMetatable(ObjectClass)
	return ud
}

func objectArg(L *lua.LState, name string) *luaObject {
	if ud, ok := L.Get(1).(*lua.LUserData); ok {
		if lo, ok := ud.Value.(*luaObject); ok {
			return lo
		}
	}
	L.RaiseError("calling '%s' on bad self (%s expected, got %s; write obj:%s(...))", name, ObjectClass, typeName(L.Get(1)), name)
	return nil
}

// objectSelf checks argument 1 and that its connection is open.
func objectSelf(L *lua.LState, name string) (*luaObject, call) {
	lo := objectArg(L, name)
	lo.conn.checkUsable(L, name)
	return lo, call{L: L, name: name, method: true}
}

// objectIndex gives obj.type, obj.handle, the methods, and attributes by
// name, decoded (obj["ip-address"], obj.ip_address, obj.ip).
func (m *module) objectIndex(L *lua.LState) int {
	lo := objectArg(L, "__index")
	key, ok := L.Get(2).(lua.LString)
	if !ok {
		L.Push(lua.LNil)
		return 1
	}
	switch key {
	case "type":
		L.Push(optLString(lo.obj.Type))
		return 1
	case "handle":
		L.Push(lua.LNumber(lo.obj.Handle))
		return 1
	}
	if fn := m.objectMethods.RawGet(key); fn != lua.LNil {
		L.Push(fn)
		return 1
	}
	name := string(key)
	b, found := lo.obj.Values.Get(name)
	if !found {
		name = keyName(name)
		b, found = lo.obj.Values.Get(name)
	}
	if !found {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(decodeAttr(L, lo.obj.Type, name, b, false))
	return 1
}

func (lo *luaObject) String() string {
	typ := lo.obj.Type
	if typ == "" {
		typ = "object"
	}
	return typ + " " + strconv.FormatUint(uint64(lo.obj.Handle), 10) + " " +
		formatValues(lo.obj.Values, func(name string) omapi.Kind { k, _ := kindOf(lo.obj.Type, name); return k })
}

func objectToString(L *lua.LState) int {
	L.Push(lua.LString(objectArg(L, "__tostring").String()))
	return 1
}

func (m *module) objectAttrs(L *lua.LState) int {
	lo := objectArg(L, "attrs")
	c := call{L: L, name: "attrs", method: true}
	raw := false
	switch v := L.Get(2).(type) {
	case *lua.LNilType:
	case lua.LBool:
		raw = bool(v)
	default:
		c.typeError(2, "boolean")
	}
	L.Push(attrsTable(L, lo.obj.Type, lo.obj.Values, raw))
	return 1
}

// objectUpdate sets attributes, then reads the object back: it holds what
// the server holds, not what was sent. It returns true, and as a second
// result the sorted names of the attributes dhcpd left unchanged when
// there are any (dhcpd answers success to writes it ignores, such as a
// failover-state's mclt).
func (m *module) objectUpdate(L *lua.LState) int {
	lo, c := objectSelf(L, "update")
	vt := c.checkTable(2, "table of values")
	o := c.options(3, "force", "raw")
	vs := c.toValues(2, vt, lo.obj.Type, modeAttrs)
	if len(vs) == 0 {
		c.argError(2, "at least one value expected")
	}
	opt := policy.Options{Raw: o["raw"], RawNames: rawNames(vt)}
	if err := m.vet(c, lo.obj.Type, omapi.OpUpdate, vs, opt, o["force"]); err != nil {
		return fail(L, err)
	}
	ctx := stateContext(L)
	if err := lo.conn.c.Update(ctx, lo.obj.Handle, vs); err != nil {
		return fail(L, err)
	}
	if lo.obj.Type == "control" {
		// The only write dhcpd takes is state 2, which shuts it down:
		// there is nothing left to read back.
		L.Push(lua.LTrue)
		return 1
	}
	// dhcpd does not send the new contents back: read them.
	before := lo.obj.Values
	after, err := lo.conn.c.Refresh(ctx, lo.obj.Type, lo.obj.Handle)
	if err != nil {
		return fail(L, fmt.Errorf("updated, but reading the object back failed (it still shows what it held before): %w", err))
	}
	lo.obj = after
	lo.conn.learn(after.Handle, after.Type, after.Values)
	L.Push(lua.LTrue)
	names := unchanged(lo.obj.Type, vs, before, after.Values)
	if len(names) == 0 {
		return 1
	}
	t := L.CreateTable(len(names), 0)
	for _, n := range names {
		t.Append(lua.LString(n))
	}
	L.Push(t)
	return 2
}

func (m *module) objectRefresh(L *lua.LState) int {
	lo, _ := objectSelf(L, "refresh")
	o, err := lo.conn.c.Refresh(stateContext(L), lo.obj.Type, lo.obj.Handle)
	if err != nil {
		return fail(L, err)
	}
	lo.obj = o
	lo.conn.learn(o.Handle, o.Type, o.Values)
	L.Push(L.Get(1))
	return 1
}

func (m *module) objectDelete(L *lua.LState) int {
	lo, c := objectSelf(L, "delete")
	o := c.options(2, "force")
	if err := m.vet(c, lo.obj.Type, omapi.OpDelete, nil, policy.Options{}, o["force"]); err != nil {
		return fail(L, err)
	}
	return pushTrue(L, lo.conn.c.Delete(stateContext(L), lo.obj.Handle))
}

// pushTrue pushes true, or fails with err.
func pushTrue(L *lua.LState, err error) int {
	if err != nil {
		return fail(L, err)
	}
	L.Push(lua.LTrue)
	return 1
}
