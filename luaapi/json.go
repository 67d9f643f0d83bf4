package luaapi

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/internal/bytetext"
)

// jsonEncoder renders Lua values as JSON: tables whose keys are 1..n as
// arrays, other tables as objects with sorted keys; omapi objects as
// name → decoded value; messages as their fields; strings that are not
// UTF-8 text (or hold control characters) as colon-separated hex.
type jsonEncoder struct {
	L      *lua.LState
	b      strings.Builder
	indent string
	seen   map[*lua.LTable]bool
}

func (e *jsonEncoder) newline(depth int) {
	if e.indent != "" {
		e.b.WriteByte('\n')
		e.b.WriteString(strings.Repeat(e.indent, depth))
	}
}

func (e *jsonEncoder) encode(v lua.LValue, depth int) error {
	if depth > 100 {
		return errors.New("nested too deeply")
	}
	switch v := v.(type) {
	case *lua.LNilType:
		e.b.WriteString("null")
	case lua.LBool:
		e.b.WriteString(strconv.FormatBool(bool(v)))
	case lua.LNumber:
		f := float64(v)
		switch {
		case math.IsNaN(f) || math.IsInf(f, 0):
			e.b.WriteString("null")
		case f == math.Trunc(f) && math.Abs(f) < 1<<53:
			e.b.WriteString(strconv.FormatInt(int64(f), 10))
		default:
			e.b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
		}
	case lua.LString:
		e.str(string(v))
	case *lua.LTable:
		return e.table(v, depth)
	case *lua.LUserData:
		switch u := v.Value.(type) {
		case *luaObject:
			return e.table(attrsTable(e.L, u.obj.Type, u.obj.Values, false), depth)
		case *luaMessage:
			return e.table(u.table(e.L), depth)
		case *luaConn:
			return e.table(u.table(e.L), depth)
		case *typedValue:
			return e.encode(decode(e.L, u.kind, u.data), depth)
		}
		return fmt.Errorf("cannot encode %s", typeName(v))
	default:
		return fmt.Errorf("cannot encode %s", typeName(v))
	}
	return nil
}

func (e *jsonEncoder) str(s string) {
	if !isText(s) {
		s = bytetext.Hex([]byte(s))
	}
	e.b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			e.b.WriteString(`\"`)
		case '\\':
			e.b.WriteString(`\\`)
		case '\n':
			e.b.WriteString(`\n`)
		case '\r':
			e.b.WriteString(`\r`)
		case '\t':
			e.b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x2028 || r == 0x2029 {
				fmt.Fprintf(&e.b, `\u%04x`, r)
			} else {
				e.b.WriteRune(r)
			}
		}
	}
	e.b.WriteByte('"')
}

// isText reports whether s is UTF-8 without control characters other than
// tab, newline and carriage return.
func isText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
			return false
		}
	}
	return true
}

func (e *jsonEncoder) table(t *lua.LTable, depth int) error {
	if e.seen[t] {
		return errors.New("table contains itself")
	}
	e.seen[t] = true
	defer delete(e.seen, t)
	n, count := t.Len(), 0
	var keys []string
	keyVals := map[string]lua.LValue{}
	var keyErr error
	t.ForEach(func(k, v lua.LValue) {
		count++
		var ks string
		switch k := k.(type) {
		case lua.LString:
			ks = string(k)
		case lua.LNumber:
			ks = k.String()
		default:
			keyErr = fmt.Errorf("cannot encode a table key of type %s", typeName(k))
			return
		}
		keys = append(keys, ks)
		keyVals[ks] = v
	})
	if keyErr != nil {
		return keyErr
	}
	if n > 0 && count == n {
		e.b.WriteByte('[')
		for i := 1; i <= n; i++ {
			if i > 1 {
				e.b.WriteByte(',')
			}
			e.newline(depth + 1)
			if err := e.encode(t.RawGetInt(i), depth+1); err != nil {
				return err
			}
		}
		e.newline(depth)
		e.b.WriteByte(']')
		return nil
	}
	sort.Strings(keys)
	e.b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			e.b.WriteByte(',')
		}
		e.newline(depth + 1)
		e.str(k)
		e.b.WriteByte(':')
		if e.indent != "" {
			e.b.WriteByte(' ')
		}
		if err := e.encode(keyVals[k], depth+1); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	if len(keys) > 0 {
		e.newline(depth)
	}
	e.b.WriteByte('}')
	return nil
}

// JSON renders v as JSON the way omapi.json does; indent "" is compact.
func JSON(L *lua.LState, v lua.LValue, indent string) (string, error) {
	e := &jsonEncoder{L: L, indent: indent, seen: map[*lua.LTable]bool{}}
	if err := e.encode(v, 0); err != nil {
		return "", err
	}
	return e.b.String(), nil
}

func jsonFn(L *lua.LState) int {
	c := call{L: L, name: "json"}
	indent := ""
	switch v := L.Get(2).(type) {
	case *lua.LNilType:
	case lua.LBool:
		if v {
			indent = "  "
		}
	case lua.LString:
		indent = string(v)
	default:
		c.typeError(2, "boolean or indent string")
	}
	s, err := JSON(L, L.Get(1), indent)
	if err != nil {
		c.argError(1, err.Error())
	}
	L.Push(lua.LString(s))
	return 1
}
