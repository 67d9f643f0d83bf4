package profile

import (
	"slices"
	"sort"
	"strconv"
	"strings"
)

// BurntSushi/toml keeps the position of each key to itself, so positions
// for errors found after decoding come from this small scanner. It runs only
// on text the TOML parser has accepted, and at worst misses a position (an
// error then points at the key's table, or has none); it never fails.

// position is a 1-based line and byte column; the zero value means unknown.
type position struct{ Line, Col int }

// keyPositions maps a key path, its parts joined by pathSep, to where the
// key is first written.
type keyPositions map[string]position

const pathSep = "\x00"

// find returns where key, or failing that its nearest parent, is written.
func (kp keyPositions) find(key []string) position {
	for n := len(key); n > 0; n-- {
		if p, ok := kp[strings.Join(key[:n], pathSep)]; ok {
			return p
		}
	}
	return position{}
}

// keyString writes a key path as TOML does, quoting parts that need it.
func keyString(key []string) string {
	parts := make([]string, len(key))
	for i, k := range key {
		parts[i] = k
		if k == "" || strings.IndexFunc(k, func(r rune) bool { return r > 0x7f || !isBare(byte(r)) }) >= 0 {
			parts[i] = strconv.Quote(k)
		}
	}
	return strings.Join(parts, ".")
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// scanKeys returns the position of every key in src: table headers, dotted
// keys and the keys of inline tables.
func scanKeys(src string) keyPositions {
	s := &keyScanner{src: src, pos: keyPositions{}, lines: []int{0}}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			s.lines = append(s.lines, i+1)
		}
	}
	s.document()
	return s.pos
}

// offsetPosition returns the position of byte offset off in src.
func offsetPosition(src string, off int) position {
	line := 1 + strings.Count(src[:off], "\n")
	return position{Line: line, Col: off - (strings.LastIndexByte(src[:off], '\n') + 1) + 1}
}

type keyScanner struct {
	src   string
	i     int   // offset of the next byte; never more than len(src)
	lines []int // offset at which each line starts
	pos   keyPositions
}

func (s *keyScanner) eof() bool { return s.i >= len(s.src) }

// peek returns the byte n bytes ahead, or 0 past the end.
func (s *keyScanner) peek(n int) byte {
	if s.i+n < len(s.src) {
		return s.src[s.i+n]
	}
	return 0
}

func (s *keyScanner) advance(n int) { s.i = min(s.i+n, len(s.src)) }

func (s *keyScanner) has(prefix string) bool { return strings.HasPrefix(s.src[s.i:], prefix) }

// at converts an offset to a position.
func (s *keyScanner) at(off int) position {
	line := sort.Search(len(s.lines), func(i int) bool { return s.lines[i] > off })
	return position{Line: line, Col: off - s.lines[line-1] + 1}
}

// skip skips blanks, newlines and comments.
func (s *keyScanner) skip() {
	for !s.eof() {
		switch s.src[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		case '#':
			for !s.eof() && s.src[s.i] != '\n' {
				s.i++
			}
		default:
			return
		}
	}
}

// skipBlank skips spaces and tabs.
func (s *keyScanner) skipBlank() {
	for c := s.peek(0); c == ' ' || c == '\t'; c = s.peek(0) {
		s.i++
	}
}

func (s *keyScanner) document() {
	var table []string
	for {
		s.skip()
		if s.eof() {
			return
		}
		start := s.i
		if s.src[s.i] == '[' { // [table] or [[array.of.tables]]
			s.i++
			if s.peek(0) == '[' {
				s.i++
			}
			table = s.key(nil)
			for !s.eof() && s.src[s.i] != '\n' { // the closing brackets and a comment
				s.i++
			}
		} else {
			s.keyValue(table)
		}
		if s.i == start {
			s.i++ // not understood; move on rather than loop
		}
	}
}

// keyValue scans "key = value" in the table named prefix.
func (s *keyScanner) keyValue(prefix []string) {
	key := s.key(prefix)
	s.skipBlank()
	if s.peek(0) != '=' {
		return
	}
	s.i++
	s.skipBlank()
	s.value(key)
}

