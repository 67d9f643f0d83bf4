package repl

import (
	"fmt"
	"io"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/luaapi"
)

// keysHelp ends the help index.
const keysHelp = "Keys: Tab completes, Up/Down recall history, Ctrl-R searches it, Ctrl-C clears the line or stops a running chunk, Ctrl-D (or exit) leaves."

// helper implements the Lua global help().
type helper struct {
	mod      Module
	docs     []luaapi.Doc // mod.Docs()
	out, err io.Writer
	shell    bool // end the index with the keys of the shell
}

// newHelper returns the help of module m (nil: none), writing to out and
// its complaints to errw; shell ends the index with the shell's keys.
func newHelper(m Module, out, errw io.Writer, shell bool) *helper {
	if m == nil {
		m = noModule{}
	}
	return &helper{mod: m, docs: m.Docs(), out: out, err: errw, shell: shell}
}

// call is help as a Lua function: help() lists everything; help(f) for a
// function of the module or a method, help("name") for a name (full, or
// the part after the last "." or ":"), help(table or userdata) for the
// functions or methods it holds.
func (h *helper) call(L *lua.LState) int {
	if L.GetTop() == 0 {
		h.index(L, h.docs, true)
		return 0
	}
	switch v := L.Get(1).(type) {
	case lua.LString:
		h.byName(L, string(v))
	case *lua.LFunction:
		name := functionName(L, v, h.mod)
		if name == "" {
			fmt.Fprintf(h.err, "help: %s is not a function of the omapi module\n", v.String())
			return 0
		}
		h.byName(L, name)
	case *lua.LTable:
		if om, ok := L.G.Global.RawGetString("omapi").(*lua.LTable); ok && om == v {
			h.index(L, h.docs, true)
			return 0
		}
		if name := tableName(L, v); name != "" {
			h.index(L, withPrefix(h.docs, name+"."), false)
			return 0
		}
		fmt.Fprintln(h.err, "help: no help for this table")
	case *lua.LUserData:
		for _, cl := range h.mod.Classes() {
			class := cl.Name
			if L.GetMetatable(v) == L.GetTypeMetatable(class) && L.GetTypeMetatable(class) != lua.LNil {
				var ds []luaapi.Doc
				for _, d := range h.docs {
					if recv, _, ok := strings.Cut(d.Name, ":"); ok && classOf(h.mod, recv) == class {
						ds = append(ds, d)
					}
				}
				h.index(L, ds, false)
				return 0
			}
		}
		fmt.Fprintln(h.err, "help: no help for this value")
	case *lua.LNilType:
		fmt.Fprintln(h.err, "help: the argument is nil (no such function?); help() lists them")
	default:
		fmt.Fprintf(h.err, "help: no help for a %s\n", v.Type().String())
	}
	return 0
}

// byName shows the Doc called name in full; a name matching several
// (by its last part) lists them.
func (h *helper) byName(L *lua.LState, name string) {
	switch found := luaapi.FindDocs(h.docs, name); len(found) {
	case 0:
		fmt.Fprintf(h.err, "help: nothing about %q; help() lists what there is\n", name)
	case 1:
		h.full(found[0])
	default:
		h.index(L, found, false)
	}
}

func withPrefix(docs []luaapi.Doc, prefix string) []luaapi.Doc {
	var out []luaapi.Doc
	for _, d := range docs {
		if strings.HasPrefix(d.Name, prefix) {
			out = append(out, d)
		}
	}
	return out
}

// full writes one Doc: signature, summary, details.
func (h *helper) full(d luaapi.Doc) { luaapi.WriteDoc(h.out, d) }

// index writes one line per Doc, or, with no docs at all, the names the
// module holds; all adds a heading and the keys of the shell.
func (h *helper) index(L *lua.LState, docs []luaapi.Doc, all bool) {
	var b strings.Builder
	if len(docs) == 0 {
		if len(h.docs) > 0 {
			fmt.Fprintln(h.err, "help: nothing documented here")
			return
		}
		b.WriteString("No documentation is loaded; the omapi module holds:\n")
		for _, n := range moduleNames(L, h.mod) {
			b.WriteString("  " + n + "\n")
		}
		if h.shell {
			b.WriteString("\n" + keysHelp + "\n")
		}
		io.WriteString(h.out, b.String())
		return
	}
	if all {
		io.WriteString(h.out, "The omapi module (help(omapi.connect) or help(\"conn:lookup_ip\") shows one in full):\n\n")
	}
	luaapi.WriteIndex(h.out, docs)
	if all && h.shell {
		io.WriteString(h.out, "\n"+keysHelp+"\n")
	}
}

// moduleNames lists the functions of the omapi global and the methods of
// its userdata classes, for help without docs.
func moduleNames(L *lua.LState, mod Module) []string {
	var out []string
	if om, ok := L.G.Global.RawGetString("omapi").(*lua.LTable); ok {
		walkModule(om, "omapi", 0, func(name string, _ lua.LValue) { out = append(out, name) })
	}
	for _, cl := range mod.Classes() {
		if mt, ok := L.GetTypeMetatable(cl.Name).(*lua.LTable); ok {
			recv := receiverOf(mod, cl.Name)
			for m := range methodTable(mt) {
				out = append(out, recv+":"+m)
			}
		}
	}
	sort.Strings(out)
	return out
}

// walkModule calls f for each function in t (and in its tables, one level
// down), with its dotted name.
func walkModule(t *lua.LTable, prefix string, depth int, f func(string, lua.LValue)) {
	t.ForEach(func(k, v lua.LValue) {
		s, ok := k.(lua.LString)
		if !ok {
			return
		}
		name := prefix + "." + string(s)
		switch v := v.(type) {
		case *lua.LFunction:
			f(name, v)
		case *lua.LTable:
			if depth == 0 && v != t {
				walkModule(v, name, depth+1, f)
			}
		}
	})
}

// functionName finds fn among the omapi module's functions and its
// classes' methods and returns its Doc-style name ("omapi.connect",
// "conn:lookup_ip"), or "".
func functionName(L *lua.LState, fn *lua.LFunction, mod Module) string {
	name := ""
	if om, ok := L.G.Global.RawGetString("omapi").(*lua.LTable); ok {
		walkModule(om, "omapi", 0, func(n string, v lua.LValue) {
			if v == fn && (name == "" || n < name) {
				name = n
			}
		})
	}
	if name != "" {
		return name
	}
	for _, cl := range mod.Classes() {
		mt, ok := L.GetTypeMetatable(cl.Name).(*lua.LTable)
		if !ok {
			continue
		}
		for m, v := range methodTable(mt) {
			if v == fn {
				return receiverOf(mod, cl.Name) + ":" + m
			}
		}
	}
	return ""
}

// tableName returns the dotted name of a table inside the omapi global
// ("omapi.message"), or "".
func tableName(L *lua.LState, t *lua.LTable) string {
	om, ok := L.G.Global.RawGetString("omapi").(*lua.LTable)
	if !ok {
		return ""
	}
	name := ""
	om.ForEach(func(k, v lua.LValue) {
		if s, ok := k.(lua.LString); ok && v == t {
			name = "omapi." + string(s)
		}
	})
	return name
}
