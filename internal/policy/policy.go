// Package policy decides which OMAPI writes omapish sends to dhcpd 4.4.3.
//
// Every rule comes from dhcpd 4.4.3-P1's source (the *_set_value and
// *_lookup functions of server/omapi.c, server/failover.c, common/comapi.c;
// the leases-file writers of server/db.c; the lexer of common/conflex.c)
// and was tried on a real dhcpd (the package's lab tests). There are three
// outcomes for a request:
//
//   - Check refuses it (a *Refusal): it would crash dhcpd, leave a leases
//     file dhcpd cannot read at its next start, or it names an attribute
//     dhcpd does not have (a misspelling, which dhcpd ignores or turns
//     into garbage). Only a raw message sent with force goes past Check.
//   - Hazard returns a warning: the request is sound but stops or moves
//     service (control shutdown, a failover state change, deleting an
//     interface); it is sent only when the user confirms or forces it.
//   - Ignored says which written attributes dhcpd accepts without storing
//     them, so a caller can read the object back and say so.
//
// The package knows nothing of Lua or terminals: the Lua module and the
// shell apply it on every path that writes.
package policy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/omapish/omapish/omapi"
)

// ErrRefused is matched (errors.Is) by every *Refusal.
var ErrRefused = errors.New("refused")

// The kinds of refusal; a *Refusal matches its kind and ErrRefused.
var (
	// ErrCrash: dhcpd would exit (log_fatal or a NULL dereference).
	ErrCrash = errors.New("would crash dhcpd")
	// ErrCorrupt: dhcpd would write a leases file it cannot read back
	// at its next start, or could not write the object at all and lose
	// it at the next start.
	ErrCorrupt = errors.New("would corrupt dhcpd's leases file")
	// ErrUnknownAttr: the type has no such attribute (a misspelling?).
	ErrUnknownAttr = errors.New("unknown attribute")
	// ErrNotKey: dhcpd ignores the attribute in a lookup.
	ErrNotKey = errors.New("not a lookup key")
	// ErrNoKey: the lookup has none of the keys dhcpd finds the type
	// by, so dhcpd would answer with a new empty object or a misleading
	// error.
	ErrNoKey = errors.New("no lookup key")
	// ErrBadValue: the value is not one dhcpd can take for the attribute.
	ErrBadValue = errors.New("bad value")
)

// Refusal is a request Check will not let out.
type Refusal struct {
	Type   string // object type, "" when unknown
	Attr   string // the attribute at fault
	Value  []byte // its wire bytes
	Kind   error  // ErrCrash, ErrCorrupt, ErrUnknownAttr, ErrNotKey, ErrNoKey or ErrBadValue
	Reason string // why, in words, with the dhcpd source or lab fact
}

func (r *Refusal) Error() string {
	var b strings.Builder
	b.WriteString("refused: ")
	if r.Type != "" {
		b.WriteString(r.Type)
		b.WriteByte(' ')
	}
	b.WriteString(r.Attr)
	if r.Value != nil {
		b.WriteString(" = ")
		b.WriteString(showValue(r.Type, r.Attr, r.Value))
	}
	b.WriteString(": ")
	b.WriteString(r.Kind.Error())
	if r.Reason != "" {
		b.WriteString(" (")
		b.WriteString(r.Reason)
		b.WriteByte(')')
	}
	return b.String()
}

// Is matches ErrRefused and the refusal's kind.
func (r *Refusal) Is(target error) bool { return target == ErrRefused || target == r.Kind }

// showValue formats a value for an error: decoded by the schema, quoted
// when text, cut short when long.
func showValue(typ, attr string, b []byte) string {
	const max = 60
	k, ok := omapi.AttrKind(typ, attr)
	if !ok || k == omapi.KindString || k == omapi.KindBytes {
		s := string(b)
		if len(b) > max {
			s = string(b[:max])
			for !utf8.ValidString(s) && len(s) > 0 {
				s = s[:len(s)-1]
			}
			return strconv.Quote(s) + fmt.Sprintf("... (%d bytes)", len(b))
		}
		return strconv.Quote(s)
	}
	s := k.Format(b)
	if n, err := k.Decode(b); err == nil {
		if u, ok := n.(uint32); ok {
			if name, ok := omapi.StateName(typ, attr, u); ok {
				s += " (" + name + ")"
			}
		}
	}
	return s
}

// Options say how a request's values are used and what the caller vouches
// for.
type Options struct {
	// Create and Update are an OPEN's flags: with either, dhcpd sets the
	// values on the object (Create: a new one), not only looks it up.
	Create, Update bool
	// Raw skips the checks on attribute names (unknown attribute, not a
	// lookup key), for exploring what the schema does not know. The rules
	// that protect the server still apply.
	Raw bool
	// RawNames skips the name checks for these attributes only (values
	// the Lua caller wrapped with omapi.raw).
	RawNames map[string]bool
}

func (o Options) raw(name string) bool { return o.Raw || o.RawNames[name] }

// Check returns a *Refusal when the request (op on an object of type typ
// with object values vs) must not be sent, and nil when it may. typ ""
// means unknown: then only the rules for every type apply.
func Check(typ string, op omapi.Opcode, vs omapi.Values, opt Options) error {
	writes := op == omapi.OpUpdate || (op == omapi.OpOpen && (opt.Create || opt.Update))
	for _, v := range vs {
		if err := checkValue(typ, op, writes, v, opt); err != nil {
			return err
		}
	}
	if op == omapi.OpOpen && !opt.Create && !opt.Raw {
		return checkFound(typ, vs)
	}
	return nil
}

