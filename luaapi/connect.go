package luaapi

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/profile"
	"github.com/omapish/omapish/omapi"
)

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
