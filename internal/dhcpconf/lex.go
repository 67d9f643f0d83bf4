package dhcpconf

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// The lexer follows common/conflex.c of ISC DHCP 4.4.3: what is a token,
// where it ends, what a quoted string's escapes mean, and the 1500-byte
// token buffer (tokbuf) that bounds every token and run of whitespace.

// Kind is the kind of a token, as conflex.c classifies it.
type Kind uint8

// The token kinds. conflex.c further turns names into keywords (intern);
// the parser compares names case-insensitively instead.
const (
	EOF          Kind = iota
	String            // a quoted string, unescaped
	Number            // decimal digits, or a leading '-' and digits
	NumberOrName      // hex digits only, e.g. "5e" or "0x1f"
	Name              // anything else of letters, digits, '-', '_'
	Punct             // a single character: { } ; , . : = / and the rest
)

func (k Kind) String() string {
	switch k {
	case EOF:
		return "end of file"
	case String:
		return "string"
	case Number:
		return "number"
	case NumberOrName:
		return "number or name"
	case Name:
		return "name"
	}
	return "punctuation"
}

// Pos is a place in a file: 1-based line and column (in bytes).
type Pos struct {
	File string
	Line int
	Col  int
}

func (p Pos) String() string {
	return fmt.Sprintf("%s line %d column %d", p.File, p.Line, p.Col)
}

// Token is one token and where it starts (in the file of the statement
// holding it). It is small: a leases file has tens of millions.
type Token struct {
	Text string // a string's value, unescaped; the character of a Punct
	Line int32
	Col  int32
	Kind Kind
	// Space reports whitespace or a comment before the token (on the same
	// statement), which the raw text of a statement keeps.
	Space bool
}

// at is the position of t in file.
func (t Token) at(file string) Pos { return Pos{File: file, Line: int(t.Line), Col: int(t.Col)} }

// Is reports whether t is the punctuation character c.
func (t Token) Is(c byte) bool {
	return t.Kind == Punct && len(t.Text) == 1 && t.Text[0] == c
}

// IsWord reports whether t is the name w (case-insensitive, as dhcpd's
// keywords are).
func (t Token) IsWord(w string) bool {
	return (t.Kind == Name || t.Kind == NumberOrName) && strings.EqualFold(t.Text, w)
}

// tokbufSize is conflex.c's tokbuf: no token or whitespace run is longer.
const tokbufSize = 1500

// lexer reads tokens from a stream byte by byte as conflex.c does, with
// fast paths that take a word, a string or blanks from its read buffer at
// once when they lie in it (the same tokens: see FuzzParse).
type lexer struct {
	r      io.Reader
	in     []byte // read buffer: in[off:end] is unread
	off    int
	end    int
	eof    bool
	file   string
	line   int
	col    int // column of the next byte
	buf    []byte
	peekd  Token
	peeked bool
	// lastLine, lastCol: where the last token read starts (where dhcpd
	// reports the end of the file).
	lastLine, lastCol int32
	err               *Error // first lexical complaint; sticky
	// words interns the text of names and numbers: a leases file says
	// "binding", "state" and "active" millions of times.
	words *interned
}

// internSize is the number of interned words.
const internSize = 4096

// punct holds the one-byte strings of punctuation, allocated once.
var punct [256]string

func init() {
	for i := range punct {
		punct[i] = string([]byte{byte(i)})
	}
}

// intern returns b as a string, shared with an earlier equal word.
func (l *lexer) intern(b []byte) string { return l.words.get(b) }

// interned is a direct-mapped cache of short strings, cheaper than a map:
// a leases file repeats its words, MAC addresses and client ids.
type interned [internSize]string

// get returns b as a string, the cached one when it is there.
func (c *interned) get(b []byte) string {
	if len(b) > 32 {
		return string(b)
	}
	h := uint32(2166136261)
	for _, x := range b {
		h = (h ^ uint32(x)) * 16777619
	}
	slot := &c[h%internSize]
	if *slot != string(b) {
		*slot = string(b)
	}
	return *slot
}

