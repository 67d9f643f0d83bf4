package luaapi

// Helpers for scripts that are not about OMAPI itself, the module
// omapish.util: command-line options, address ranges, CSV and TOML files,
// glob patterns, terminals. The saved scripts (scripts/*.lua) are built
// on them. And, in the omapi table, the schema's wire types for
// byte-level debugging (kind, decode, hex).
//
// Conventions as in the rest of the module: a wrong argument type raises
// a Lua error naming the function; bad text — an option the spec does not
// know, an unparsable range, a malformed CSV or TOML file, a bad glob —
// returns nil, message, so a script can report it as a usage error.

import (
	"bytes"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/chzyer/readline"
	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/omapi"
)

// UtilModule is the name of the helpers' module: require("omapish.util").
const UtilModule = "omapish.util"

// utilFuncs are the functions of omapish.util. The omapi table holds them
// too, under the same names, as aliases kept for one release (README,
// "Saved scripts").
func (m *module) utilFuncs() map[string]lua.LGFunction {
	return map[string]lua.LGFunction{
		"getopt":      getopt,
		"ip_range":    ipRange,
		"ips":         ips,
		"csv_decode":  csvDecode,
		"csv_encode":  csvEncode,
		"toml_decode": tomlDecode,
		"glob":        glob,
		"isatty":      m.isatty,
	}
}

// newUtilTable makes the omapish.util table, and require loads it.
func (m *module) newUtilTable(L *lua.LState) *lua.LTable {
	t := L.SetFuncs(L.NewTable(), guardAll("util.", m.utilFuncs()))
	L.PreloadModule(UtilModule, func(L *lua.LState) int {
		L.Push(t)
		return 1
	})
	return t
}

// withSchemaHelpers adds the byte-level helpers of the schema's wire
// types to the functions of the omapi table.
func withSchemaHelpers(fns map[string]lua.LGFunction) map[string]lua.LGFunction {
	fns["kind"] = kindFn
	fns["decode"] = decodeFn
	fns["hex"] = hexFn
	return fns
}

func init() {
	docs = append(docs, utilDocs...)
}

// utilDocs document the helpers; init appends them to docs.
var utilDocs = []Doc{
	{"util.getopt", "util.getopt(args, spec) -> options, positional | nil, message",
		"Parse command-line options (e.g. the script's arg table) by a spec.",
		`spec maps option names to kinds: "flag" (true when given), "string", "number" (decimal) or "list"
(repeatable; each value is also split at commas); any other value names the option it is an
alias of: {help="flag", h="help"}. Options are --name, --name=value or --name value; a
one-letter name is also -x or -x value. Options and operands may be mixed; "--" ends the
options, and "-" is an operand. options is keyed by the spec's (canonical) names; positional
is the array of operands. An unknown option, a missing value, a bad number or a string
option given twice returns nil, message.`},
	{"util.ip_range", "util.ip_range(spec) -> first, last, count | nil, message",
		`The first and last IPv4 address and the count of a range "A-B", a CIDR "A/N" or one address.`,
		"A CIDR with host bits set is taken as its network (192.0.2.7/24 is 192.0.2.0-192.0.2.255)."},
	{"util.ips", "util.ips(spec) -> iterator",
		"Iterate over the addresses of a range: for i, ip in util.ips(\"192.0.2.0/24\") do ... end.",
		"spec as for util.ip_range; a spec that does not parse raises an error (check it with ip_range)."},
	{"util.csv_decode", "util.csv_decode(text [, header]) -> records, lines | nil, message",
		"Parse CSV text (RFC 4180) into an array of records.",
		`Without header each record is an array of fields; with header=true the first record names
the columns and each later record is a table column -> field. lines[i] is the line record i
starts on. Leading spaces of fields are dropped, blank lines and lines starting with # are
skipped, every record must have as many fields as the first. A malformed file returns nil and a
message with the line.`},
	{"util.csv_encode", "util.csv_encode(fields) -> line",
		"One CSV record (without the newline) of an array of strings, numbers or booleans.",
		"Fields holding a comma, a quote, a newline or leading space are quoted."},
	{"util.toml_decode", "util.toml_decode(text) -> table | nil, message",
		"Parse TOML text into a table.",
		`Integers and floats become numbers, dates and times RFC 3339 text (local ones without an
offset: 2026-11-26, 17:00:00), arrays (also of tables) arrays. A malformed file returns nil and a message with the line.`},
	{"util.glob", "util.glob(pattern, text) -> matched | nil, message",
		"Whether text matches a shell-style glob as a whole: * ? [a-z] [!a-z] and \\ escapes.",
		"Case-sensitive; * and ? do not match /; write ] inside a class as \\]. A malformed pattern returns nil, message."},
	{"util.isatty", `util.isatty("stdin"|"stdout"|"stderr"|fd) -> boolean`,
		"Whether a standard stream (or file descriptor) is a terminal, e.g. to show progress only there.", ""},
	{"omapi.kind", "omapi.kind(type, name) -> kind, known",
		`The wire type the schema gives attribute name on objects of type: "string", "uint32", "bool", "ip", "ips", "mac", "time", "handle", "flags" or "bytes".`,
		`known is false for a name the schema does not know (its kind is then "bytes").`},
	{"omapi.decode", "omapi.decode(kind, bytes) -> value | nil, reason",
		"Decode wire bytes as a kind, or say why they do not fit it (e.g. \"8 bytes, want 4\").",
		"Values as attributes decode: numbers, booleans, dotted IPs (a table for several), aa:bb:.. MACs, epoch seconds, strings."},
	{"omapi.hex", "omapi.hex(bytes [, sep]) -> text", "Lower-case hex of bytes, with sep between bytes (default none).", ""},
}

