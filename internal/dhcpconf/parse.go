package dhcpconf

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// The parser reads statements the way server/confpars.c does at the
// level of structure: a statement is words ending in ';', or words and a
// block in braces. The statements omapish models (those of the leases
// file that server/db.c writes, and the declarations of dhcpd.conf that
// name hosts, subnets, pools, classes, peers and keys) are checked word by
// word as dhcpd checks them, so a missing ';' is found at the word dhcpd
// finds it. Any other statement is kept as it is (Stmt.Text), never
// refused: dhcpd knows hundreds of options and statements.

// ErrSyntax is matched (errors.Is) by every *Error.
var ErrSyntax = errors.New("syntax error")

// Error is a complaint about a file, where dhcpd makes it: the file, line
// and column of the token it had read when it complained (for the end of
// a file, the last token before it). The column is the token's first
// byte; dhcpd's caret is one to the right after whitespace.
type Error struct {
	Pos
	Msg string // dhcpd's words, e.g. "semicolon expected."
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s line %d, column %d: %s", e.File, e.Line, e.Col, e.Msg)
}

// Is makes every *Error match ErrSyntax.
func (e *Error) Is(target error) bool { return target == ErrSyntax }

// Stmt is one statement: its words up to the ';' or '{', and for a block
// the statements inside the braces, in file order.
type Stmt struct {
	File  string // the file it is in (an included one, for its statements)
	Words []Token
	Body  []*Stmt
	Block bool

	kw string // the first word, lower case
	// open is the '{' of a block without words ("{ ... }"), where dhcpd
	// reports it.
	open Token

	// date is the date of a "starts W YYYY/MM/DD HH:MM:SS;" read at once
	// (lexer.fastDate): Words then holds the keyword only.
	date  time.Time
	dated bool
}

// Pos is where the statement starts.
func (s *Stmt) Pos() Pos {
	if len(s.Words) == 0 {
		return s.open.at(s.File)
	}
	return s.Words[0].at(s.File)
}

// Keyword returns the first word, lower case ("" for none).
func (s *Stmt) Keyword() string {
	if s.kw == "" && len(s.Words) > 0 {
		s.kw = s.Word(0)
	}
	return s.kw
}

// Word returns word i lower-cased when it is a name, as is otherwise, ""
// when there is none.
func (s *Stmt) Word(i int) string {
	if i >= len(s.Words) {
		return ""
	}
	if t := s.Words[i]; t.Kind == Name || t.Kind == NumberOrName {
		return strings.ToLower(t.Text)
	}
	return s.Words[i].Text
}

// Text is the statement as dhcpd.conf text, without its block: the words
// with the spacing of the file (one space where the file has any), strings
// quoted again, and the final ';' for a simple statement.
func (s *Stmt) Text() string {
	var b strings.Builder
	writeWords(&b, s.Words)
	if s.dated {
		fmt.Fprintf(&b, " %d %s", s.date.Weekday(), s.date.Format("2006/01/02 15:04:05"))
	}
	if !s.Block {
		b.WriteByte(';')
	}
	return b.String()
}

func writeWords(b *strings.Builder, words []Token) {
	n := 0
	for _, t := range words {
		n += len(t.Text) + 1
	}
	b.Grow(n)
	for i, t := range words {
		if i > 0 && t.Space {
			b.WriteByte(' ')
		}
		if t.Kind == String {
			b.WriteString(quote(t.Text))
		} else {
			b.WriteString(t.Text)
		}
	}
}

// quote writes s as a dhcpd quoted string, escaping as db.c's
// print_dhcp_string / quotify_string do (octal for what is not printable).
func quote(s string) string { return string(appendQuoted(nil, s)) }

// appendQuoted appends s quoted to b.
func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < ' ' || c > '~':
			b = append(b, '\\', '0'+c>>6, '0'+c>>3&7, '0'+c&7)
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// parser reads statements from a lexer.
type parser struct {
	lx    *lexer
	depth int
	// checks are the statements checked word by word, by keyword.
	checks map[string]checkFunc
	cur    cursor // of check
	// fastDates: read the dates of lease records at once (leases files).
	fastDates bool
	// free holds released statements for reuse.
	free []*Stmt
	// declared: a declaration (a block) was read at the top level.
	declared bool
	// include, when set, reads an included file in place.
	include func(p *parser, s *Stmt) ([]*Stmt, error)
}

// maxDepth bounds nested blocks (dhcpd has no bound but its stack).
const maxDepth = 100

func newParser(r io.Reader, file string, checks map[string]checkFunc) *parser {
	return &parser{lx: newLexer(r, file), checks: checks}
}

// fail returns an error at t's position, or the lexer's first complaint
// when it came earlier (a complaint about a string is made before the
// parser sees the string).
func (p *parser) fail(t Token, msg string) *Error {
	if p.lx.err != nil {
		return p.lx.err
	}
	return &Error{Pos: t.at(p.lx.file), Msg: msg}
}

// lexErr returns the lexer's complaint, if any.
func (p *parser) lexErr() error {
	if p.lx.err != nil {
		return p.lx.err
	}
	return nil
}

// next returns the next top-level statement, nil at the end of the file.
func (p *parser) next() (*Stmt, error) {
	t := p.lx.peek()
	if err := p.lexErr(); err != nil {
		return nil, err
	}
	switch {
	case t.Kind == EOF:
		return nil, nil
	case t.Is('}'):
		// dhcpd complains after a peek, which leaves it at the
		// previous token.
		pos := p.lx.lastBefore(t)
		p.lx.next()
		if p.declared {
			return nil, p.fail(pos, "expecting a declaration")
		}
		return nil, p.fail(pos, "expecting a parameter or declaration")
	}
	s, err := p.statement()
	if s != nil && s.Block {
		// conf_file_subparse: after a declaration, parse_statement
		// expects declarations only, and says so.
		p.declared = true
	}
	return s, err
}

