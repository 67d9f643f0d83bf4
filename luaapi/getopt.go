package luaapi

import (
	"fmt"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// getopt is util.getopt(args, spec): spec parsing (optSpec), then the
// scan of the arguments (optSpec.scan).

// optKinds are the kinds of option getopt knows.
var optKinds = []string{"flag", "string", "number", "list"}

// optSpec is a parsed getopt spec.
type optSpec struct {
	kinds map[string]string // canonical name → kind
	alias map[string]string // alias → canonical name
}

// optValue is an option's value: one string or number, or a list, or
// true for a flag.
type optValue struct {
	kind string
	str  string
	num  lua.LNumber
	list []string
}

func getopt(L *lua.LState) int {
	c := call{L: L, name: "getopt"}
	args := getoptArgs(c, c.checkTable(1, "array of arguments"))
	spec := parseOptSpec(c, c.checkTable(2, "option spec"))
	opts, operands, err := spec.scan(args)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	ot := L.NewTable()
	for name, v := range opts {
		switch v.kind {
		case "flag":
			ot.RawSetString(name, lua.LTrue)
		case "string":
			ot.RawSetString(name, lua.LString(v.str))
		case "number":
			ot.RawSetString(name, v.num)
		case "list":
			t := L.NewTable()
			for _, s := range v.list {
				t.Append(lua.LString(s))
			}
			ot.RawSetString(name, t)
		}
	}
	rest := L.NewTable()
	for _, s := range operands {
		rest.Append(lua.LString(s))
	}
	L.Push(ot)
	L.Push(rest)
	return 2
}

// getoptArgs reads the array of arguments: strings (numbers taken as
// their text).
func getoptArgs(c call, t *lua.LTable) []string {
	var args []string
	for i := 1; i <= t.Len(); i++ {
		switch v := t.RawGetInt(i).(type) {
		case lua.LString:
			args = append(args, string(v))
		case lua.LNumber:
			args = append(args, v.String())
		default:
			c.argError(1, fmt.Sprintf("argument %d: string expected, got %s", i, typeName(v)))
		}
	}
	return args
}

// parseOptSpec reads a spec table: option name → kind, or the name of the
// option it is an alias of. A bad spec is misuse: a Lua error.
func parseOptSpec(c call, t *lua.LTable) optSpec {
	raw := map[string]string{}
	t.ForEach(func(k, v lua.LValue) {
		ks, ok := k.(lua.LString)
		if !ok || ks == "" || strings.HasPrefix(string(ks), "-") || strings.Contains(string(ks), "=") {
			c.argError(2, fmt.Sprintf("option names must be strings without a leading - or an =, got %s", luaRepr(k)))
		}
		vs, ok := v.(lua.LString)
		if !ok {
			c.argError(2, fmt.Sprintf("option %s: kind (%s) or the name of another option expected, got %s",
				ks, strings.Join(optKinds, ", "), typeName(v)))
		}
		raw[string(ks)] = string(vs)
	})
	if len(raw) == 0 {
		c.argError(2, "option spec: at least one option expected")
	}
	spec := optSpec{kinds: map[string]string{}, alias: map[string]string{}}
	for name, v := range raw {
		if contains(optKinds, v) {
			spec.kinds[name] = v
		}
	}
	for name, v := range raw {
		if contains(optKinds, v) {
			continue
		}
		if _, ok := spec.kinds[v]; !ok {
			c.argError(2, fmt.Sprintf("option %s: %q is neither a kind (%s) nor another option", name, v, strings.Join(optKinds, ", ")))
		}
		spec.alias[name] = v
	}
	return spec
}

// scan reads args by the spec: options by canonical name, and the
// operands. Options and operands may be mixed; "--" ends the options and
// "-" is an operand.
func (spec optSpec) scan(args []string) (map[string]*optValue, []string, error) {
	opts := map[string]*optValue{}
	var operands []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			operands = append(operands, args[i+1:]...)
			break
		}
		if a == "-" || !strings.HasPrefix(a, "-") {
			operands = append(operands, a)
			continue
		}
		name, shown, value, hasValue, err := splitOption(a)
		if err != nil {
			return nil, nil, err
		}
		if t, ok := spec.alias[name]; ok {
			name = t
		}
		kind, ok := spec.kinds[name]
		if !ok {
			return nil, nil, fmt.Errorf("unknown option %s", shown)
		}
		if kind != "flag" && !hasValue {
			if i+1 >= len(args) {
				return nil, nil, fmt.Errorf("option %s needs a value", shown)
			}
			i++
			value = args[i]
		}
		if err := setOption(opts, name, kind, shown, value, hasValue); err != nil {
			return nil, nil, err
		}
	}
	return opts, operands, nil
}

// splitOption splits "--name=value", "--name" or "-x" into the name, the
// option as messages show it, and the value written with "=".
func splitOption(a string) (name, shown, value string, hasValue bool, err error) {
	if !strings.HasPrefix(a, "--") {
		if len(a) != 2 {
			return "", "", "", false, fmt.Errorf("unknown option %s (long options take two dashes)", a)
		}
		return a[1:], a, "", false, nil
	}
	name = a[2:]
	if n, v, ok := strings.Cut(name, "="); ok {
		return n, "--" + n, v, true, nil
	}
	return name, a, "", false, nil
}

// setOption records option name, of kind, given as shown with value.
func setOption(opts map[string]*optValue, name, kind, shown, value string, hasValue bool) error {
	prev := opts[name]
	switch kind {
	case "flag":
		if hasValue {
			return fmt.Errorf("option %s takes no value", shown)
		}
		opts[name] = &optValue{kind: kind}
		return nil
	case "list":
		if prev == nil {
			prev = &optValue{kind: kind}
			opts[name] = prev
		}
		for _, part := range strings.Split(value, ",") {
			if part = strings.TrimSpace(part); part != "" {
				prev.list = append(prev.list, part)
			}
		}
		return nil
	}
	if prev != nil {
		return fmt.Errorf("option %s given twice", shown)
	}
	v := &optValue{kind: kind, str: value}
	if kind == "number" {
		n, err := parseNumber(value)
		if err != nil {
			return fmt.Errorf("option %s: number expected, got %q", shown, value)
		}
		v.num = n
	}
	opts[name] = v
	return nil
}