// key scans a possibly dotted key, records where each part starts, and
// returns prefix followed by the parts.
func (s *keyScanner) key(prefix []string) []string {
	key := slices.Clip(prefix)
	for {
		s.skipBlank()
		start := s.i
		var part string
		switch s.peek(0) {
		case '"':
			part = s.basicString()
		case '\'':
			part = s.literalString()
		default:
			for !s.eof() && isBare(s.src[s.i]) {
				s.i++
			}
			part = s.src[start:s.i]
		}
		if s.i == start {
			return key
		}
		key = append(key, part)
		if k := strings.Join(key, pathSep); s.pos[k] == (position{}) {
			s.pos[k] = s.at(start)
		}
		s.skipBlank()
		if s.peek(0) != '.' {
			return key
		}
		s.i++
	}
}

// value skips a value, recording the keys of inline tables in it.
func (s *keyScanner) value(key []string) {
	switch {
	case s.has(`"""`):
		s.multiline('"')
	case s.has(`'''`):
		s.multiline('\'')
	case s.has(`"`):
		s.basicString()
	case s.has(`'`):
		s.literalString()
	case s.has("["):
		s.i++
		s.list(key, ']', s.value)
	case s.has("{"):
		s.i++
		s.list(key, '}', s.keyValue)
	default:
		s.scalar()
	}
}

// list scans the items of an array or inline table up to and including end.
func (s *keyScanner) list(key []string, end byte, item func([]string)) {
	for {
		s.skip()
		if s.eof() {
			return
		}
		switch s.src[s.i] {
		case end:
			s.i++
			return
		case ',':
			s.i++
			continue
		}
		start := s.i
		item(key)
		if s.i == start {
			s.i++
		}
	}
}

// scalar skips a number, boolean or date-time.
func (s *keyScanner) scalar() {
	end := func() {
		for !s.eof() && !strings.ContainsRune(" \t\r\n,]}#", rune(s.src[s.i])) {
			s.i++
		}
	}
	start := s.i
	end()
	// A date-time may have a space for its "T": 1979-05-27 07:32:00.
	if s.i-start == 10 && s.src[start+4] == '-' && s.peek(0) == ' ' && s.peek(1) >= '0' && s.peek(1) <= '9' {
		s.i++
		end()
	}
}

// basicString scans a "string" and returns its value.
func (s *keyScanner) basicString() string {
	s.i++
	var b strings.Builder
	for !s.eof() {
		switch c := s.src[s.i]; c {
		case '"':
			s.i++
			return b.String()
		case '\n':
			return b.String()
		case '\\':
			s.i++
			s.escape(&b)
		default:
			b.WriteByte(c)
			s.i++
		}
	}
	return b.String()
}

// escape decodes the escape sequence after a backslash.
func (s *keyScanner) escape(b *strings.Builder) {
	if s.eof() {
		return
	}
	c := s.src[s.i]
	s.i++
	digits := 0
	switch c {
	case 'b':
		b.WriteByte('\b')
	case 't':
		b.WriteByte('\t')
	case 'n':
		b.WriteByte('\n')
	case 'f':
		b.WriteByte('\f')
	case 'r':
		b.WriteByte('\r')
	case 'e':
		b.WriteByte(0x1b)
	case 'x':
		digits = 2
	case 'u':
		digits = 4
	case 'U':
		digits = 8
	default: // '"', '\\'
		b.WriteByte(c)
	}
	if digits > 0 {
		hex := s.src[s.i:min(s.i+digits, len(s.src))]
		if r, err := strconv.ParseUint(hex, 16, 32); err == nil {
			b.WriteRune(rune(r))
		}
		s.advance(digits)
	}
}

// literalString scans a 'string' and returns its value.
func (s *keyScanner) literalString() string {
	s.i++
	start := s.i
	for !s.eof() && s.src[s.i] != '\'' && s.src[s.i] != '\n' {
		s.i++
	}
	v := s.src[start:s.i]
	if s.peek(0) == '\'' {
		s.i++
	}
	return v
}

// multiline skips a multi-line string, delimited by three q quotes.
func (s *keyScanner) multiline(q byte) {
	s.advance(3)
	for !s.eof() {
		switch c := s.src[s.i]; {
		case c == '\\' && q == '"':
			s.advance(2)
		case c == q:
			n := 0
			for s.peek(0) == q {
				n++
				s.i++
			}
			if n >= 3 { // up to two quotes may end the content
				return
			}
		default:
			s.i++
		}
	}
}
