package luaapi

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/profile"
	"github.com/omapish/omapish/omapi"
)

// luaMessage is the Go side of an omapi.message userdata: a raw message
// to build, send and inspect byte by byte.
type luaMessage struct {
	msg *omapi.Message
	// typ is the object type the message is about when it has no "type"
	// message value (a reply, a request by handle): it decides how object
	// values decode.
	typ string
}

// messageMethodFuncs returns the methods of omapi.message.
func (m *module) messageMethodFuncs() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"update_object":  m.updateList("update_object", false),
		"update_message": m.updateList("update_message", true),
		"bytes":          m.messageBytes,
		"items":          m.messageItems,
	}
}

func (m *module) newMessage(L *lua.LState, msg *omapi.Message, typ string) *lua.LUserData {
	ud := L.NewUserData()
	ud.Value = &luaMessage{msg: msg, typ: typ}
	ud.Metatable = L.GetTypeMetatable(MessageClass)
	return ud
}

// randomID returns a fresh non-zero transaction id.
func randomID() uint32 {
	for {
		if id := rand.Uint32() >> 1; id != 0 {
			return id
		}
	}
}

// objType is the type the object values are decoded as.
func (lm *luaMessage) objType() string {
	if b, ok := lm.msg.Message.Get("type"); ok {
		return string(b)
	}
	return lm.typ
}

func (lm *luaMessage) objKind(name string) omapi.Kind {
	k, _ := kindOf(lm.objType(), name)
	return k
}

func msgKind(name string) omapi.Kind {
	k, _ := omapi.MessageKind(name)
	return k
}

// messageValue checks that v (argument n) is a message.
func messageValue(c call, n int, v lua.LValue) *luaMessage {
	if ud, ok := v.(*lua.LUserData); ok {
		if lm, ok := ud.Value.(*luaMessage); ok {
			return lm
		}
	}
	c.argError(n, MessageClass+" expected, got "+typeName(v))
	return nil
}

func messageArg(c call, n int) *luaMessage { return messageValue(c, n, c.L.Get(n)) }

func messageSelf(L *lua.LState, name string) (*luaMessage, call) {
	if ud, ok := L.Get(1).(*lua.LUserData); ok {
		if lm, ok := ud.Value.(*luaMessage); ok {
			return lm, call{L: L, name: name, method: true}
		}
	}
	L.RaiseError("calling '%s' on bad self (%s expected, got %s; write m:%s(...))", name, MessageClass, typeName(L.Get(1)), name)
	return nil, call{}
}

// ---- constructors: omapi.message.* ----

func (m *module) messageOpen(L *lua.LState) int {
	c := call{L: L, name: "message.open"}
	typ := c.checkName(1, "object type")
	msg := &omapi.Message{Op: omapi.OpOpen, ID: randomID()}
	msg.Message.SetString("type", typ)
	L.Push(m.newMessage(L, msg, typ))
	return 1
}

func (m *module) messageByHandle(op omapi.Opcode, name string) lua.LGFunction {
	return func(L *lua.LState) int {
		c := call{L: L, name: name}
		h := c.checkU32(1, "handle")
		L.Push(m.newMessage(L, &omapi.Message{Op: op, Handle: h, ID: randomID()}, ""))
		return 1
	}
}

var messageFields = []string{"op", "handle", "tid", "rid", "authid", "message", "object", "signature", "type"}

func (m *module) messageNew(L *lua.LState) int {
	c := call{L: L, name: "message.new"}
	t := c.checkTable(1, "table of fields")
	t.ForEach(func(k, _ lua.LValue) {
		ks, ok := k.(lua.LString)
		if !ok || !contains(messageFields, string(ks)) {
			c.argError(1, fmt.Sprintf("unknown field %s (fields: %s)", luaRepr(k), strings.Join(messageFields, ", ")))
		}
	})
	lm := &luaMessage{msg: &omapi.Message{}}
	if t.RawGetString("op") == lua.LNil {
		c.argError(1, "op: opcode expected (omapi.OPEN, ..., or a name like \"open\")")
	}
	if v := t.RawGetString("type"); v != lua.LNil {
		s, ok := v.(lua.LString)
		if !ok {
			c.argError(1, "type: string expected, got "+typeName(v))
		}
		lm.typ = string(s)
	}
	// message first: it decides how object values convert.
	for _, f := range []string{"op", "handle", "tid", "rid", "authid", "signature", "message", "object"} {
		if v := t.RawGetString(f); v != lua.LNil {
			if err := lm.set(c, 1, f, v); err != "" {
				c.argError(1, err)
			}
		}
	}
	if lm.msg.ID == 0 && t.RawGetString("tid") == lua.LNil {
		lm.msg.ID = randomID()
	}
	ud := L.NewUserData()
	ud.Value = lm
	ud.Metatable = L.GetTypeMetatable(MessageClass)
	L.Push(ud)
	return 1
}