// lastBefore is the position dhcpd reports for a complaint made on a
// peeked token: that of the token read before it.
func (l *lexer) lastBefore(Token) Token { return l.last() }

// statement reads one statement, its block included.
func (p *parser) statement() (*Stmt, error) {
	s := p.newStmt()
	for {
		t := p.lx.next()
		if err := p.lexErr(); err != nil {
			return nil, err
		}
		if t.Kind != Punct && t.Kind != EOF { // the common case: a word
			s.Words = append(s.Words, t)
			if len(s.Words) == 1 && p.fastDates && isDateKeyword(s.Keyword()) {
				s.date, s.dated = p.lx.fastDate()
			}
			if len(s.Words) > tokbufSize {
				// Bounds memory on a file with no ';' at all.
				return nil, p.fail(t, "semicolon expected.")
			}
			continue
		}
		switch {
		case t.Kind == EOF:
			if p.depth > 0 {
				return nil, p.fail(p.lx.last(), "unexpected end of file")
			}
			return nil, p.fail(p.lx.last(), "semicolon expected.")
		case t.Is(';'):
			if len(s.Words) == 0 {
				continue // an empty statement, as dhcpd skips it
			}
			if s.dated && len(s.Words) == 1 {
				return s, nil // fastDate checked it
			}
			return s, p.check(s, t)
		case t.Is('}'):
			return nil, p.fail(t, "semicolon expected.")
		case t.Is('{') && len(s.Words) > 0 && (s.Words[len(s.Words)-1].Is('=') || s.Words[len(s.Words)-1].IsWord("of")):
			// A record type in braces: option NAME code N =
			// { ip-address, string }; or = array of { ... };
			if err := p.valueBraces(s, t); err != nil {
				return nil, err
			}
		case t.Is('{'):
			s.Block = true
			if len(s.Words) == 0 {
				s.open = t
			}
			if err := p.check(s, t); err != nil {
				return nil, err
			}
			if err := p.block(t, s); err != nil {
				return nil, err
			}
			// A ';' after a block is allowed and ignored.
			if nt := p.lx.peek(); nt.Is(';') {
				p.lx.next()
			}
			return s, nil
		default: // other punctuation: a word of the statement
			s.Words = append(s.Words, t)
			if len(s.Words) > tokbufSize {
				return nil, p.fail(t, "semicolon expected.")
			}
		}
	}
}

// valueBraces appends a brace-delimited value to s's words.
func (p *parser) valueBraces(s *Stmt, open Token) error {
	s.Words = append(s.Words, open)
	for n := 1; n > 0; {
		t := p.lx.next()
		if err := p.lexErr(); err != nil {
			return err
		}
		switch {
		case t.Kind == EOF:
			return p.fail(p.lx.last(), "unexpected end of file")
		case t.Is('{'):
			n++
		case t.Is('}'):
			n--
		}
		s.Words = append(s.Words, t)
		if len(s.Words) > tokbufSize {
			return p.fail(t, "semicolon expected.")
		}
	}
	return nil
}

// block reads statements up to the '}' that closes the block opened at
// open into s.Body.
func (p *parser) block(open Token, s *Stmt) error {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return p.fail(open, "blocks nested too deep")
	}
	for {
		t := p.lx.peek()
		if err := p.lexErr(); err != nil {
			return err
		}
		switch {
		case t.Kind == EOF:
			return p.fail(p.lx.last(), "unexpected end of file")
		case t.Is('}'):
			p.lx.next()
			return nil
		}
		b, err := p.statement()
		if err != nil {
			return err
		}
		if p.include != nil && b.Keyword() == "include" {
			inc, err := p.include(p, b)
			if err != nil {
				return err
			}
			s.Body = append(s.Body, inc...)
			continue
		}
		s.Body = append(s.Body, b)
	}
}

// maxFree bounds the statements kept for reuse.
const maxFree = 256

// newStmt returns an empty statement, reusing a released one.
func (p *parser) newStmt() *Stmt {
	if n := len(p.free); n > 0 {
		s := p.free[n-1]
		p.free = p.free[:n-1]
		*s = Stmt{File: p.lx.file, Words: s.Words[:0], Body: s.Body[:0]}
		return s
	}
	return &Stmt{File: p.lx.file, Words: make([]Token, 0, 8)}
}

// release gives s and its body back for reuse, once nothing refers to
// them (a leases record turned into a Lease): a leases file has millions
// of statements, all alike.
func (p *parser) release(s *Stmt) {
	for _, b := range s.Body {
		p.release(b)
	}
	if len(p.free) < maxFree && cap(s.Words) <= 64 {
		p.free = append(p.free, s)
	}
}

// check runs the word-by-word check of a statement's keyword; end is the
// ';' or '{' that ended it.
func (p *parser) check(s *Stmt, end Token) error {
	f := p.checks[s.Keyword()]
	if f == nil {
		return nil
	}
	// One cursor per parser: a new one per statement would be garbage.
	p.cur = cursor{words: s.Words, i: 1, end: end}
	if err := f(&p.cur); err != nil {
		return p.fail(Token{Line: int32(err.Line), Col: int32(err.Col)}, err.Msg)
	}
	return nil
}
