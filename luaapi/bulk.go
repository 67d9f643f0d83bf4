package luaapi

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/policy"
	"github.com/omapish/omapish/omapi"
)

// Pipelined bulk operations: lookup_many, lookup_each, open_many,
// create_many, delete_many, query_many.

// batch sends msgs pipelined and calls each with every reply and
// per-request error, in order, on the Lua goroutine, while later replies
// are still on their way. Lookups only (omapi.ReadOnly) go through
// omapi.MapBatch, spread over several connections; a batch with any
// write keeps to one connection (omapi.Conn.Batch), so dhcpd sees the
// requests in order. The messages are built beforehand: both ask for them
// from other goroutines, which must not touch L.
func (lc *luaConn) batch(L *lua.LState, msgs []*omapi.Message, each func(i int, reply *omapi.Message, err error)) error {
	return batchMap(L, lc, msgs,
		func(int, *omapi.Message, error) struct{} { return struct{}{} },
		func(i int, reply *omapi.Message, err error, _ struct{}) { each(i, reply, err) })
}

// batchMap is lc.batch with a conversion: build makes a value of each
// reply off the Lua goroutine when the batch is read-only (on the
// goroutine of the connection that carried it, concurrently with the Lua
// goroutine), and each gets it with the reply, in order, on the Lua
// goroutine. build must not use L, nor make Lua tables (an LState is not
// safe for concurrent use): Lua strings, numbers and booleans are plain
// Go values (see replyFields).
func batchMap[T any](L *lua.LState, lc *luaConn, msgs []*omapi.Message, build func(i int, reply *omapi.Message, err error) T, each func(i int, reply *omapi.Message, err error, v T)) error {
	type result struct {
		reply *omapi.Message
		err   error
		v     T
	}
	req := func(i int) *omapi.Message { return msgs[i] }
	conv := func(i int, reply *omapi.Message, err error) result { return result{reply, err, build(i, reply, err)} }
	fn := func(i int, r result) error {
		each(i, r.reply, r.err, r.v)
		return nil
	}
	for _, m := range msgs {
		if !omapi.ReadOnly(m) {
			return lc.c.Batch(stateContext(L), len(msgs), req, func(i int, reply *omapi.Message, err error) error {
				return fn(i, conv(i, reply, err))
			})
		}
	}
	return omapi.MapBatch(stateContext(L), lc.c, len(msgs), req, conv, fn)
}

// listArg checks that argument n is an array (no holes, no other keys)
// and returns its entries.
func listArg(c call, n int, want string) []lua.LValue {
	t := c.checkTable(n, "array of "+want)
	size, count := t.Len(), 0
	t.ForEach(func(k, _ lua.LValue) { count++ })
	if count != size {
		c.argError(n, "array of "+want+" expected (keys 1..n without holes)")
	}
	out := make([]lua.LValue, size)
	for i := range out {
		out[i] = t.RawGetInt(i + 1)
	}
	return out
}

// confirmAll asks once for all the warnings of a bulk request.
func (m *module) confirmAll(c call, warnings []string, force bool) error {
	if len(warnings) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var uniq []string
	for _, w := range warnings {
		if !seen[w] {
			seen[w] = true
			uniq = append(uniq, w)
		}
	}
	w := strings.Join(uniq, "; ")
	if len(warnings) > 1 {
		w = fmt.Sprintf("%d requests: %s", len(warnings), w)
	}
	if !m.allow(c, w, force) {
		return errDeclined(w)
	}
	return nil
}

func (m *module) lookupMany(L *lua.LState) int {
	lc, c := connSelf(L, "lookup_many")
	typ := c.checkName(2, "object type")
	o := bulkOptions(c, 4)
	msgs, err := lookups(c, 3, typ, o.raw)
	if err != nil {
		return fail(L, err)
	}
	out := L.CreateTable(len(msgs), 0)
	// The replies are decoded off the Lua goroutine, as they arrive; the
	// tables are made on it.
	err = batchMap(L, lc, msgs, func(_ int, reply *omapi.Message, err error) replyFields {
		return lookupResult(typ, reply, err, o)
	}, func(_ int, reply *omapi.Message, err error, r replyFields) {
		if objectReply(reply, err) == nil {
			lc.learn(reply.Handle, typ, reply.Object)
		}
		out.Append(r.table(L))
	})
	if err != nil {
		return fail(L, err)
	}
	L.Push(out)
	return 1
}