func newLexer(r io.Reader, file string) *lexer {
	return &lexer{r: r, in: make([]byte, inSize), file: file, line: 1, col: 1, buf: make([]byte, 0, tokbufSize),
		lastLine: 1, lastCol: 1, words: new(interned)}
}

// inSize is the read buffer: the input is read in blocks, never whole.
const inSize = 256 << 10

const eofByte = -1

// fill reads the next block, keeping the last byte before it so that one
// byte can always be put back.
func (l *lexer) fill() bool {
	if l.eof {
		return false
	}
	if l.end > 0 {
		l.in[0] = l.in[l.end-1]
		l.off, l.end = 1, 1
	}
	for {
		n, err := l.r.Read(l.in[l.end:])
		l.end += n
		if n > 0 {
			return true
		}
		if err != nil {
			l.eof = true
			return false
		}
	}
}

func (l *lexer) getc() int {
	if l.off == l.end && !l.fill() {
		return eofByte
	}
	c := l.in[l.off]
	l.off++
	if c == '\n' {
		l.line++
		l.col = 1
	} else {
		l.col++
	}
	return int(c)
}

func (l *lexer) ungetc(c int) {
	if c == eofByte {
		return
	}
	l.off--
	if c == '\n' {
		l.line-- // col is not needed again: the newline is read next
	} else {
		l.col--
	}
}

func (l *lexer) mark() mark { return mark{l.line, l.col} }

// complain records the first lexical error, at p.
func (l *lexer) complain(m mark, msg string) {
	if l.err == nil {
		l.err = &Error{Pos: Pos{File: l.file, Line: m.line, Col: m.col}, Msg: msg}
	}
}

// mark is where the lexer is: cheaper than a Pos, made for every token.
type mark struct{ line, col int }

// peek returns the next token without consuming it.
func (l *lexer) peek() Token {
	if !l.peeked {
		l.peekd = l.lex()
		l.peeked = true
	}
	return l.peekd
}

// next consumes and returns the next token.
func (l *lexer) next() Token {
	var t Token
	if l.peeked {
		t = l.peekd
		l.peeked = false
	} else {
		t = l.lex()
	}
	if t.Kind != EOF {
		l.lastLine, l.lastCol = t.Line, t.Col
	}
	return t
}

// last is where the last token read is (a token without its text).
func (l *lexer) last() Token { return Token{Line: l.lastLine, Col: l.lastCol} }

func isSpace(c int) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isDigit(c int) bool { return c >= '0' && c <= '9' }
func isAlpha(c int) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isAlnum(c int) bool { return isDigit(c) || isAlpha(c) }
func isXdigit(c int) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// lex reads one token, skipping whitespace and comments.
func (l *lexer) lex() Token {
	space := false
	run := 0 // whitespace bytes in a row, as read_whitespace counts them
	for {
		// Blanks and newlines in the buffer, at once.
		for l.off < l.end && run < tokbufSize-1 {
			c := l.in[l.off]
			if c == ' ' || c == '\t' {
				l.col++
			} else if c == '\n' {
				l.line++
				l.col = 1
			} else {
				break
			}
			l.off++
			run++
			space = true
		}
		p := l.mark()
		line, col := int32(p.line), int32(p.col)
		c := l.getc()
		switch {
		case isSpace(c):
			space = true
			run++
			if run > tokbufSize-1 {
				// read_whitespace: log_fatal("Exiting").
				l.complain(p, "whitespace too long, buffer overflow.")
				return Token{Kind: EOF, Line: line, Col: col}
			}
			continue
		case c == '#':
			space = true
			run = 0
			for c != '\n' && c != eofByte {
				c = l.getc()
			}
			continue
		case c == eofByte:
			return Token{Kind: EOF, Line: line, Col: col, Space: space}
		case c == '"':
			return Token{Kind: String, Text: l.readString(p), Line: line, Col: col, Space: space}
		case isDigit(c) || c == '-':
			k, text := l.readNumber(c, p)
			return Token{Kind: k, Text: text, Line: line, Col: col, Space: space}
		case isAlpha(c):
			k, text := l.readName(c, p)
			return Token{Kind: k, Text: text, Line: line, Col: col, Space: space}
		default:
			return Token{Kind: Punct, Text: punct[c], Line: line, Col: col, Space: space}
		}
	}
}