// parseNumber reads a decimal number.
func parseNumber(s string) (lua.LNumber, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errors.New("not a number")
	}
	return lua.LNumber(f), nil
}

// ---- address ranges ----

// parseRange reads "A-B", "A/N" or "A" as a range of IPv4 addresses.
func parseRange(spec string) (first, last uint32, err error) {
	spec = strings.TrimSpace(spec)
	addr := func(s string) (uint32, error) {
		ip, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil || !ip.Is4() {
			return 0, fmt.Errorf("%q is not an IPv4 address", strings.TrimSpace(s))
		}
		b := ip.As4()
		return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]), nil
	}
	if a, b, ok := strings.Cut(spec, "-"); ok {
		if first, err = addr(a); err != nil {
			return 0, 0, fmt.Errorf("range %q: %w", spec, err)
		}
		if last, err = addr(b); err != nil {
			return 0, 0, fmt.Errorf("range %q: %w", spec, err)
		}
		if last < first {
			return 0, 0, fmt.Errorf("range %q: the last address is before the first", spec)
		}
		return first, last, nil
	}
	if strings.Contains(spec, "/") {
		p, err := netip.ParsePrefix(spec)
		if err != nil || !p.Addr().Is4() {
			return 0, 0, fmt.Errorf("%q is not an IPv4 CIDR like 192.0.2.0/24", spec)
		}
		b := p.Masked().Addr().As4()
		first = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		size := uint64(1) << (32 - p.Bits())
		return first, uint32(uint64(first) + size - 1), nil
	}
	if first, err = addr(spec); err != nil {
		return 0, 0, fmt.Errorf("%w (want an address, a range A-B or a CIDR A/N)", err)
	}
	return first, first, nil
}

func ipString(n uint32) string {
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}).String()
}

func ipRange(L *lua.LState) int {
	c := call{L: L, name: "ip_range"}
	first, last, err := parseRange(c.checkString(1, "address range"))
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(lua.LString(ipString(first)))
	L.Push(lua.LString(ipString(last)))
	L.Push(lua.LNumber(uint64(last) - uint64(first) + 1))
	return 3
}

func ips(L *lua.LState) int {
	c := call{L: L, name: "ips"}
	first, last, err := parseRange(c.checkString(1, "address range"))
	if err != nil {
		c.argError(1, err.Error())
	}
	next, end := uint64(first), uint64(last)
	i := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		if next > end {
			L.Push(lua.LNil)
			return 1
		}
		i++
		L.Push(lua.LNumber(i))
		L.Push(lua.LString(ipString(uint32(next))))
		next++
		return 2
	}))
	return 1
}

