package luaapi

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/policy"
	"github.com/omapish/omapish/omapi"
)

// The write policy (internal/policy) applies on every path of the module
// that sends a request: what would crash dhcpd or corrupt its leases file
// is refused with code "refused" before anything is sent, {force=true} or
// not (only a raw message sent with force goes out unchecked); what
// disrupts service asks first (Options.Confirm) or needs {force=true}.

// vet applies the policy to one request the module built: a refusal, the
// user declining a hazard, or nil.
func (m *module) vet(c call, typ string, op omapi.Opcode, vs omapi.Values, opt policy.Options, force bool) error {
	if err := policy.Check(typ, op, vs, opt); err != nil {
		return err
	}
	if w := policy.Hazard(typ, op, vs, opt); !m.allow(c, w, force) {
		return errDeclined(w)
	}
	return nil
}

// vetMany applies the policy to every request of a bulk call before any
// is sent: the first refusal refuses the whole batch (naming its entry),
// and the hazards are confirmed once for all.
func (m *module) vetMany(c call, n int, check func(i int) (typ string, op omapi.Opcode, vs omapi.Values, opt policy.Options), force bool) error {
	var warnings []string
	for i := 0; i < n; i++ {
		typ, op, vs, opt := check(i)
		if err := policy.Check(typ, op, vs, opt); err != nil {
			return fmt.Errorf("entry %d: %w (nothing was sent)", i+1, err)
		}
		if w := policy.Hazard(typ, op, vs, opt); w != "" {
			warnings = append(warnings, w)
		}
	}
	return m.confirmAll(c, warnings, force)
}

// openPolicy is the policy's view of an OPEN's options.
func openPolicy(o map[string]bool, rawNames map[string]bool) policy.Options {
	return policy.Options{Create: o["create"], Update: o["update"], Raw: o["raw"], RawNames: rawNames}
}

// rawNames returns the attributes of the value list t whose values are
// wrapped with omapi.raw (names after keyName): the caller vouches
// for those names, which the schema may not know.
func rawNames(t *lua.LTable) map[string]bool {
	var out map[string]bool
	add := func(name lua.LValue, v lua.LValue) {
		s, ok := name.(lua.LString)
		if !ok {
			return
		}
		ud, ok := v.(*lua.LUserData)
		if !ok {
			return
		}
		if tv, ok := ud.Value.(*typedValue); ok && tv.kind == omapi.KindBytes {
			if out == nil {
				out = map[string]bool{}
			}
			out[keyName(string(s))] = true
		}
	}
	t.ForEach(func(k, v lua.LValue) {
		switch k.(type) {
		case lua.LString:
			add(k, v)
		case lua.LNumber:
			if e, ok := v.(*lua.LTable); ok {
				add(e.RawGetInt(1), e.RawGetInt(2))
			}
		}
	})
	return out
}

// unchanged returns the attributes of sent that dhcpd did not take: those
// the policy knows it ignores, and those whose value read back (after) is
// still the value before the update and not the one sent. An attribute
// the server does not publish (host statements) cannot be told, and is
// not listed.
func unchanged(typ string, sent, before, after omapi.Values) []string {
	var out []string
	for _, v := range sent {
		if _, ignored := policy.Ignored(typ, v.Name); ignored {
			out = append(out, v.Name)
			continue
		}
		old, had := before.Get(v.Name)
		now, has := after.Get(v.Name)
		if had && has && bytes.Equal(old, now) && !bytes.Equal(now, v.Data) {
			out = append(out, v.Name)
		}
	}
	sort.Strings(out)
	return out
}

// checkFunc is omapi.check(type, values [, {create=, update=, raw=}]):
// true when the policy lets the write out, else nil, message, "refused".
// Scripts call it to refuse a whole plan before changing anything.
func (m *module) checkFunc(L *lua.LState) int {
	c := call{L: L, name: "check"}
	typ := c.checkName(1, "object type")
	t := c.checkTable(2, "table of values")
	o := c.options(3, "create", "update", "lookup", "raw")
	vs := c.toValues(2, t, typ, modeAttrs)
	if len(vs) == 0 {
		c.argError(2, "at least one value expected")
	}
	op := omapi.OpUpdate
	opt := policy.Options{Raw: o["raw"], RawNames: rawNames(t)}
	switch {
	case o["lookup"]:
		op = omapi.OpOpen
	case o["create"] || o["update"]:
		op, opt.Create, opt.Update = omapi.OpOpen, o["create"], o["update"]
	}
	if err := policy.Check(typ, op, vs, opt); err != nil {
		return fail(L, err)
	}
	L.Push(lua.LTrue)
	return 1
}

// stateValue converts a state given by name for a numbered state
// attribute ("partner-down" for failover-state local-state) to its wire
// bytes; ok false when v is not such a name.
func stateValue(typ, name string, v lua.LValue) ([]byte, bool) {
	s, isStr := v.(lua.LString)
	if !isStr {
		return nil, false
	}
	n, ok := omapi.StateNumber(typ, name, strings.TrimSpace(string(s)))
	if !ok {
		return nil, false
	}
	return []byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}, true
}