// readString reads a quoted string after its opening quote, with
// read_string's escapes: \t \r \n \b, \NNN octal (first digit 0-3), \xHH
// hex, and \c for any other c.
func (l *lexer) readString(start mark) string {
	// The common case: no escape, no newline, the end in the buffer.
	for i := l.off; i < l.end && i-l.off < tokbufSize; i++ {
		c := l.in[i]
		if c == '"' {
			s := l.intern(l.in[l.off:i])
			l.col += i + 1 - l.off
			l.off = i + 1
			return s
		}
		if c == '\\' || c == '\n' {
			break
		}
	}
	b := l.buf[:0]
	for len(b) < tokbufSize {
		c := l.getc()
		if c == eofByte {
			l.complain(start, "eof in string constant")
			break
		}
		if c == '"' {
			return string(b)
		}
		if c != '\\' {
			b = append(b, byte(c))
			continue
		}
		c = l.getc()
		switch c {
		case 't':
			b = append(b, '\t')
		case 'r':
			b = append(b, '\r')
		case 'n':
			b = append(b, '\n')
		case 'b':
			b = append(b, '\b')
		case '0', '1', '2', '3':
			b = append(b, l.readOctal(c-'0', start))
		case 'x':
			b = append(b, l.readHex(start))
		case eofByte:
			l.complain(start, "eof in string constant")
			return string(b)
		default:
			b = append(b, byte(c))
		}
	}
	if len(b) >= tokbufSize {
		l.complain(start, "string constant larger than internal buffer")
		// dhcpd keeps reading the rest as more tokens; a reader that
		// stops here gives the same first complaint.
		b = b[:tokbufSize-1]
	}
	return string(b)
}

// readOctal reads the two digits after \0-\3.
func (l *lexer) readOctal(v int, p mark) byte {
	for range 2 {
		c := l.getc()
		if c < '0' || c > '7' {
			if v != 0 {
				l.complain(p, fmt.Sprintf("invalid octal digit %x", c))
			}
			l.ungetc(c)
			return byte(v)
		}
		v = v*8 + c - '0'
	}
	return byte(v)
}

// readHex reads the two digits after \x.
func (l *lexer) readHex(p mark) byte {
	v := 0
	for range 2 {
		c := l.getc()
		var d int
		switch {
		case isDigit(c):
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			l.complain(p, fmt.Sprintf("invalid hex digit: %x", c))
			l.ungetc(c)
			return byte(v)
		}
		v = v*16 + d
	}
	return byte(v)
}

// readNumber is read_number: a token starting with a digit or '-' is a
// Number while it is digits, a NumberOrName while hex digits, and a Name
// once it has other letters, '-' or '_'.
func (l *lexer) readNumber(c int, start mark) (Kind, string) {
	if b, ok := l.fastWord(); ok {
		if len(b) == 1 && b[0] == '-' {
			return Punct, "-"
		}
		return numberKind(b), l.intern(b)
	}
	b := append(l.buf[:0], byte(c))
	kind := Number
	for {
		c = l.getc()
		switch {
		case kind == Number && isDigit(c):
		case kind != Name && isXdigit(c):
			kind = NumberOrName
		case len(b) == 2 && isXdigit(c) && b[0] == '0' && (b[1] == 'x' || b[1] == 'X'):
			kind = NumberOrName
		case c == '-' || c == '_' || isAlnum(c):
			kind = Name
		default:
			l.ungetc(c)
			if len(b) == 1 && b[0] == '-' {
				return Punct, "-"
			}
			return kind, l.intern(b)
		}
		if len(b) >= tokbufSize-1 {
			l.complain(start, "numeric token larger than internal buffer")
			l.ungetc(c)
			return kind, string(b)
		}
		b = append(b, byte(c))
	}
}