func (m *module) messageParse(L *lua.LState) int {
	c := call{L: L, name: "message.parse"}
	b := c.checkString(1, "byte string")
	msg, err := omapi.ParseMessage([]byte(b))
	if err != nil {
		var pe omapi.ProtocolError
		if !errors.As(err, &pe) {
			err = omapi.ProtocolError(fmt.Sprintf("message truncated after %d bytes: %v", len(b), err))
		}
		return fail(L, err)
	}
	L.Push(m.newMessage(L, msg, ""))
	return 1
}

// ---- fields ----

func (m *module) messageIndex(L *lua.LState) int {
	lm, _ := messageSelf(L, "__index")
	key, ok := L.Get(2).(lua.LString)
	if !ok {
		L.Push(lua.LNil)
		return 1
	}
	msg := lm.msg
	switch key {
	case "op":
		L.Push(lua.LNumber(msg.Op))
	case "handle":
		L.Push(lua.LNumber(msg.Handle))
	case "tid":
		L.Push(lua.LNumber(msg.ID))
	case "rid":
		L.Push(lua.LNumber(msg.RID))
	case "authid":
		L.Push(lua.LNumber(msg.AuthID))
	case "message":
		L.Push(valuesTable(L, msg.Message, msgKind, false))
	case "object":
		L.Push(valuesTable(L, msg.Object, lm.objKind, false))
	case "signature":
		if len(msg.Signature) == 0 {
			L.Push(lua.LNil)
		} else {
			L.Push(lua.LString(msg.Signature))
		}
	case "type":
		L.Push(optLString(lm.objType()))
	default:
		L.Push(m.messageMethods.RawGet(key))
	}
	return 1
}

func (m *module) messageNewIndex(L *lua.LState) int {
	lm, _ := messageSelf(L, "__newindex")
	key, ok := L.Get(2).(lua.LString)
	c := call{L: L, name: "m." + string(key), field: true}
	if !ok || !contains(messageFields, string(key)) || key == "type" {
		L.RaiseError("cannot set field %s of %s (settable: op, handle, tid, rid, authid, message, object, signature)", luaRepr(L.Get(2)), MessageClass)
	}
	if err := lm.set(c, 3, string(key), L.Get(3)); err != "" {
		L.RaiseError("cannot set m.%s: %s", key, strings.TrimPrefix(err, string(key)+": "))
	}
	return 0
}

// set sets field f to v; it returns an error text for a bad value.
func (lm *luaMessage) set(c call, n int, f string, v lua.LValue) string {
	msg := lm.msg
	switch f {
	case "op":
		switch v := v.(type) {
		case lua.LString:
			op, ok := omapi.ParseOpcode(strings.ToLower(string(v)))
			if !ok {
				return fmt.Sprintf("op: unknown opcode %q (open, refresh, update, notify, status, delete)", string(v))
			}
			msg.Op = op
		default:
			u, err := toU32(v)
			if err != nil {
				return "op: " + err.Error()
			}
			msg.Op = omapi.Opcode(u)
		}
	case "handle", "tid", "rid", "authid":
		u, err := toU32(v)
		if err != nil {
			return f + ": " + err.Error()
		}
		switch f {
		case "handle":
			msg.Handle = u
		case "tid":
			msg.ID = u
		case "rid":
			msg.RID = u
		case "authid":
			msg.AuthID = u
		}
	case "signature":
		switch v := v.(type) {
		case *lua.LNilType:
			msg.Signature = nil
		case lua.LString:
			msg.Signature = []byte(v)
		default:
			return "signature: byte string or nil expected, got " + typeName(v)
		}
	case "message", "object":
		var vs omapi.Values
		switch t := v.(type) {
		case *lua.LNilType:
		case *lua.LTable:
			cc := c
			if !c.field {
				cc.prefix = f + ": "
			}
			if f == "message" {
				vs = cc.toValues(n, t, "", modeMessage)
			} else {
				vs = cc.toValues(n, t, lm.objType(), modeRaw)
			}
		default:
			return f + ": value list (table) or nil expected, got " + typeName(v)
		}
		if f == "message" {
			msg.Message = vs
		} else {
			msg.Object = vs
		}
	}
	return ""
}

// ---- methods ----

