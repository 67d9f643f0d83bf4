package repl

import (
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// Complete returns the completions of the word that ends at byte offset
// pos of line, each one the full text that replaces that word, sorted. It
// is what Tab offers in the shell:
//
//   - Lua globals and keywords at the start of an expression; functions
//     get a "(" ("pri" → "print(");
//   - the fields of a global table after "name." or "a.b." ("omapi.lo" →
//     the omapi functions starting with "lo");
//   - after "name:" the methods of the value's metatable ("conn:lo" →
//     "lookup_ip(", ...); when name is not a global (a local the completer
//     cannot see), the methods of all the module's userdata classes
//     (m.Classes()), read from their metatables;
//   - inside a string literal, object type names (m.TypeNames()) and
//     attribute names (m.AttributeNames()): `conn:open("ho` → "host";
//     as the first argument of open or create, type names only; in
//     `{["hard` the attribute with its closing `"]=`;
//   - at a table key (after "{" or "," inside a table constructor)
//     attribute names and the module's option keys (m.OptionKeys()),
//     written as a key:
//     "name=", and `["hardware-address"]=` for a name that is not a Lua
//     identifier, so `{hard` → `["hardware-address"]=` and
//     `["hardware-type"]=`. The word being completed may contain "-" there.
//
// Nothing is offered inside a comment or a long string. L is only read;
// m nil is a module that offers nothing.
func Complete(L *lua.LState, m Module, line string, pos int) []string {
	_, c := newCompleter(L, m).complete(line, pos)
	return c
}

// completer computes completions; the module's docs add the methods that
// Doc names list ("conn:lookup_ip") to those found in the metatables.
type completer struct {
	L   *lua.LState
	mod Module
}

func newCompleter(L *lua.LState, m Module) *completer {
	if m == nil {
		m = noModule{}
	}
	return &completer{L: L, mod: m}
}

// lexMode is where a scan of the text before the cursor ended.
type lexMode int

const (
	inCode lexMode = iota
	inString
	inComment
	inLong // long string or long comment
)

// lexState is the result of scanning the text before the cursor.
type lexState struct {
	mode     lexMode
	quote    byte   // the quote of the open string
	quotePos int    // the offset of that quote
	close    string // the end of the open long bracket
	stack    []byte // unclosed ( { [ outside strings and comments
}

// scan lexes s just enough for completion: strings, comments, long
// brackets and the nesting of brackets.
func scan(s string) lexState {
	var st lexState
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch st.mode {
		case inString:
			switch c {
			case '\\':
				i++
			case st.quote, '\n':
				st.mode = inCode
			}
			continue
		case inComment:
			if c == '\n' {
				st.mode = inCode
			}
			continue
		case inLong:
			if strings.HasPrefix(s[i:], st.close) {
				i += len(st.close) - 1
				st.mode = inCode
			}
			continue
		}
		switch c {
		case '"', '\'':
			st.mode, st.quote, st.quotePos = inString, c, i
		case '-':
			if i+1 < len(s) && s[i+1] == '-' {
				if n, ok := longBracket(s[i+2:]); ok {
					st.mode, st.close = inLong, "]"+strings.Repeat("=", n)+"]"
					i += 2 + n + 1
				} else {
					st.mode = inComment
					i++
				}
			}
		case '[':
			if n, ok := longBracket(s[i:]); ok {
				st.mode, st.close = inLong, "]"+strings.Repeat("=", n)+"]"
				i += n + 1
			} else {
				st.stack = append(st.stack, c)
			}
		case '(', '{':
			st.stack = append(st.stack, c)
		case ')', '}', ']':
			if k := len(st.stack); k > 0 && st.stack[k-1] == opening(c) {
				st.stack = st.stack[:k-1]
			}
		}
	}
	return st
}

// opening returns the bracket that c closes.
func opening(c byte) byte {
	switch c {
	case ')':
		return '('
	case '}':
		return '{'
	}
	return '['
}