// lookups builds an OPEN of an object of type typ for each key table of
// the array at argument n, and checks each against the policy (raw: the
// caller vouches for the key names): the first refusal is the error.
func lookups(c call, n int, typ string, raw bool) ([]*omapi.Message, error) {
	list := listArg(c, n, "key tables")
	msgs := make([]*omapi.Message, len(list))
	for i, e := range list {
		t, ok := e.(*lua.LTable)
		ec := c
		ec.entry = i + 1
		if !ok {
			ec.argError(n, "table of keys expected, got "+typeName(e))
		}
		keys := ec.toValues(n, t, typ, modeAttrs)
		if len(keys) == 0 {
			ec.argError(n, "at least one key expected")
		}
		if err := policy.Check(typ, omapi.OpOpen, keys, policy.Options{Raw: raw, RawNames: rawNames(t)}); err != nil {
			return nil, errorf("entry %d: %w (nothing was sent)", i+1, err)
		}
		msgs[i] = omapi.NewOpen(typ, keys)
	}
	return msgs, nil
}

// replyFields is a reply of a bulk lookup decoded off the Lua goroutine,
// ready to become the table Lua sees (table): the object's attributes as
// Lua strings, numbers and booleans — plain Go values, made without an
// LState — or the error, for {error=, code=}.
type replyFields struct {
	fields []field
	pooled *[]field // where fields came from, to go back to fieldPool
	lists  []int    // the fields holding a list of addresses, still in bytes
	err    error
}

// field is one attribute of replyFields.
type field struct {
	name string
	v    lua.LValue
}

// lookupResult decodes a reply of a bulk lookup. It runs on the
// goroutines of the connections, outside guard: a panic becomes the
// entry's error rather than a crash of the process. It must not touch an
// LState: the Lua goroutine may be running the script meanwhile.
func lookupResult(typ string, reply *omapi.Message, err error, o bulkOpts) (r replyFields) {
	defer func() {
		if p := recover(); p != nil {
			r = replyFields{err: fmt.Errorf("internal error decoding the reply: %v", p)}
		}
	}()
	if err := objectReply(reply, err); err != nil {
		return replyFields{err: err}
	}
	vs := reply.Object
	size := len(vs)
	if o.fields != nil {
		size = min(size, len(o.fields))
	}
	r.pooled = getFields(size)
	r.fields = *r.pooled
	for _, v := range vs {
		if o.fields != nil && !o.fields[v.Name] {
			continue
		}
		if o.raw {
			r.fields = append(r.fields, field{v.Name, lua.LString(v.Data)})
			continue
		}
		k, _ := kindOf(typ, v.Name)
		lv, ok := decodePlain(k, v.Data)
		if !ok {
			r.lists = append(r.lists, len(r.fields))
			lv = lua.LString(v.Data)
		}
		r.fields = append(r.fields, field{v.Name, lv})
	}
	return r
}

// fieldPool recycles the field lists of replyFields once their tables are
// made: a bulk lookup would otherwise allocate one per reply.
var fieldPool sync.Pool

func getFields(size int) *[]field {
	if p, ok := fieldPool.Get().(*[]field); ok && cap(*p) >= size {
		*p = (*p)[:0]
		return p
	}
	p := make([]field, 0, max(size, 16))
	return &p
}

// table makes r the table Lua sees, on the Lua goroutine: as
// someAttrsTable would have made it from the reply (the later of two
// duplicate names wins), or {error=, code=}. r's fields go back to the
// pool: r is used once.
func (r replyFields) table(L *lua.LState) *lua.LTable {
	if r.err != nil {
		return errTable(L, r.err)
	}
	t := L.CreateTable(0, len(r.fields))
	lists := r.lists
	for i, f := range r.fields {
		v := f.v
		if len(lists) > 0 && lists[0] == i {
			lists = lists[1:]
			v = decode(L, omapi.KindIPs, []byte(f.v.(lua.LString)))
		}
		t.RawSetString(f.name, v)
	}
	if r.pooled != nil {
		clear(r.fields)
		*r.pooled = r.fields[:0]
		fieldPool.Put(r.pooled)
	}
	return t
}

// bulkOpts are the options of lookup_many and lookup_each: raw=true gives
// undecoded bytes; fields={name, ...} keeps only those attributes.
type bulkOpts struct {
	raw    bool
	fields map[string]bool // nil: every attribute
}

