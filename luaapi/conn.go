package luaapi

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/policy"
	"github.com/omapish/omapish/internal/profile"
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

// ---- connect ----

// target is where and how omapi.connect connects.
type target struct {
	profile string
	address string
	keyName string
	alg     string
	secret  []byte
	timeout time.Duration
}

func (m *module) connect(L *lua.LState) int {
	c := call{L: L, name: "connect"}
	t := m.resolve(c)
	timeout := t.timeout
	if timeout <= 0 {
		timeout = m.opts.Timeout
	}
	if timeout <= 0 {
		timeout = omapi.DefaultTimeout
	}
	var auth omapi.Authenticator
	if t.keyName != "" {
		a, err := omapi.HMAC(t.keyName, t.alg, t.secret)
		if err != nil {
			c.errorf("%s", errMessage(err))
		}
		auth = a
	}
	clear(t.secret)
	// The fast paths: lookups one at a time 17% faster for the CPU of a
	// short spin, and bulk lookups spread over several connections.
	d := &omapi.Dialer{Auth: auth, Timeout: timeout, NetDial: m.opts.Dial, Trace: m.opts.Trace,
		Spin: true, Streams: readStreams}
	conn, err := d.DialContext(stateContext(L), t.address)
	if err != nil {
		return fail(L, err)
	}
	if err := verifyKey(L, conn); err != nil {
		conn.Close()
		return fail(L, err)
	}
	lc := &luaConn{mod: m, c: conn, address: omapi.WithPort(t.address), keyName: t.keyName,
		profile: t.profile, timeout: timeout, types: map[uint32]string{}, hazardous: map[uint32]string{}}
	if auth != nil {
		lc.alg, _ = omapi.NormalizeAlgorithm(t.alg)
	}
	m.conns[lc] = struct{}{}
	ud := L.NewUserData()
	ud.Value = lc
	ud.Metatable = L.GetTypeMetatable(ConnClass)
	L.Push(ud)
	return 1
}

// verifyKey checks the secret right away. Opening the authenticator is
// unsigned, so a wrong secret would only show at the first request; a
// signed REFRESH of the key's own handle (dhcpd answers it with the key's
// name and algorithm) makes connect itself fail with "auth". Failures
// other than authentication and transport are not the key's fault and
// are ignored.
func verifyKey(L *lua.LState, conn *omapi.Conn) error {
	if conn.Auth() == nil {
		return nil
	}
	_, err := conn.Exchange(stateContext(L), &omapi.Message{Op: omapi.OpRefresh, Handle: conn.AuthID()})
	if err == nil || (!errors.Is(err, omapi.ErrAuth) && conn.Err() == nil) {
		return nil
	}
	return err
}

// resolve reads connect's argument: nothing (the default profile), a
// profile name, an address, or a table.
func (m *module) resolve(c call) target {
	switch v := c.L.Get(1).(type) {
	case *lua.LNilType:
		return m.fromProfile(c, 1, "")
	case lua.LString:
		s := strings.TrimSpace(string(v))
		if s == "" {
			c.argError(1, "profile name or address expected, got an empty string")
		}
		if m.isAddress(s) {
			t := m.addressTarget()
			t.address = parseAddress(c, 1, s)
			return t
		}
		return m.fromProfile(c, 1, s)
	case *lua.LTable:
		return m.fromTable(c, v)
	}
	c.typeError(1, `profile name, "host:port" or table`)
	return target{}
}

// isAddress tells an address from a profile name: anything with a colon,
// an IP address, a dotted host name or localhost is an address unless a
// profile has that name.
func (m *module) isAddress(s string) bool {
	if strings.Contains(s, ":") {
		return true
	}
	if m.opts.Profiles != nil {
		if _, ok := m.opts.Profiles.Servers[s]; ok {
			return false
		}
	}
	if _, err := netip.ParseAddr(s); err == nil {
		return true
	}
	return strings.Contains(s, ".") || s == "localhost"
}

// addressTarget is the key and timeout an address without a profile gets:
// those of the command line's --key-name, --secret-file and
// $OMAPISH_SECRET, if any.
func (m *module) addressTarget() target {
	k := m.opts.AddressKey
	if k == nil {
		return target{}
	}
	return target{keyName: k.KeyName, alg: k.Algorithm, secret: slices.Clone([]byte(k.Secret)), timeout: k.Timeout}
}

// servers is omapi.servers(): the names of the servers the command line
// or the configuration names, in order.
func (m *module) servers(L *lua.LState) int {
	if L.GetTop() > 0 {
		call{L: L, name: "servers"}.argError(1, "no arguments expected")
	}
	names := m.opts.Servers
	if names == nil && m.opts.Profiles != nil {
		names = m.opts.Profiles.Order
	}
	t := L.CreateTable(len(names), 0)
	for _, n := range names {
		t.Append(lua.LString(n))
	}
	L.Push(t)
	return 1
}

func parseAddress(c call, n int, s string) string {
	addr, err := profile.ParseAddress(s)
	if err != nil {
		c.argError(n, errMessage(err))
	}
	return addr
}