// longBracket reports whether s starts with a long bracket "[[" or "[==[",
// and its level (the number of "=").
func longBracket(s string) (int, bool) {
	if !strings.HasPrefix(s, "[") {
		return 0, false
	}
	n := 1
	for n < len(s) && s[n] == '=' {
		n++
	}
	if n < len(s) && s[n] == '[' {
		return n - 1, true
	}
	return 0, false
}

func isIdentByte(c byte) bool {
	return c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// openCall matches the text before the first string argument of open or
// create, whose argument is an object type.
var openCall = regexp.MustCompile(`[.:](open|create)\s*\(\s*$`)

// complete returns the byte offset where the completed word starts and the
// candidates that replace line[start:pos].
func (c *completer) complete(line string, pos int) (int, []string) {
	if pos < 0 || pos > len(line) {
		return pos, nil
	}
	st := scan(line[:pos])
	switch st.mode {
	case inComment, inLong:
		return pos, nil
	case inString:
		return c.inString(line, pos, st)
	}

	// A table key, where the word may contain "-".
	j := pos
	for j > 0 && (isIdentByte(line[j-1]) || line[j-1] == '-') {
		j--
	}
	if key := line[j:pos]; !strings.HasPrefix(key, "-") && (key == "" || !isDigit(key[0])) {
		prev := strings.TrimRight(line[:j], " \t\r\n")
		if n := len(st.stack); n > 0 && st.stack[n-1] == '{' && prev != "" &&
			(prev[len(prev)-1] == '{' || prev[len(prev)-1] == ',') {
			out := filter(c.keyForms(), key, func(s string) string { return bareName(s) })
			if !strings.Contains(key, "-") {
				out = append(out, filter(c.globals(), key, nil)...)
			}
			return j, uniqueSorted(out)
		}
	}

	i := pos
	for i > 0 && isIdentByte(line[i-1]) {
		i--
	}
	word := line[i:pos]
	if word != "" && isDigit(word[0]) {
		return pos, nil
	}
	if i > 0 {
		switch line[i-1] {
		case '.':
			if i > 1 && line[i-2] == '.' { // the .. operator
				break
			}
			path, ok := pathBefore(line, i-1)
			if !ok {
				return i, nil
			}
			return i, uniqueSorted(filter(c.fields(c.resolve(path)), word, nil))
		case ':':
			var v lua.LValue = lua.LNil
			if path, ok := pathBefore(line, i-1); ok {
				v = c.resolve(path)
			}
			return i, uniqueSorted(filter(c.methods(v), word, nil))
		}
	}
	return i, uniqueSorted(filter(c.globals(), word, nil))
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// inString completes inside a string literal.
func (c *completer) inString(line string, pos int, st lexState) (int, []string) {
	start := st.quotePos + 1
	word := line[start:pos]
	before := strings.TrimRight(line[:st.quotePos], " \t")
	var names []string
	switch {
	case strings.HasSuffix(before, "["):
		for _, a := range c.keyNames() {
			names = append(names, a+string(st.quote)+"]=")
		}
	case openCall.MatchString(before):
		names = append(names, c.mod.TypeNames()...)
	default:
		names = append(append(names, c.mod.TypeNames()...), c.mod.AttributeNames()...)
	}
	return start, uniqueSorted(filter(names, word, nil))
}

// keyNames are the names offered at a table key.
func (c *completer) keyNames() []string {
	return uniqueSorted(append(c.mod.AttributeNames(), c.mod.OptionKeys()...))
}

// keyForms are keyNames written as table keys: name= or ["name"]=.
func (c *completer) keyForms() []string {
	var out []string
	for _, n := range c.keyNames() {
		if isIdentifier(n) {
			out = append(out, n+"=")
		} else {
			out = append(out, `["`+n+`"]=`)
		}
	}
	return out
}

// bareName undoes keyForms and the "(" after a function:
// `["hardware-address"]=` → hardware-address, "print(" → print.
func bareName(s string) string {
	s = strings.TrimSuffix(strings.TrimSuffix(s, "("), "=")
	if strings.HasPrefix(s, `["`) && strings.HasSuffix(s, `"]`) {
		s = s[2 : len(s)-2]
	}
	return s
}

// filter keeps the names whose key (the name itself when key is nil)
// starts with prefix.
func filter(names []string, prefix string, key func(string) string) []string {
	var out []string
	for _, n := range names {
		k := n
		if key != nil {
			k = key(n)
		}
		if strings.HasPrefix(k, prefix) {
			out = append(out, n)
		}
	}
	return out
}

func uniqueSorted(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// pathBefore returns the dotted name (a, a.b.c) that ends at offset end
// of line, and false when the text there is not one (a call, an index, a
// string).
func pathBefore(line string, end int) (string, bool) {
	j := end
	for j > 0 && (isIdentByte(line[j-1]) || line[j-1] == '.') {
		j--
	}
	path := line[j:end]
	if path == "" || isDigit(path[0]) || strings.HasPrefix(path, ".") || strings.HasSuffix(path, ".") || strings.Contains(path, "..") {
		return "", false
	}
	if j > 0 && strings.ContainsRune(":)]\"'", rune(line[j-1])) {
		return "", false
	}
	return path, true
}

// resolve looks a dotted name up from the globals without calling any
// metamethod function; LNil when it cannot.
func (c *completer) resolve(path string) lua.LValue {
	if c.L == nil {
		return lua.LNil
	}
	var v lua.LValue = c.L.G.Global
	for _, name := range strings.Split(path, ".") {
		v = c.field(v, name)
		if v == lua.LNil {
			return v
		}
	}
	return v
}

// field reads v[name] raw, then through an __index table.
func (c *completer) field(v lua.LValue, name string) lua.LValue {
	if t, ok := v.(*lua.LTable); ok {
		if f := t.RawGetString(name); f != lua.LNil {
			return f
		}
	}
	if idx, ok := c.index(v); ok {
		return idx.RawGetString(name)
	}
	return lua.LNil
}

// index returns v's metatable __index when it is a table.
func (c *completer) index(v lua.LValue) (*lua.LTable, bool) {
	mt, ok := c.L.GetMetatable(v).(*lua.LTable)
	if !ok {
		return nil, false
	}
	idx, ok := mt.RawGetString("__index").(*lua.LTable)
	return idx, ok
}

// names appends the identifier keys of t; functions get "(" when paren.
func names(out []string, t *lua.LTable, paren bool) []string {
	t.ForEach(func(k, v lua.LValue) {
		s, ok := k.(lua.LString)
		if !ok || !isIdentifier(string(s)) || strings.HasPrefix(string(s), "__") {
			return
		}
		if _, fn := v.(*lua.LFunction); fn && paren {
			out = append(out, string(s)+"(")
			return
		}
		out = append(out, string(s))
	})
	return out
}

func (c *completer) globals() []string {
	out := append([]string(nil), keywords...)
	if c.L != nil {
		out = names(out, c.L.G.Global, true)
	}
	return out
}

func (c *completer) fields(v lua.LValue) []string {
	var out []string
	if t, ok := v.(*lua.LTable); ok {
		out = names(out, t, true)
	}
	if v != lua.LNil {
		if idx, ok := c.index(v); ok && idx != v {
			out = names(out, idx, true)
		}
	}
	return out
}

// methods lists what may follow "v:".
func (c *completer) methods(v lua.LValue) []string {
	if v == lua.LNil || c.L == nil {
		var out []string
		for _, cl := range c.mod.Classes() {
			out = append(out, c.classMethods(cl.Name)...)
		}
		return out
	}
	mt, _ := c.L.GetMetatable(v).(*lua.LTable)
	for _, cl := range c.mod.Classes() {
		if mt != nil && c.L.GetTypeMetatable(cl.Name) == mt {
			return c.classMethods(cl.Name)
		}
	}
	var out []string
	if mt != nil {
		for name := range methodTable(mt) {
			out = append(out, name+"(")
		}
	}
	if t, ok := v.(*lua.LTable); ok {
		t.ForEach(func(k, f lua.LValue) {
			if s, ok := k.(lua.LString); ok && isIdentifier(string(s)) {
				if _, fn := f.(*lua.LFunction); fn {
					out = append(out, string(s)+"(")
				}
			}
		})
	}
	return out
}

// classMethods lists the methods of a userdata class, from its metatable
// and from the Doc names whose receiver is of that class.
func (c *completer) classMethods(class string) []string {
	var out []string
	if c.L != nil {
		if mt, ok := c.L.GetTypeMetatable(class).(*lua.LTable); ok {
			for name := range methodTable(mt) {
				out = append(out, name+"(")
			}
		}
	}
	for _, d := range c.mod.Docs() {
		if recv, m, ok := strings.Cut(d.Name, ":"); ok && classOf(c.mod, recv) == class && isIdentifier(m) {
			out = append(out, m+"(")
		}
	}
	return out
}

// methodTable returns the methods a metatable gives its values: the
// functions of its __index table, and those stored on the metatable
// itself under names that are not metamethods.
func methodTable(mt *lua.LTable) map[string]lua.LValue {
	out := map[string]lua.LValue{}
	add := func(t *lua.LTable) {
		t.ForEach(func(k, v lua.LValue) {
			s, ok := k.(lua.LString)
			if !ok || strings.HasPrefix(string(s), "__") || !isIdentifier(string(s)) {
				return
			}
			if _, fn := v.(*lua.LFunction); fn {
				if _, dup := out[string(s)]; !dup {
					out[string(s)] = v
				}
			}
		})
	}
	if idx, ok := mt.RawGetString("__index").(*lua.LTable); ok {
		add(idx)
	}
	add(mt)
	return out
}

// autoCompleter adapts a completer to readline.AutoCompleter. readline
// only appends to the line, so a candidate that rewrites the typed word
// (`hard` → `["hardware-address"]=`) is applied through setBuffer when it
// is the only one and the cursor is at the end of the line; while several
// remain, their bare names are listed so that Tab narrows them down.
type autoCompleter struct {
	c *completer
	// mu is held while the loop uses the LState; Do skips completion
	// rather than wait for a running chunk.
	mu *sync.Mutex
	// pending returns the lines of an unfinished chunk typed before the
	// current one, for context (an open table on an earlier line).
	pending   func() string
	setBuffer func(string)
}

// Do implements readline.AutoCompleter.
func (a *autoCompleter) Do(line []rune, pos int) ([][]rune, int) {
	if pos > len(line) {
		pos = len(line)
	}
	text := string(line)
	bpos := len(string(line[:pos]))
	if strings.TrimSpace(text[:bpos]) == "" {
		return [][]rune{[]rune("  ")}, 0 // indentation
	}
	if !a.mu.TryLock() {
		return nil, 0
	}
	prefix := ""
	if a.pending != nil {
		if p := a.pending(); p != "" {
			prefix = p + "\n"
		}
	}
	start, cands := a.c.complete(prefix+text, len(prefix)+bpos)
	a.mu.Unlock()
	start -= len(prefix)
	if start < 0 || start > bpos {
		return nil, 0
	}
	return a.apply(text, start, bpos, cands)
}

func (a *autoCompleter) apply(text string, start, pos int, cands []string) ([][]rune, int) {
	word := text[start:pos]
	for _, c := range cands {
		if !strings.HasPrefix(c, word) {
			if len(cands) == 1 {
				if pos == len(text) && a.setBuffer != nil {
					a.setBuffer(text[:start] + c)
				}
				return nil, 0
			}
			var bare []string
			for _, c := range cands {
				if b := bareName(c); strings.HasPrefix(b, word) {
					bare = append(bare, b)
				}
			}
			return suffixes(uniqueSorted(bare), word), utf8.RuneCountInString(word)
		}
	}
	return suffixes(cands, word), utf8.RuneCountInString(word)
}

func suffixes(cands []string, word string) [][]rune {
	out := make([][]rune, 0, len(cands))
	for _, c := range cands {
		out = append(out, []rune(c[len(word):]))
	}
	return out
}
