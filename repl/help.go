package repl

import (
	"fmt"
	"io"
	"sort"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Doc documents one function or method of the Lua module, as
// luaapi.Functions() does; main.go copies those into Options.Docs.
type Doc struct {
	Name      string // "omapi.connect", "omapi.message.open", "conn:lookup_ip"
	Signature string // "omapi.connect([profile | \"host:port\" | {...}]) -> conn"
	Summary   string // one line
	Detail    string // paragraphs, may be empty
}

// label is the text a help index shows for d.
func (d Doc) label() string {
	if d.Signature != "" {
		return d.Signature
	}
	return d.Name
}

// keysHelp ends the help index.
const keysHelp = "Keys: Tab completes, Up/Down recall history, Ctrl-R searches it, Ctrl-C clears the line or stops a running chunk, Ctrl-D (or exit) leaves."

// helper implements the Lua global help().
type helper struct {
	docs     []Doc
	out, err io.Writer
	shell    bool // end the index with the keys of the shell
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
		name := functionName(L, v, h.docs)
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
		for _, class := range classes {
			if L.GetMetatable(v) == L.GetTypeMetatable(class) && L.GetTypeMetatable(class) != lua.LNil {
				var ds []Doc
				for _, d := range h.docs {
					if recv, _, ok := strings.Cut(d.Name, ":"); ok && receiverClass(recv) == class {
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
	var found []Doc
	for _, d := range h.docs {
		if d.Name == name {
			h.full(d)
			return
		}
		if shortName(d.Name) == name || shortName(d.Name) == shortName(name) {
			found = append(found, d)
		}
	}
	switch len(found) {
	case 0:
		fmt.Fprintf(h.err, "help: nothing about %q; help() lists what there is\n", name)
	case 1:
		h.full(found[0])
	default:
		h.index(L, found, false)
	}
}

// shortName is the part of a Doc name after its last "." or ":".
func shortName(s string) string {
	if i := strings.LastIndexAny(s, ".:"); i >= 0 {
		return s[i+1:]
	}
	return s
}

func withPrefix(docs []Doc, prefix string) []Doc {
	var out []Doc
	for _, d := range docs {
		if strings.HasPrefix(d.Name, prefix) {
			out = append(out, d)
		}
	}
	return out
}

// full writes one Doc: signature, summary, details.
func (h *helper) full(d Doc) {
	var b strings.Builder
	b.WriteString(d.label() + "\n")
	if d.Summary != "" {
		b.WriteString("  " + d.Summary + "\n")
	}
	if d := strings.TrimSpace(d.Detail); d != "" {
		b.WriteString("\n")
		for _, l := range strings.Split(d, "\n") {
			if l == "" {
				b.WriteString("\n")
				continue
			}
			b.WriteString("  " + l + "\n")
		}
	}
	io.WriteString(h.out, b.String())
}

// index writes one line per Doc, or, with no docs at all, the names the
// module holds; all adds a heading and the keys of the shell.
func (h *helper) index(L *lua.LState, docs []Doc, all bool) {
	var b strings.Builder
	if len(docs) == 0 {
		if len(h.docs) > 0 {
			fmt.Fprintln(h.err, "help: nothing documented here")
			return
		}
		b.WriteString("No documentation is loaded; the omapi module holds:\n")
		for _, n := range moduleNames(L) {
			b.WriteString("  " + n + "\n")
		}
		if h.shell {
			b.WriteString("\n" + keysHelp + "\n")
		}
		io.WriteString(h.out, b.String())
		return
	}
	width := 0
	for _, d := range docs {
		if n := len(d.label()); n > width {
			width = n
		}
	}
	if width > 40 {
		width = 40
	}
	if all {
		b.WriteString("The omapi module (help(omapi.connect) or help(\"conn:lookup_ip\") shows one in full):\n\n")
	}
	for _, d := range docs {
		l := d.label()
		if d.Summary == "" {
			b.WriteString("  " + l + "\n")
			continue
		}
		pad := width - len(l)
		if pad < 0 {
			pad = 0
		}
		b.WriteString("  " + l + strings.Repeat(" ", pad) + "  " + d.Summary + "\n")
	}
	if all && h.shell {
		b.WriteString("\n" + keysHelp + "\n")
	}
	io.WriteString(h.out, b.String())
}

// moduleNames lists the functions of the omapi global and the methods of
// its userdata classes, for help without docs.
func moduleNames(L *lua.LState) []string {
	var out []string
	if om, ok := L.G.Global.RawGetString("omapi").(*lua.LTable); ok {
		walkModule(om, "omapi", 0, func(name string, _ lua.LValue) { out = append(out, name) })
	}
	for _, class := range classes {
		if mt, ok := L.GetTypeMetatable(class).(*lua.LTable); ok {
			recv := defaultReceiver(class)
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
func functionName(L *lua.LState, fn *lua.LFunction, docs []Doc) string {
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
	for _, class := range classes {
		mt, ok := L.GetTypeMetatable(class).(*lua.LTable)
		if !ok {
			continue
		}
		for m, v := range methodTable(mt) {
			if v == fn {
				return receiverOf(class, docs) + ":" + m
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

// receiverOf returns the receiver the docs use for a class ("conn"), or
// its default.
func receiverOf(class string, docs []Doc) string {
	for _, d := range docs {
		if recv, _, ok := strings.Cut(d.Name, ":"); ok && receiverClass(recv) == class {
			return recv
		}
	}
	return defaultReceiver(class)
}

func defaultReceiver(class string) string {
	switch class {
	case "omapi.conn":
		return "conn"
	case "omapi.object":
		return "obj"
	case "omapi.message":
		return "m"
	}
	return strings.TrimPrefix(class, "omapi.")
}
