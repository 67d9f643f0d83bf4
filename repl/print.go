package repl

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/bytetext"
	"github.com/omapish/omapish/omapi"
)

// ANSI colours, used only when the caller asks for colour.
const (
	ansiReset  = "\x1b[0m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiMagent = "\x1b[35m"
	ansiCyan   = "\x1b[36m"
	ansiDim    = "\x1b[90m"
)

// timeAttrs are the attributes whose numbers are seconds since the epoch
// (lease and failover-state times); Print shows the date beside them.
var timeAttrs = map[string]bool{
	"starts": true, "ends": true, "tstp": true, "tsfp": true, "atsfp": true, "cltt": true,
	"partner-stos": true, "local-stos": true, "last-packet-sent": true, "last-timestamp-received": true,
}

// maxDepth bounds how deep Print descends into nested tables.
const maxDepth = 32

// compactWidth is the longest an array of plain values may print on one line.
const compactWidth = 72

// Print writes vals to w on one line, separated by tabs as the Lua REPL
// does, ending with a newline; nothing when vals is empty. It is the
// autoprint of the shell and of `omapish -e`.
//
// Strings are shown as Lua literals ("text", with \n, \t, \" and \\
// escaped); a string that is not printable UTF-8 text (raw attribute
// bytes) is shown as hex in the form omapi.unhex"00:11:aa", which reads
// back as the same bytes. Tables are pretty-printed: array items first, on
// one line when short and plain, then the other keys sorted (numbers,
// then strings), one per line, nested tables indented by two spaces,
// cycles marked. Names that are attributes get their meaning beside the
// number: the time attributes (starts, ends, tstp, tsfp, atsfp, cltt,
// partner-stos, local-stos, last-packet-sent, last-timestamp-received) the
// date in ISO 8601 UTC, or "never" for 0x7fffffff; "state" the lease state
// in a table that looks like a lease (it has "ip-address" or "ends" too);
// "local-state" and "partner-state" the failover state; a bytes attribute
// (dhcp-client-identifier, hashstring) whose bytes are text of the form
// xx:xx, that it is text, which the bytes rule would send as hex. Userdata and
// tables with a __tostring metamethod are shown through it. L is used only
// to call __tostring (in protected mode: a failing one prints a note). With
// color, values are coloured by type and annotations dimmed.
func Print(w io.Writer, L *lua.LState, vals []lua.LValue, color bool) {
	if len(vals) == 0 {
		return
	}
	p := &printer{L: L, color: color, seen: map[*lua.LTable]bool{}}
	for i, v := range vals {
		if i > 0 {
			p.b.WriteByte('\t')
		}
		p.value(v, 0)
	}
	p.b.WriteByte('\n')
	io.WriteString(w, p.b.String())
}

type printer struct {
	L     *lua.LState
	color bool
	seen  map[*lua.LTable]bool
	b     strings.Builder
}

func (p *printer) paint(colour, s string) {
	if p.color {
		p.b.WriteString(colour)
		p.b.WriteString(s)
		p.b.WriteString(ansiReset)
		return
	}
	p.b.WriteString(s)
}

func (p *printer) value(v lua.LValue, depth int) {
	switch v := v.(type) {
	case *lua.LNilType:
		p.paint(ansiDim, "nil")
	case lua.LBool:
		p.paint(ansiMagent, v.String())
	case lua.LNumber:
		p.paint(ansiYellow, v.String())
	case lua.LString:
		p.str(string(v))
	case *lua.LTable:
		if s, ok := p.tostring(v); ok {
			p.paint(ansiCyan, s)
			return
		}
		p.table(v, depth)
	case *lua.LUserData:
		s, _ := p.tostring(v)
		p.paint(ansiCyan, s)
	default:
		p.paint(ansiCyan, v.String())
	}
}

// tostring returns the value's __tostring result, and false when it has
// no __tostring. Userdata without one print as "userdata: 0x...".
func (p *printer) tostring(v lua.LValue) (string, bool) {
	if p.L == nil {
		return v.String(), false
	}
	fn, ok := p.L.GetMetaField(v, "__tostring").(*lua.LFunction)
	if !ok {
		return v.String(), false
	}
	p.L.Push(fn)
	p.L.Push(v)
	if err := p.L.PCall(1, 1, nil); err != nil {
		return fmt.Sprintf("%s (__tostring failed: %s)", v.String(), luaErrorText(err)), true
	}
	r := p.L.Get(-1)
	p.L.Pop(1)
	if s, ok := r.(lua.LString); ok {
		return string(s), true
	}
	return r.String(), true
}

func (p *printer) str(s string) {
	if text(s) {
		p.paint(ansiGreen, quote(s))
		return
	}
	p.paint(ansiGreen, `omapi.unhex"`+bytetext.Hex([]byte(s))+`"`)
}

// text reports whether s reads as text: valid UTF-8 with no control
// characters other than tab, newline and carriage return.
func text(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == '\t' || r == '\n' || r == '\r' {
			continue
		}
		if unicode.IsControl(r) || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// quote returns s as a double-quoted Lua string literal.
func quote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// entry is one key/value pair of a table being printed.
type entry struct {
	key lua.LValue
	val lua.LValue
}

func (p *printer) table(t *lua.LTable, depth int) {
	if p.seen[t] {
		p.paint(ansiDim, "<cycle "+t.String()+">")
		return
	}
	if depth >= maxDepth {
		p.paint(ansiDim, "{...}")
		return
	}
	p.seen[t] = true
	defer delete(p.seen, t)

	n := 0
	for t.RawGetInt(n+1) != lua.LNil {
		n++
	}
	var rest []entry
	t.ForEach(func(k, v lua.LValue) {
		if i, ok := k.(lua.LNumber); ok && float64(i) == math.Trunc(float64(i)) && i >= 1 && int(i) <= n {
			return
		}
		rest = append(rest, entry{k, v})
	})
	if n == 0 && len(rest) == 0 {
		p.b.WriteString("{}")
		return
	}
	sort.Slice(rest, func(i, j int) bool { return keyLess(rest[i].key, rest[j].key) })

	if len(rest) == 0 {
		if s, ok := p.compact(t, n); ok {
			p.b.WriteString(s)
			return
		}
	}

	lease := t.RawGetString("state") != lua.LNil &&
		(t.RawGetString("ip-address") != lua.LNil || t.RawGetString("ends") != lua.LNil)
	indent := strings.Repeat("  ", depth+1)
	p.b.WriteString("{\n")
	for i := 1; i <= n; i++ {
		p.b.WriteString(indent)
		p.value(t.RawGetInt(i), depth+1)
		p.b.WriteString(",\n")
	}
	for _, e := range rest {
		p.b.WriteString(indent)
		p.b.WriteString(keyString(e.key))
		p.b.WriteString(" = ")
		p.value(e.val, depth+1)
		if k, ok := e.key.(lua.LString); ok {
			if note := annotation(string(k), e.val, lease); note != "" {
				p.b.WriteByte(' ')
				p.paint(ansiDim, "("+note+")")
			}
		}
		p.b.WriteString(",\n")
	}
	p.b.WriteString(strings.Repeat("  ", depth))
	p.b.WriteByte('}')
}

// compact returns an array of n plain values (no tables, or only empty
// ones) on one line, and false when it would not fit.
func (p *printer) compact(t *lua.LTable, n int) (string, bool) {
	sub := &printer{L: p.L, color: p.color, seen: p.seen}
	sub.b.WriteByte('{')
	width := 1
	for i := 1; i <= n; i++ {
		v := t.RawGetInt(i)
		if tt, ok := v.(*lua.LTable); ok && (tt.Len() > 0 || nextKey(tt)) {
			return "", false
		}
		if i > 1 {
			sub.b.WriteString(", ")
			width += 2
		}
		before := sub.b.Len()
		sub.value(v, 0)
		width += sub.b.Len() - before // colour codes count too: wrap early rather than late
		if width > compactWidth {
			return "", false
		}
	}
	sub.b.WriteByte('}')
	return sub.b.String(), true
}

func nextKey(t *lua.LTable) bool {
	k, _ := t.Next(lua.LNil)
	return k != lua.LNil
}

// annotation returns what Print shows in parentheses after a field's value:
// the date of a time attribute, the name of a state, and for a bytes
// attribute whose bytes are text of the form xx:xx, that they are text
// (the bytes rule would read that text back as hex).
func annotation(name string, v lua.LValue, lease bool) string {
	if s, ok := v.(lua.LString); ok {
		if bytesAttrs[name] && bytetext.IsHexList(string(s)) {
			return fmt.Sprintf("%d bytes of text: omapi.raw to send them back as they are", len(s))
		}
		return ""
	}
	num, ok := v.(lua.LNumber)
	if !ok || float64(num) != math.Trunc(float64(num)) || num < 0 || num > math.MaxUint32 {
		return ""
	}
	n := uint32(num)
	switch {
	case timeAttrs[name]:
		return formatTime(n)
	case name == "state" && lease:
		s, _ := omapi.StateName("lease", name, n)
		return s
	case name == "local-state" || name == "partner-state":
		s, _ := omapi.StateName("failover-state", name, n)
		return s
	}
	return ""
}

// bytesAttrs are the attributes the schema gives the kind bytes.
var bytesAttrs = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range omapi.Attributes("") {
		if k, _ := omapi.AttrKind("", n); k == omapi.KindBytes {
			m[n] = true
		}
	}
	return m
}()

// formatTime returns epoch seconds as ISO 8601 UTC, "never" for dhcpd's
// MAX_TIME, or "unset" for 0 (a lease time dhcpd has no value for).
func formatTime(n uint32) string {
	switch n {
	case omapi.Never:
		return "never"
	case 0:
		return "unset"
	}
	return time.Unix(int64(n), 0).UTC().Format(time.RFC3339)
}

// keyLess orders table keys: numbers by value, then strings, then the
// rest by their text.
func keyLess(a, b lua.LValue) bool {
	ra, rb := keyRank(a), keyRank(b)
	if ra != rb {
		return ra < rb
	}
	switch a := a.(type) {
	case lua.LNumber:
		return a < b.(lua.LNumber)
	case lua.LString:
		return a < b.(lua.LString)
	}
	return a.String() < b.String()
}

func keyRank(v lua.LValue) int {
	switch v.(type) {
	case lua.LNumber:
		return 0
	case lua.LString:
		return 1
	case lua.LBool:
		return 2
	}
	return 3
}

// keyString returns a table key as written in a table constructor: name,
// ["hardware-address"], [10].
func keyString(k lua.LValue) string {
	switch k := k.(type) {
	case lua.LString:
		if isIdentifier(string(k)) {
			return string(k)
		}
		if text(string(k)) {
			return "[" + quote(string(k)) + "]"
		}
		return `[omapi.unhex"` + bytetext.Hex([]byte(k)) + `"]`
	case lua.LNumber:
		return "[" + k.String() + "]"
	}
	return "[" + k.String() + "]"
}

// keywords are Lua 5.1's reserved words (and gopher-lua's goto).
var keywords = []string{"and", "break", "do", "else", "elseif", "end", "false", "for", "function",
	"goto", "if", "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while"}

// isIdentifier reports whether s can be written as a bare name.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9' {
			continue
		}
		return false
	}
	for _, k := range keywords {
		if s == k {
			return false
		}
	}
	return true
}

// luaErrorText returns the message of a Lua error without the stack
// traceback: the error value's text, or a note for a value that is not a
// string or number (as lua.c says it).
func luaErrorText(err error) string {
	if ae, ok := err.(*lua.ApiError); ok {
		switch o := ae.Object.(type) {
		case lua.LString:
			return string(o)
		case lua.LNumber:
			return o.String()
		case nil:
		default:
			return "(error object is a " + o.Type().String() + " value)"
		}
	}
	return err.Error()
}