// ---- CSV ----

func csvDecode(L *lua.LState) int {
	c := call{L: L, name: "csv_decode"}
	text := c.checkString(1, "CSV text")
	header := false
	switch v := L.Get(2).(type) {
	case *lua.LNilType:
	case lua.LBool:
		header = bool(v)
	default:
		c.typeError(2, "boolean (header)")
	}
	text = strings.TrimPrefix(text, "\uFEFF")
	r := csv.NewReader(strings.NewReader(text))
	r.Comment = '#'
	r.TrimLeadingSpace = true
	fail := func(err error) int {
		L.Push(lua.LNil)
		L.Push(lua.LString(strings.TrimPrefix(err.Error(), "parse error on ")))
		return 2
	}
	records := L.NewTable()
	lines := L.NewTable()
	var names []string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(err)
		}
		line, _ := r.FieldPos(0)
		if header && names == nil {
			seen := map[string]bool{}
			for i, n := range rec {
				n = strings.TrimSpace(n)
				switch {
				case n == "":
					return fail(fmt.Errorf("line %d: column %d has no name", line, i+1))
				case seen[n]:
					return fail(fmt.Errorf("line %d: column %q named twice", line, n))
				}
				seen[n] = true
				names = append(names, n)
			}
			continue
		}
		t := L.CreateTable(len(rec), 0)
		if header {
			t = L.CreateTable(0, len(rec))
			for i, f := range rec {
				t.RawSetString(names[i], lua.LString(f))
			}
		} else {
			for _, f := range rec {
				t.Append(lua.LString(f))
			}
		}
		records.Append(t)
		lines.Append(lua.LNumber(line))
	}
	L.Push(records)
	L.Push(lines)
	return 2
}

func csvEncode(L *lua.LState) int {
	c := call{L: L, name: "csv_encode"}
	t := c.checkTable(1, "array of fields")
	n := t.Len()
	if n == 0 {
		c.argError(1, "at least one field expected")
	}
	rec := make([]string, n)
	for i := range rec {
		switch v := t.RawGetInt(i + 1).(type) {
		case lua.LString:
			rec[i] = string(v)
		case lua.LNumber:
			rec[i] = v.String()
		case lua.LBool:
			rec[i] = fmt.Sprint(bool(v))
		default:
			c.argError(1, fmt.Sprintf("field %d: string, number or boolean expected, got %s", i+1, typeName(v)))
		}
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	_ = w.Write(rec) // a bytes.Buffer does not fail
	w.Flush()
	L.Push(lua.LString(strings.TrimSuffix(b.String(), "\n")))
	return 1
}

// ---- TOML ----

func tomlDecode(L *lua.LState) int {
	c := call{L: L, name: "toml_decode"}
	text := c.checkString(1, "TOML text")
	var v map[string]any
	if _, err := toml.Decode(text, &v); err != nil {
		msg := err.Error()
		var pe toml.ParseError
		if errors.As(err, &pe) {
			msg = fmt.Sprintf("line %d, column %d: %s", pe.Position.Line, pe.Position.Col, pe.Message)
		}
		L.Push(lua.LNil)
		L.Push(lua.LString(msg))
		return 2
	}
	L.Push(tomlValue(L, v))
	return 1
}

// tomlValue converts a value toml.Decode made into Lua.
func tomlValue(L *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case map[string]any:
		t := L.CreateTable(0, len(v))
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			t.RawSetString(k, tomlValue(L, v[k]))
		}
		return t
	case []map[string]any:
		t := L.CreateTable(len(v), 0)
		for _, e := range v {
			t.Append(tomlValue(L, e))
		}
		return t
	case []any:
		t := L.CreateTable(len(v), 0)
		for _, e := range v {
			t.Append(tomlValue(L, e))
		}
		return t
	case string:
		return lua.LString(v)
	case int64:
		return lua.LNumber(v)
	case float64:
		return lua.LNumber(v)
	case bool:
		return lua.LBool(v)
	case time.Time:
		// Local dates and times come in zones the toml package names.
		switch v.Location().String() {
		case "date-local":
			return lua.LString(v.Format(time.DateOnly))
		case "time-local":
			return lua.LString(v.Format("15:04:05.999999999"))
		case "datetime-local":
			return lua.LString(v.Format("2006-01-02T15:04:05.999999999"))
		}
		return lua.LString(v.Format(time.RFC3339Nano))
	}
	return lua.LString(fmt.Sprint(v))
}