// readName is read_num_or_name: letters, digits, '-' and '_'; a
// NumberOrName while every byte is a hex digit.
func (l *lexer) readName(c int, start mark) (Kind, string) {
	if b, ok := l.fastWord(); ok {
		kind := NumberOrName
		for _, c := range b {
			if !isXdigit(int(c)) {
				kind = Name
				break
			}
		}
		return kind, l.intern(b)
	}
	b := append(l.buf[:0], byte(c))
	kind := NumberOrName
	if !isXdigit(c) {
		kind = Name
	}
	for {
		c = l.getc()
		if c != '-' && c != '_' && !isAlnum(c) {
			l.ungetc(c)
			return kind, l.intern(b)
		}
		if len(b) >= tokbufSize-1 {
			l.complain(start, "token larger than internal buffer")
			l.ungetc(c)
			return kind, string(b)
		}
		if !isXdigit(c) {
			kind = Name
		}
		b = append(b, byte(c))
	}
}

// isWordByte reports the bytes of names and numbers after the first.
var isWordByte = func() (t [256]bool) {
	for c := range 256 {
		t[c] = c == '-' || c == '_' || isAlnum(c)
	}
	return t
}()

// fastWord is the common case of readName and readNumber: the word whose
// first byte was just read ends inside the read buffer (and within the
// token buffer), so it is taken from the buffer at once. ok is false
// otherwise, and nothing is consumed.
func (l *lexer) fastWord() (b []byte, ok bool) {
	i := l.off
	for i < l.end && isWordByte[l.in[i]] {
		i++
	}
	start := l.off - 1
	if i == l.end || i-start > tokbufSize-1 {
		return nil, false
	}
	b = l.in[start:i]
	l.col += i - l.off
	l.off = i
	return b, true
}

// numberKind is read_number's classification of a whole word starting
// with a digit or '-': Number while digits, NumberOrName while hex digits
// (and "0x" followed by one), Name once anything else.
func numberKind(b []byte) Kind {
	kind := Number
	for j := 1; j < len(b); j++ {
		c := int(b[j])
		switch {
		case kind == Number && isDigit(c):
		case kind != Name && isXdigit(c):
			kind = NumberOrName
		case j == 2 && isXdigit(c) && b[0] == '0' && (b[1] == 'x' || b[1] == 'X'):
			kind = NumberOrName
		default:
			kind = Name
		}
	}
	return kind
}

// isDateKeyword reports the statements of a lease record that hold a date,
// as server/db.c writes them.
func isDateKeyword(w string) bool {
	switch w {
	case "starts", "ends", "tstp", "tsfp", "atsfp", "cltt":
		return true
	}
	return false
}

// fastDate reads " W YYYY/MM/DD HH:MM:SS" after a date keyword when the
// buffer holds exactly that (as db.c writes it) followed by ';': the eleven
// tokens conflex.c would make of it, checked and converted at once. It
// consumes nothing otherwise (the tokens are then read one by one).
func (l *lexer) fastDate() (time.Time, bool) {
	const layout = " 0 0000/00/00 00:00:00;"
	if l.end-l.off < len(layout) {
		return time.Time{}, false
	}
	b := l.in[l.off : l.off+len(layout)]
	for i := range len(layout) {
		if layout[i] == '0' {
			if b[i] < '0' || b[i] > '9' {
				return time.Time{}, false
			}
		} else if b[i] != layout[i] {
			return time.Time{}, false
		}
	}
	n := func(i, w int) int {
		v := 0
		for _, c := range b[i : i+w] {
			v = v*10 + int(c-'0')
		}
		return v
	}
	t := dateOf(n(3, 4), n(8, 2), n(11, 2), n(14, 2), n(17, 2), n(20, 2), 0)
	l.off += len(layout) - 1 // the ';' is read as a token
	l.col += len(layout) - 1
	return t, true
}
