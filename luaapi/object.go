package luaapi

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/policy"
	"github.com/omapish/omapish/omapi"
	"github.com/omapish/omapish/omapi/pypure"
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

// ---- the objects of a connection: open, create, refresh, query ----

// open runs an OPEN and remembers the object's type.
func (lc *luaConn) open(L *lua.LState, typ string, keys omapi.Values, opts ...omapi.OpenOption) (*omapi.Object, error) {
	o, err := lc.c.Open(stateContext(L), typ, keys, opts...)
	if err != nil {
		if typ == "host" && len(opts) == 0 {
			err = pypure.ExplainHostByIP(stateContext(L), lc.c, keys, err)
		}
		return nil, err
	}
	lc.learn(o.Handle, typ, o.Values)
	return o, nil
}

// errDeclined is the failure of a hazardous request the user said no to:
// "canceled" by its code (it matches context.Canceled), without the words
// "context canceled" in its message.
func errDeclined(warning string) error {
	return &declinedError{warning}
}

type declinedError struct{ warning string }

func (e *declinedError) Error() string        { return "not sent: " + e.warning + " (declined)" }
func (e *declinedError) Is(target error) bool { return target == context.Canceled }

// allow decides whether a hazardous request goes out: with force, yes;
// otherwise Options.Confirm decides, and without Confirm the request is
// refused with a Lua error.
func (m *module) allow(c call, warning string, force bool) bool {
	if warning == "" || force {
		return true
	}
	if m.opts.Confirm == nil {
		c.errorf("%s; pass {force=true} to send it anyway", warning)
	}
	return m.opts.Confirm(warning)
}

// typeHint explains a failure to open a type dhcpd does not register:
// dhcpd then answers as for a REFRESH of handle 0 ("no matching handle").
func typeHint(typ string, err error) error {
	if knownType(typ) || strings.HasPrefix(typ, "failover-") {
		return noKeyHint(typ, err)
	}
	return errorf("%w (is %q an object type? dhcpd has %s)", err, typ, strings.Join(objectTypes, ", "))
}

// noKeyHint explains dhcpd's "can't create new object (not implemented)"
// to an OPEN the policy did not check ({raw=true}): for a type it cannot
// create, it means the lookup found none of its keys and dhcpd tried to
// make one (omapip/message.c).
func noKeyHint(typ string, err error) error {
	if !errors.Is(err, omapi.ResultNotImplemented) || !strings.Contains(err.Error(), "can't create new object") || policy.CreateAttrs(typ) != nil {
		return err
	}
	return errorf("%w (dhcpd read no key of %s, so tried to create one; %s)", err, policy.A(typ), policy.HowFound(typ))
}

var openOptions = []string{"create", "exclusive", "update", "force", "raw"}

func openFlags(o map[string]bool) []omapi.OpenOption {
	var f []omapi.OpenOption
	if o["create"] {
		f = append(f, omapi.Create)
	}
	if o["exclusive"] {
		f = append(f, omapi.Exclusive)
	}
	if o["update"] {
		f = append(f, omapi.Update)
	}
	return f
}

func (m *module) connOpen(L *lua.LState) int {
	lc, c := connSelf(L, "open")
	typ := c.checkName(2, "object type")
	keysT := c.checkTable(3, "table of keys")
	o := c.options(4, openOptions...)
	keys := c.toValues(3, keysT, typ, modeAttrs)
	if err := m.vet(c, typ, omapi.OpOpen, keys, openPolicy(o, rawNames(keysT)), o["force"]); err != nil {
		return fail(L, err)
	}
	obj, err := lc.open(L, typ, keys, openFlags(o)...)
	if err != nil {
		return fail(L, typeHint(typ, err))
	}
	L.Push(m.newObject(L, lc, obj))
	return 1
}

func (m *module) connCreate(L *lua.LState) int {
	lc, c := connSelf(L, "create")
	typ := c.checkName(2, "object type")
	vt := c.checkTable(3, "table of values")
	o := c.options(4, "force", "raw")
	vs := c.toValues(3, vt, typ, modeAttrs)
	if len(vs) == 0 {
		c.argError(3, "at least one value expected")
	}
	o["create"] = true
	if err := m.vet(c, typ, omapi.OpOpen, vs, openPolicy(o, rawNames(vt)), o["force"]); err != nil {
		return fail(L, err)
	}
	obj, err := lc.open(L, typ, vs, omapi.Create, omapi.Exclusive)
	if err != nil {
		return fail(L, typeHint(typ, err))
	}
	L.Push(m.newObject(L, lc, obj))
	return 1
}