// checkFound refuses an OPEN without create whose values hold none of
// the ways dhcpd finds an object of type typ: its lookup then reads no
// key, and dhcpd answers with a new empty object as if found (a group
// by statements, a subclass by name alone) or a misleading error (a
// lease: "can't create new object"). With update, that new object would
// be the one updated.
func checkFound(typ string, vs omapi.Values) error {
	t, ok := types[typ]
	if !ok || t.find == nil {
		return nil
	}
	for _, form := range t.find.forms {
		if hasAll(vs, form) {
			return nil
		}
	}
	var names []string
	for _, v := range vs {
		names = append(names, v.Name)
	}
	r := &Refusal{Type: typ, Attr: strings.Join(names, ", "), Kind: ErrNoKey}
	if len(vs) == 1 {
		r.Value = vs[0].Data
	}
	if len(names) == 0 {
		r.Attr = "(no values)"
	}
	r.Reason = notFoundReason(typ, t.find, vs)
	return r
}

func hasAll(vs omapi.Values, names []string) bool {
	for _, n := range names {
		if !vs.Has(n) {
			return false
		}
	}
	return true
}

// notFoundReason says how dhcpd finds a typ, and what it answers instead.
func notFoundReason(typ string, f *finder, vs omapi.Values) string {
	if len(f.forms) == 0 {
		return HowFound(typ) + "; an OPEN " + f.none
	}
	r := HowFound(typ) + " (" + f.src + "); without, it " + f.none
	if vs.Has("handle") && !hasForm(f, "handle") {
		r += "; to read an object by its handle use conn:refresh(handle)"
	}
	return r
}

func hasForm(f *finder, key string) bool {
	for _, form := range f.forms {
		if len(form) == 1 && form[0] == key {
			return true
		}
	}
	return false
}

// CheckMessage is Check for a whole request: the type, when not given,
// comes from the message's "type" value, and an OPEN's flags from its
// "create" and "update" values.
func CheckMessage(typ string, m *omapi.Message, opt Options) error {
	if b, ok := m.Message.Get("type"); ok && typ == "" {
		typ = string(b)
	}
	if m.Op == omapi.OpOpen {
		opt.Create = opt.Create || flagSet(m.Message, "create")
		opt.Update = opt.Update || flagSet(m.Message, "update")
	}
	return Check(typ, m.Op, m.Object, opt)
}

func flagSet(vs omapi.Values, name string) bool {
	b, ok := vs.Get(name)
	if !ok {
		return false
	}
	for _, c := range b {
		if c != 0 {
			return true
		}
	}
	return false
}

func checkValue(typ string, op omapi.Opcode, writes bool, v omapi.Value, opt Options) error {
	refuse := func(kind error, reason string) error {
		return &Refusal{Type: typ, Attr: v.Name, Value: v.Data, Kind: kind, Reason: reason}
	}
	// omapip/protocol.c:621 reads a zero-length value as a NULL value;
	// the setters and lookups dereference it (e.g. omapip/support.c:839
	// from lease state, server/omapi.c:217). Only host ip-address checks
	// for NULL (server/omapi.c:1040): it clears the fixed address.
	if len(v.Data) == 0 && !(v.Name == "ip-address" && (typ == "host" || typ == "")) {
		return &Refusal{Type: typ, Attr: v.Name, Kind: ErrCrash,
			Reason: "a zero-length value reaches dhcpd as a NULL pointer, which it dereferences; only host ip-address may be cleared"}
	}
	t, known := types[typ]
	if !known {
		// A handle whose type is unknown (a raw UPDATE of a handle the
		// connection never saw): only local-state, which no other type
		// has, can still be checked.
		if typ == "" && writes && v.Name == "local-state" {
			if kind, reason := failoverState(v.Data); kind != nil {
				return refuse(kind, reason)
			}
		}
		return nil
	}
	if v.Name == "handle" {
		return nil
	}
	if writes && t.binding && !t.setters[v.Name] {
		return refuse(ErrCorrupt, bindingReason)
	}
	lookup := op == omapi.OpOpen && !writes && t.find != nil
	if _, ok := omapi.AttrKind(typ, v.Name); !ok && !opt.raw(v.Name) {
		reason := unknownReason(typ, v.Name)
		if lookup {
			reason += "; " + HowFound(typ)
		}
		return refuse(ErrUnknownAttr, reason)
	}
	if !writes {
		if lookup && !t.keys[v.Name] && !opt.raw(v.Name) {
			return refuse(ErrNotKey, fmt.Sprintf("%s, and ignores %s (%s)", HowFound(typ), v.Name, t.find.src))
		}
		return nil
	}
	if r := t.rules[v.Name]; r != nil {
		if kind, reason := r(v.Data); kind != nil {
			return refuse(kind, reason)
		}
	}
	return nil
}

const bindingReason = "dhcpd has no setter for it on a lease and stores it as a binding variable, " +
	"which it writes as `set NAME = ...;` and cannot read back at the next start " +
	"(server/omapi.c:302 dhcp_lease_set_value; seen in the lab: tstp \"can't be a variable name\")"