// bulkOptions reads the options table at argument n.
func bulkOptions(c call, n int) bulkOpts {
	var o bulkOpts
	t := c.optTable(n, "options table")
	if t == nil {
		return o
	}
	t.ForEach(func(k, v lua.LValue) {
		switch k {
		case lua.LString("raw"):
			b, ok := v.(lua.LBool)
			if !ok {
				c.argError(n, "option raw: boolean expected, got "+typeName(v))
			}
			o.raw = bool(b)
		case lua.LString("fields"):
			list, ok := v.(*lua.LTable)
			if !ok {
				c.argError(n, "option fields: array of attribute names expected, got "+typeName(v))
			}
			o.fields = map[string]bool{}
			for i := 1; i <= list.Len(); i++ {
				name, ok := list.RawGetInt(i).(lua.LString)
				if !ok {
					c.argError(n, fmt.Sprintf("option fields: entry %d: attribute name expected, got %s", i, typeName(list.RawGetInt(i))))
				}
				o.fields[keyName(string(name))] = true
			}
		default:
			c.argError(n, fmt.Sprintf("unknown option %s (options: raw, fields)", luaRepr(k)))
		}
	})
	return o
}

// errEachStopped ends the batch of a lookup_each whose callback stopped it.
var errEachStopped = errors.New("stopped by the callback")

// lookupEach is lookup_many that hands each result to a Lua function as it
// arrives, while later lookups are in flight: the script's own work on a
// result overlaps with the network and dhcpd, and results need not all be
// held at once. The callback returning false stops the lookups.
func (m *module) lookupEach(L *lua.LState) int {
	lc, c := connSelf(L, "lookup_each")
	typ := c.checkName(2, "object type")
	fn, ok := L.Get(4).(*lua.LFunction)
	if !ok {
		c.typeError(4, "function")
	}
	o := bulkOptions(c, 5)
	msgs, err := lookups(c, 3, typ, o.raw)
	if err != nil {
		return fail(L, err)
	}

	type result struct {
		reply *omapi.Message
		err   error
		r     replyFields
	}
	results := make(chan result, 4*readStreams*omapi.DefaultWindow)
	quit := make(chan struct{})
	done := make(chan error, 1)
	ctx := stateContext(L)
	go func() {
		defer close(results)
		done <- omapi.MapBatch(ctx, lc.c, len(msgs),
			func(i int) *omapi.Message { return msgs[i] },
			func(_ int, reply *omapi.Message, err error) result {
				return result{reply, err, lookupResult(typ, reply, err, o)}
			},
			func(_ int, r result) error {
				select {
				case results <- r:
					return nil
				case <-quit:
					return errEachStopped
				}
			})
	}()
	// However this call ends (the callback may raise an error), the
	// batch is stopped and waited for before the connection is usable.
	lc.busy = "lookup_each"
	stopped := false
	stop := func() error {
		if !stopped {
			stopped = true
			close(quit)
			for range results {
			}
			lc.busy = ""
			err = <-done
		}
		return err
	}
	defer stop()
	count := 0
	for r := range results {
		if objectReply(r.reply, r.err) == nil {
			lc.learn(r.reply.Handle, typ, r.reply.Object)
		}
		count++
		L.Push(fn)
		L.Push(lua.LNumber(count))
		L.Push(r.r.table(L))
		L.Call(2, 1)
		ret := L.Get(-1)
		L.Pop(1)
		if ret == lua.LFalse {
			break
		}
	}
	if err := stop(); err != nil && !errors.Is(err, errEachStopped) {
		return fail(L, errorf("after %d of %d results: %w", count, len(msgs), err))
	}
	L.Push(lua.LNumber(count))
	return 1
}

// objectReply checks that a batch reply carries an object.
func objectReply(reply *omapi.Message, err error) error {
	if err != nil {
		return err
	}
	if reply.Op != omapi.OpUpdate {
		return omapi.ProtocolError(fmt.Sprintf("expected an update reply carrying the object, got %v", reply.Op))
	}
	return nil
}

func (m *module) openMany(create bool, name string) lua.LGFunction {
	return func(L *lua.LState) int {
		lc, c := connSelf(L, name)
		typ := c.checkName(2, "object type")
		list := listArg(c, 3, "key tables")
		var o map[string]bool
		if create {
			o = c.options(4, "force", "raw")
			o["create"], o["exclusive"] = true, true
		} else {
			o = c.options(4, openOptions...)
		}
		msgs := make([]*omapi.Message, len(list))
		raws := make([]map[string]bool, len(list))
		for i, e := range list {
			t, ok := e.(*lua.LTable)
			ec := c
			ec.entry = i + 1
			if !ok {
				ec.argError(3, "table expected, got "+typeName(e))
			}
			vs := ec.toValues(3, t, typ, modeAttrs)
			if create && len(vs) == 0 {
				ec.argError(3, "at least one value expected")
			}
			raws[i] = rawNames(t)
			msgs[i] = omapi.NewOpen(typ, vs, openFlags(o)...)
		}
		err := m.vetMany(c, len(msgs), func(i int) (string, omapi.Opcode, omapi.Values, policy.Options) {
			return typ, omapi.OpOpen, msgs[i].Object, openPolicy(o, raws[i])
		}, o["force"])
		if err != nil {
			return fail(L, err)
		}
		out := L.CreateTable(len(msgs), 0)
		err = lc.batch(L, msgs, func(_ int, reply *omapi.Message, err error) {
			if err := objectReply(reply, err); err != nil {
				out.Append(errTable(L, err))
				return
			}
			lc.learn(reply.Handle, typ, reply.Object)
			out.Append(m.newObject(L, lc, &omapi.Object{Type: typ, Handle: reply.Handle, Values: reply.Object}))
		})
		if err != nil {
			return fail(L, err)
		}
		L.Push(out)
		return 1
	}
}