// updateList is m:update_object / m:update_message: set the values of a
// map or pairs array (replacing values of the same name) and return m.
func (m *module) updateList(name string, message bool) lua.LGFunction {
	return func(L *lua.LState) int {
		lm, c := messageSelf(L, name)
		t := c.checkTable(2, "value list")
		var vs omapi.Values
		if message {
			vs = c.toValues(2, t, "", modeMessage)
		} else {
			vs = c.toValues(2, t, lm.objType(), modeRaw)
		}
		dst := &lm.msg.Object
		if message {
			dst = &lm.msg.Message
		}
		for _, v := range vs {
			dst.Set(v.Name, v.Data)
		}
		L.Push(L.Get(1))
		return 1
	}
}

func (m *module) messageBytes(L *lua.LState) int {
	lm, c := messageSelf(L, "bytes")
	msg := *lm.msg
	if L.Get(2) != lua.LNil {
		b64 := c.checkString(2, "base64 secret")
		alg := c.optString(3, "algorithm")
		secret, err := profile.DecodeSecret(b64)
		if err != nil {
			c.argError(2, "secret: "+errMessage(err))
		}
		auth, err := omapi.HMAC("key", alg, secret)
		clear(secret)
		if err != nil {
			c.argError(3, errMessage(err))
		}
		if err := msg.Sign(auth); err != nil {
			c.errorf("%s", errMessage(err))
		}
	} else if L.Get(3) != lua.LNil {
		c.argError(3, "algorithm given without a secret")
	}
	b, err := msg.MarshalBinary()
	if err != nil {
		c.errorf("%s", errMessage(err))
	}
	L.Push(lua.LString(b))
	return 1
}

// messageItems is m:items(which [, raw]): the values of the message or
// object list as an array of {name, value} pairs in wire order.
func (m *module) messageItems(L *lua.LState) int {
	lm, c := messageSelf(L, "items")
	which := c.checkString(2, `"message" or "object"`)
	raw := false
	if v, ok := L.Get(3).(lua.LBool); ok {
		raw = bool(v)
	} else if L.Get(3) != lua.LNil {
		c.typeError(3, "boolean")
	}
	var vs omapi.Values
	kind := msgKind
	switch which {
	case "message":
		vs = lm.msg.Message
	case "object":
		vs, kind = lm.msg.Object, lm.objKind
	default:
		c.argError(2, fmt.Sprintf(`"message" or "object" expected, got %q`, which))
	}
	out := L.CreateTable(len(vs), 0)
	for _, v := range vs {
		p := L.CreateTable(2, 0)
		p.Append(lua.LString(v.Name))
		if raw {
			p.Append(lua.LString(v.Data))
		} else {
			p.Append(decode(L, kind(v.Name), v.Data))
		}
		out.Append(p)
	}
	L.Push(out)
	return 1
}

func (lm *luaMessage) String() string {
	msg := lm.msg
	var b strings.Builder
	b.WriteString(msg.Op.String())
	for _, f := range []struct {
		name string
		v    uint32
	}{{"handle", msg.Handle}, {"tid", msg.ID}, {"rid", msg.RID}, {"authid", msg.AuthID}} {
		b.WriteString(" " + f.name + "=" + strconv.FormatUint(uint64(f.v), 10))
	}
	b.WriteString(" message=" + formatValues(msg.Message, msgKind))
	b.WriteString(" object=" + formatValues(msg.Object, lm.objKind))
	if len(msg.Signature) > 0 {
		b.WriteString(fmt.Sprintf(" signature=%d bytes", len(msg.Signature)))
	}
	if msg.Op == omapi.OpStatus {
		if n, err := msg.Message.Uint32("result"); err == nil {
			b.WriteString(" (" + omapi.Result(n).String() + ")")
		}
	}
	return b.String()
}

func messageToString(L *lua.LState) int {
	lm, _ := messageSelf(L, "__tostring")
	L.Push(lua.LString(lm.String()))
	return 1
}

// table is the message as data, for omapi.json.
func (lm *luaMessage) table(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("op", lua.LString(lm.msg.Op.String()))
	t.RawSetString("handle", lua.LNumber(lm.msg.Handle))
	t.RawSetString("tid", lua.LNumber(lm.msg.ID))
	t.RawSetString("rid", lua.LNumber(lm.msg.RID))
	t.RawSetString("authid", lua.LNumber(lm.msg.AuthID))
	t.RawSetString("message", valuesTable(L, lm.msg.Message, msgKind, false))
	t.RawSetString("object", valuesTable(L, lm.msg.Object, lm.objKind, false))
	return t
}