func (m *module) connRefresh(L *lua.LState) int {
	lc, c := connSelf(L, "refresh")
	h := c.checkU32(2, "handle")
	typ := c.optString(3, "object type")
	if typ == "" {
		typ = lc.typeOf(h)
	}
	obj, err := lc.c.Refresh(stateContext(L), typ, h)
	if err != nil {
		return fail(L, err)
	}
	note := ""
	if typ == "" {
		obj.Type, note = lc.learnType(L, obj)
	}
	lc.learn(obj.Handle, obj.Type, obj.Values)
	L.Push(m.newObject(L, lc, obj))
	if note != "" {
		L.Push(lua.LString(note))
		return 2
	}
	return 1
}

// learnType finds the type of an object read by handle alone (a handle
// another connection opened, or from a trace: dhcpd's handles are
// server-wide, and a REFRESH reply carries no type). The attributes
// dhcpd sends tell most types apart (omapi.GuessType); when they fit
// several, each candidate whose lookup reads a handle is asked with an
// OPEN of that type and the handle, which dhcpd answers only for the
// right type and which changes nothing. When the type still cannot be
// known it returns "" and a note saying why, for the caller.
func (lc *luaConn) learnType(L *lua.LState, obj *omapi.Object) (string, string) {
	typ, fits := omapi.GuessType(obj.Values)
	if typ != "" {
		return typ, ""
	}
	var left []string
	for _, t := range fits {
		if !policy.FindsByHandle(t) {
			left = append(left, t)
			continue
		}
		var key omapi.Values
		key.SetUint32("handle", obj.Handle)
		if _, err := lc.c.Open(stateContext(L), t, key); err == nil {
			return t, ""
		}
	}
	if len(left) == 0 {
		return "", fmt.Sprintf("the type of object %d is unknown: its attributes fit no type dhcpd 4.4.3 registers; pass it: conn:refresh(%d, TYPE)", obj.Handle, obj.Handle)
	}
	return "", fmt.Sprintf("the type of object %d is unknown: dhcpd's reply does not say, and its attributes fit a %s; pass it: conn:refresh(%d, TYPE)",
		obj.Handle, strings.Join(left, " or a "), obj.Handle)
}

// checkRequest raises for a request omapi refuses to send (dhcpd drops
// the connection on it: omapi.Message.Check).
func checkRequest(c call, n int, req *omapi.Message) {
	if err := req.Check(); err != nil {
		c.argError(n, errMessage(err))
	}
}

// vetRaw applies the policy to a raw message: with force, nothing (the
// protocol explorer's way to send anything, e.g. to reproduce a crash in
// the lab); otherwise the checks of the object API, hazards included.
func (m *module) vetRaw(c call, typ string, req *omapi.Message, force bool) error {
	if force {
		return nil
	}
	if err := policy.CheckMessage(typ, req, policy.Options{}); err != nil {
		return errorf("%w; pass {force=true} to send this raw message anyway", err)
	}
	if w := policy.HazardMessage(typ, req, policy.Options{}); !m.allow(c, w, false) {
		return errDeclined(w)
	}
	return nil
}

// requestType is the object type a request is about, when known.
func (lc *luaConn) requestType(req *omapi.Message) string {
	if b, ok := req.Message.Get("type"); ok {
		return string(b)
	}
	return lc.typeOf(req.Handle)
}

func (m *module) connQuery(L *lua.LState) int {
	lc, c := connSelf(L, "query")
	lm := messageArg(c, 2)
	o := c.options(3, "force")
	req := lm.msg
	checkRequest(c, 2, req)
	typ := lc.requestType(req)
	if err := m.vetRaw(c, typ, req, o["force"]); err != nil {
		return fail(L, err)
	}
	send := *req
	reply, err := lc.c.Query(stateContext(L), &send)
	req.ID = send.ID
	if err != nil {
		return fail(L, err)
	}
	if reply.Op == omapi.OpUpdate {
		lc.learn(reply.Handle, typ, reply.Object)
	}
	L.Push(m.newMessage(L, reply, typ))
	return 1
}