func (m *module) deleteMany(L *lua.LState) int {
	lc, c := connSelf(L, "delete_many")
	list := listArg(c, 2, "objects or handles")
	o := c.options(3, "force")
	msgs := make([]*omapi.Message, len(list))
	types := make([]string, len(list))
	for i, e := range list {
		var h uint32
		var typ string
		switch v := e.(type) {
		case lua.LNumber:
			u, err := toU32(v)
			if err != nil {
				c.argError(2, fmt.Sprintf("entry %d: handle %v", i+1, err))
			}
			h, typ = u, lc.typeOf(u)
		case *lua.LUserData:
			lo, ok := v.Value.(*luaObject)
			if !ok {
				c.argError(2, fmt.Sprintf("entry %d: %s or handle expected, got %s", i+1, ObjectClass, typeName(e)))
			}
			h, typ = lo.obj.Handle, lo.obj.Type
		default:
			c.argError(2, fmt.Sprintf("entry %d: %s or handle expected, got %s", i+1, ObjectClass, typeName(e)))
		}
		types[i] = typ
		msgs[i] = &omapi.Message{Op: omapi.OpDelete, Handle: h}
	}
	err := m.vetMany(c, len(msgs), func(i int) (string, omapi.Opcode, omapi.Values, policy.Options) {
		return types[i], omapi.OpDelete, nil, policy.Options{}
	}, o["force"])
	if err != nil {
		return fail(L, err)
	}
	out := L.CreateTable(len(msgs), 0)
	err = lc.batch(L, msgs, func(_ int, reply *omapi.Message, err error) {
		if err == nil && reply.Op != omapi.OpStatus {
			err = omapi.ProtocolError(fmt.Sprintf("expected a status reply, got %v", reply.Op))
		}
		if err != nil {
			out.Append(errTable(L, err))
			return
		}
		out.Append(lua.LTrue)
	})
	if err != nil {
		return fail(L, err)
	}
	L.Push(out)
	return 1
}

func (m *module) queryMany(L *lua.LState) int {
	lc, c := connSelf(L, "query_many")
	list := listArg(c, 2, "messages")
	o := c.options(3, "force")
	msgs := make([]*omapi.Message, len(list))
	orig := make([]*luaMessage, len(list))
	types := make([]string, len(list))
	var warnings []string
	for i, e := range list {
		ec := c
		ec.entry = i + 1
		lm := messageValue(ec, 2, e)
		checkRequest(ec, 2, lm.msg)
		types[i] = lc.requestType(lm.msg)
		if !o["force"] {
			if err := policy.CheckMessage(types[i], lm.msg, policy.Options{}); err != nil {
				return fail(L, errorf("entry %d: %w (nothing was sent); pass {force=true} to send these raw messages anyway", i+1, err))
			}
			if w := policy.HazardMessage(types[i], lm.msg, policy.Options{}); w != "" {
				warnings = append(warnings, w)
			}
		}
		cp := *lm.msg // the same message may be listed twice
		msgs[i], orig[i] = &cp, lm
	}
	if err := m.confirmAll(c, warnings, o["force"]); err != nil {
		return fail(L, err)
	}
	out := L.CreateTable(len(msgs), 0)
	err := lc.batch(L, msgs, func(i int, reply *omapi.Message, _ error) {
		if reply.Op == omapi.OpUpdate {
			lc.learn(reply.Handle, types[i], reply.Object)
		}
		out.Append(m.newMessage(L, reply, types[i]))
	})
	for i, lm := range orig {
		if msgs[i].ID != 0 {
			lm.msg.ID = msgs[i].ID
		}
	}
	if err != nil {
		return fail(L, err)
	}
	L.Push(out)
	return 1
}