// ---- glob ----

func glob(L *lua.LState) int {
	c := call{L: L, name: "glob"}
	pattern := c.checkString(1, "glob pattern")
	text := c.checkString(2, "text")
	pattern = shellClasses(pattern)
	ok, err := path.Match(pattern, text)
	if err == nil {
		// path.Match may stop before a malformed part: check the rest.
		_, err = path.Match(pattern, "")
	}
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(fmt.Sprintf("bad glob pattern %q", pattern)))
		return 2
	}
	L.Push(lua.LBool(ok))
	return 1
}

// shellClasses turns the shell's negated class [!...] into path.Match's
// [^...].
func shellClasses(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '\\' && i+1 < len(p):
			b.WriteString(p[i : i+2])
			i++
		case p[i] == '[' && i+1 < len(p) && p[i+1] == '!':
			b.WriteString("[^")
			i++
		default:
			b.WriteByte(p[i])
		}
	}
	return b.String()
}

// ---- terminals ----

func (m *module) isatty(L *lua.LState) int {
	c := call{L: L, name: "isatty"}
	var f any
	switch v := L.Get(1).(type) {
	case lua.LString:
		switch v {
		case "stdin":
			f = os.Stdin
		case "stdout":
			f = os.Stdout
			if m.opts.Stdout != nil {
				f = m.opts.Stdout
			}
		case "stderr":
			f = os.Stderr
		default:
			c.argError(1, fmt.Sprintf(`"stdin", "stdout", "stderr" or a file descriptor expected, got %q`, string(v)))
		}
	case lua.LNumber:
		fd := float64(v)
		if fd < 0 || fd != math.Trunc(fd) || fd > math.MaxInt32 {
			c.argError(1, fmt.Sprintf("file descriptor expected, got %s", v))
		}
		L.Push(lua.LBool(readline.IsTerminal(int(fd))))
		return 1
	default:
		c.typeError(1, `"stdin", "stdout", "stderr" or a file descriptor`)
	}
	fd, ok := f.(interface{ Fd() uintptr })
	L.Push(lua.LBool(ok && readline.IsTerminal(int(fd.Fd()))))
	return 1
}

// ---- wire types ----

func kindFn(L *lua.LState) int {
	c := call{L: L, name: "kind"}
	typ := c.checkString(1, "object type")
	name := c.checkName(2, "attribute name")
	k, known := kindOf(typ, name)
	L.Push(lua.LString(k.String()))
	L.Push(lua.LBool(known))
	return 2
}

// kindByName returns the Kind called name ("uint32", ...).
func kindByName(name string) (omapi.Kind, bool) {
	for k := omapi.KindBytes; k <= omapi.KindFlags; k++ {
		if k.String() == name {
			return k, true
		}
	}
	return 0, false
}

func decodeFn(L *lua.LState) int {
	c := call{L: L, name: "decode"}
	name := c.checkString(1, "kind name")
	k, ok := kindByName(name)
	if !ok {
		var all []string
		for k := omapi.KindBytes; k <= omapi.KindFlags; k++ {
			all = append(all, k.String())
		}
		c.argError(1, fmt.Sprintf("unknown kind %q (kinds: %s)", name, strings.Join(all, ", ")))
	}
	b := []byte(c.checkString(2, "byte string"))
	if _, err := k.Decode(b); err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(decode(L, k, b))
	return 1
}

func hexFn(L *lua.LState) int {
	c := call{L: L, name: "hex"}
	b := []byte(c.checkString(1, "byte string"))
	sep := c.optString(2, "separator")
	if sep == "" {
		L.Push(lua.LString(hex.EncodeToString(b)))
		return 1
	}
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = hex.EncodeToString([]byte{x})
	}
	L.Push(lua.LString(strings.Join(parts, sep)))
	return 1
}