func (m *module) fromProfile(c call, n int, name string) target {
	if m.opts.Profiles == nil {
		if name == "" {
			c.errorf(`no server given and no configuration loaded: pass a profile name, "host:port" or {address=..., key_name=..., secret=...}`)
		}
		c.argError(n, fmt.Sprintf(`no profile %q: no configuration loaded`, name)+hostHint(name))
	}
	s, err := m.opts.Profiles.Lookup(name)
	if err != nil {
		msg := errMessage(err)
		if name != "" {
			msg += hostHint(name)
			c.argError(n, msg)
		}
		c.errorf("%s", msg)
	}
	return target{profile: s.Name, address: s.Address, keyName: s.KeyName, alg: s.Algorithm,
		secret: []byte(s.Secret), timeout: s.Timeout}
}

// hostHint tells how to write name as an address: "host:7911" for a
// bare host, {address = ...} for what has a port already.
func hostHint(name string) string {
	if strings.Contains(name, ":") {
		return fmt.Sprintf(`; for an address, write omapi.connect(%q) or {address = %q}`, name, name)
	}
	return fmt.Sprintf(`; for a host, write "%s:%d"`, name, omapi.DefaultPort)
}

var connectKeys = []string{"profile", "address", "key_name", "secret", "secret_file", "secret_env", "algorithm", "timeout"}

func (m *module) fromTable(c call, tbl *lua.LTable) target {
	get := func(key string) lua.LValue { return tbl.RawGetString(key) }
	str := func(key string) (string, bool) {
		v := get(key)
		if v == lua.LNil {
			return "", false
		}
		s, ok := v.(lua.LString)
		if !ok {
			c.argError(1, fmt.Sprintf("%s: string expected, got %s", key, typeName(v)))
		}
		return string(s), true
	}
	tbl.ForEach(func(k, _ lua.LValue) {
		ks, ok := k.(lua.LString)
		if !ok || !contains(connectKeys, string(ks)) {
			c.argError(1, fmt.Sprintf("unknown field %s (fields: %s)", luaRepr(k), strings.Join(connectKeys, ", ")))
		}
	})
	var t target
	prof, hasProf := str("profile")
	addr, hasAddr := str("address")
	if hasProf || !hasAddr {
		t = m.fromProfile(c, 1, prof)
	} else {
		t = m.addressTarget()
	}
	if hasAddr {
		t.address = parseAddress(c, 1, addr)
	}
	if k, ok := str("key_name"); ok {
		t.keyName = k
		if k == "" {
			t.secret = nil
		}
	}
	var source string // the secret's field, one at most
	for _, k := range []string{"secret", "secret_file", "secret_env"} {
		v, ok := str(k)
		if !ok {
			continue
		}
		if source != "" {
			c.argError(1, fmt.Sprintf("%s and %s: give only one of secret, secret_file and secret_env", source, k))
		}
		source = k
		sec, err := profile.LoadSecret(k, v, ".")
		if err != nil {
			c.argError(1, k+": "+errMessage(err))
		}
		t.secret = sec
	}
	if a, ok := str("algorithm"); ok {
		if _, err := omapi.NormalizeAlgorithm(a); err != nil {
			c.argError(1, "algorithm: "+errMessage(err))
		}
		t.alg = a
	}
	if v := get("timeout"); v != lua.LNil {
		d, err := parseTimeout(v)
		if err != nil {
			c.argError(1, "timeout: "+err.Error())
		}
		t.timeout = d
	}
	switch {
	case t.keyName != "" && len(t.secret) == 0:
		c.argError(1, fmt.Sprintf("key_name %q needs a secret (base64)", t.keyName))
	case t.keyName == "" && len(t.secret) > 0:
		c.argError(1, "secret given without key_name")
	}
	return t
}

// parseTimeout reads seconds (a number) or a Go duration ("5s", "500ms").
func parseTimeout(v lua.LValue) (time.Duration, error) {
	var d time.Duration
	switch v := v.(type) {
	case lua.LNumber:
		d = time.Duration(float64(v) * float64(time.Second))
	case lua.LString:
		if f, err := strconv.ParseFloat(string(v), 64); err == nil {
			d = time.Duration(f * float64(time.Second))
			break
		}
		var err error
		if d, err = time.ParseDuration(string(v)); err != nil {
			return 0, fmt.Errorf(`seconds or a duration like "5s" expected, got %q`, string(v))
		}
	default:
		return 0, fmt.Errorf(`seconds or a duration like "5s" expected, got %s`, typeName(v))
	}
	if d <= 0 {
		return 0, errors.New("must be positive")
	}
	return d, nil
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

// ---- objects ----

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
// the connection on it).
func checkRequest(c call, n int, req *omapi.Message) {
	if req.RID != 0 {
		c.argError(n, fmt.Sprintf("a request must have rid 0 (dhcpd drops the connection otherwise), got %d", req.RID))
	}
	if req.Op < omapi.OpOpen || req.Op > omapi.OpDelete || req.Op == omapi.OpStatus {
		c.argError(n, fmt.Sprintf("dhcpd drops the connection on a %v request", req.Op))
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

// ---- pipelined bulk operations ----

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
