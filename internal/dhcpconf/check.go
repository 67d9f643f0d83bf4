package dhcpconf

import "strings"

// The word-by-word checks of the statements omapish models, after
// server/confpars.c and common/parse.c. Each reads the words after the
// keyword and fails where dhcpd would, with dhcpd's message.

// checkFunc checks the words of one statement.
type checkFunc func(c *cursor) *Error

// cursor walks the words of a statement.
type cursor struct {
	words []Token
	i     int
	end   Token // the ';' or '{' that ended the statement
}

// peek returns the current word, or the end token after the last.
func (c *cursor) peek() Token {
	if c.i < len(c.words) {
		return c.words[c.i]
	}
	return c.end
}

func (c *cursor) take() Token {
	t := c.peek()
	if c.i < len(c.words) {
		c.i++
	}
	return t
}

// errAt is a complaint at t; the parser adds the file.
func (c *cursor) errAt(t Token, msg string) *Error {
	return &Error{Pos: Pos{Line: int(t.Line), Col: int(t.Col)}, Msg: msg}
}

// semi ends a simple statement: no word left, and a ';'.
func (c *cursor) semi() *Error {
	if t := c.peek(); c.i < len(c.words) || !t.Is(';') {
		return c.errAt(t, "semicolon expected.")
	}
	return nil
}

// brace ends a block's header: no word left, and a '{'.
func (c *cursor) brace(msg string) *Error {
	if t := c.peek(); c.i < len(c.words) || !t.Is('{') {
		return c.errAt(t, msg)
	}
	return nil
}

func isWord(t Token) bool { return t.Kind == Name || t.Kind == NumberOrName || t.Kind == Number }

// word takes one of the keywords ws.
func (c *cursor) word(msg string, ws ...string) *Error {
	t := c.take()
	for _, w := range ws {
		if t.IsWord(w) {
			return nil
		}
	}
	return c.errAt(t, msg)
}

// number takes a decimal number.
func (c *cursor) number(msg string) *Error {
	if t := c.take(); t.Kind != Number {
		return c.errAt(t, msg)
	}
	return nil
}

// dotted takes word(.word)*: an IPv4 address or a host name.
func (c *cursor) dotted(msg string) *Error {
	if t := c.take(); !isWord(t) {
		return c.errAt(t, msg)
	}
	for c.peek().Is('.') && c.i < len(c.words) {
		c.take()
		if t := c.take(); !isWord(t) {
			return c.errAt(t, msg)
		}
	}
	return nil
}

// hexList takes colon-separated hex octets (parse_numeric_aggregate with
// ':' and base 16), or a string when str.
func (c *cursor) hexList(msg string, str bool) *Error {
	if str && c.peek().Kind == String {
		c.take()
		return nil
	}
	for {
		if t := c.take(); t.Kind != Number && t.Kind != NumberOrName {
			return c.errAt(t, msg)
		}
		if !c.peek().Is(':') || c.i >= len(c.words) {
			return nil
		}
		c.take()
	}
}

// date takes parse_date_core's forms: "never", "epoch N", or
// "W YYYY/MM/DD HH:MM:SS".
func (c *cursor) date() *Error {
	t := c.peek()
	switch {
	case t.IsWord("never"):
		c.take()
		return nil
	case t.IsWord("epoch"):
		c.take()
		return c.number("Seconds since epoch expected.")
	}
	if err := c.number("numeric day of week expected."); err != nil {
		return err
	}
	if err := c.number("numeric year expected."); err != nil {
		return err
	}
	if t := c.take(); !t.Is('/') {
		return c.errAt(t, "expected slash separating year from month.")
	}
	if err := c.number("numeric month expected."); err != nil {
		return err
	}
	if t := c.take(); !t.Is('/') {
		return c.errAt(t, "expected slash separating month from day.")
	}
	if err := c.number("numeric day of month expected."); err != nil {
		return err
	}
	if err := c.number("numeric hour expected."); err != nil {
		return err
	}
	if t := c.take(); !t.Is(':') {
		return c.errAt(t, "expected colon separating hour from minute.")
	}
	if err := c.number("numeric minute expected."); err != nil {
		return err
	}
	if t := c.take(); !t.Is(':') {
		return c.errAt(t, "expected colon separating minute from second.")
	}
	if err := c.number("numeric second expected."); err != nil {
		return err
	}
	// An optional time zone offset (parse_date_core), then the end.
	if t := c.peek(); t.Kind == Number && c.i < len(c.words) {
		c.take()
	} else if !t.Is(';') && c.i < len(c.words) {
		return c.errAt(t, "Time zone offset or semicolon expected.")
	}
	return nil
}

// checks are the statements checked word by word, by keyword. One table
// serves both files: the keywords do not clash.
var checks = map[string]checkFunc{
	// dhcpd.conf declarations.
	"omapi-port": func(c *cursor) *Error {
		if err := c.number("expecting number."); err != nil {
			return err
		}
		return c.semi()
	},
	"include": func(c *cursor) *Error {
		if t := c.take(); t.Kind != String {
			return c.errAt(t, "filename string expected.")
		}
		return c.semi()
	},
	"subnet": func(c *cursor) *Error {
		if err := c.dotted("expecting IP address"); err != nil {
			return err
		}
		if err := c.word("Expecting netmask", "netmask"); err != nil {
			return err
		}
		if err := c.dotted("expecting IP address"); err != nil {
			return err
		}
		return c.brace("expecting left brace.")
	},
	"range": func(c *cursor) *Error {
		if c.peek().IsWord("dynamic-bootp") {
			c.take()
		}
		if err := c.dotted("expecting IP address"); err != nil {
			return err
		}
		if c.i < len(c.words) {
			if err := c.dotted("expecting IP address"); err != nil {
				return err
			}
		}
		return c.semi()
	},
	"fixed-address": func(c *cursor) *Error {
		for {
			if err := c.dotted("expecting IP address or hostname"); err != nil {
				return err
			}
			if !c.peek().Is(',') || c.i >= len(c.words) {
				return c.semi()
			}
			c.take()
		}
	},
	"hardware": func(c *cursor) *Error {
		if t := c.take(); !isWord(t) {
			return c.errAt(t, "expecting a network hardware type")
		}
		if c.i < len(c.words) {
			if err := c.hexList("expecting hexadecimal number.", false); err != nil {
				return err
			}
		}
		if t := c.peek(); c.i < len(c.words) || !t.Is(';') {
			return c.errAt(t, "expecting semicolon.")
		}
		return nil
	},
	"host":           nameBlock("expecting a name for host declaration."),
	"shared-network": nameBlock("expecting a name for shared-network"),
	"group": func(c *cursor) *Error {
		if c.i < len(c.words) {
			if t := c.take(); !isWord(t) && t.Kind != String {
				return c.errAt(t, "expecting a group name")
			}
		}
		if c.end.Is(';') && c.i == 2 {
			return c.semi() // a host's "group NAME;"
		}
		return c.brace("expecting left brace.")
	},
	"pool": func(c *cursor) *Error { return c.brace("expecting left brace.") },
	"key": func(c *cursor) *Error {
		if err := c.keyName(); err != nil {
			return err
		}
		if c.end.Is(';') {
			return c.semi() // a zone's "key NAME;"
		}
		return c.brace("expecting left brace.")
	},
	"omapi-key": func(c *cursor) *Error {
		if err := c.keyName(); err != nil {
			return err
		}
		return c.semi()
	},
	"secret": func(c *cursor) *Error {
		for c.i < len(c.words) {
			c.take() // base64, possibly split into tokens at '+' '/' '='
		}
		return c.semi()
	},
	"failover": func(c *cursor) *Error {
		if err := c.word("expecting \"peer\"", "peer"); err != nil {
			return err
		}
		if t := c.take(); !isWord(t) && t.Kind != String {
			return c.errAt(t, "expecting failover peer name.")
		}
		if c.peek().IsWord("state") && c.i < len(c.words) {
			c.take()
		} else if c.end.Is(';') {
			return c.semi() // a pool's "failover peer NAME;"
		}
		return c.brace("expecting left brace")
	},
	"class": classBlock,
	"subclass": func(c *cursor) *Error {
		if t := c.take(); t.Kind != String && !isWord(t) {
			return c.errAt(t, "Expecting class name")
		}
		if c.i >= len(c.words) {
			return c.errAt(c.peek(), "expecting string or hex list")
		}
		if err := c.hexList("expecting string or hex list", true); err != nil {
			return err
		}
		if c.end.Is('{') {
			return c.brace("expecting left brace.")
		}
		return c.semi()
	},

	// Lease records, as server/db.c writes them.
	"lease": func(c *cursor) *Error {
		if err := c.dotted("expecting IP address"); err != nil {
			return err
		}
		return c.brace("expecting left brace.")
	},
	"starts": dateStmt, "ends": dateStmt, "tstp": dateStmt, "tsfp": dateStmt,
	"atsfp": dateStmt, "cltt": dateStmt, "timestamp": dateStmt,
	"binding": bindingState,
	"next": func(c *cursor) *Error {
		if err := c.word("expecting 'binding'", "binding"); err != nil {
			return err
		}
		return bindingState(c)
	},
	"rewind": func(c *cursor) *Error {
		if err := c.word("expecting 'binding'", "binding"); err != nil {
			return err
		}
		return bindingState(c)
	},
	"uid": func(c *cursor) *Error {
		if err := c.hexList("expecting hexadecimal number.", true); err != nil {
			return err
		}
		return c.semi()
	},
	"client-hostname": func(c *cursor) *Error {
		if c.peek().Kind != String {
			if err := c.dotted("expecting a hostname."); err != nil {
				return err
			}
		} else {
			c.take()
		}
		return c.semi()
	},
	"abandoned": bare, "bootp": bare, "reserved": bare, "dynamic": bare,
	"deleted": bare, "authoritative": bare, "dynamic-bootp": bare,
	"server-duid": func(c *cursor) *Error {
		// The leases file's form; dhcpd.conf's (LLT, EN, LL ...) is
		// not checked.
		if c.peek().Kind == String {
			c.take()
			return c.semi()
		}
		return nil
	},
	"authoring-byte-order": func(c *cursor) *Error {
		if err := c.word("authoring-byte-order is invalid: ", "little-endian", "big-endian"); err != nil {
			return err
		}
		return c.semi()
	},
	"my": peerState, "partner": peerState,
}

// bare is a keyword alone: "abandoned;".
func bare(c *cursor) *Error { return c.semi() }

func dateStmt(c *cursor) *Error {
	if err := c.date(); err != nil {
		return err
	}
	return c.semi()
}

// bindingStates are the states a leases file names (and the two old
// ones dhcpd still reads as active).
var bindingStates = []string{"free", "active", "expired", "released", "abandoned", "reset", "backup", "reserved", "bootp"}

func bindingState(c *cursor) *Error {
	if err := c.word("expecting 'state'", "state"); err != nil {
		return err
	}
	t := c.peek()
	if err := c.word("", bindingStates...); err != nil {
		return c.errAt(t, strings.TrimSpace(t.Text+": expecting a binding state."))
	}
	return c.semi()
}

// peerState is "my state S at DATE;" or "partner state ..." in a failover
// peer's state record.
func peerState(c *cursor) *Error {
	if err := c.word("expecting 'state'", "state"); err != nil {
		return err
	}
	if t := c.take(); !isWord(t) {
		return c.errAt(t, "expecting failover state")
	}
	if c.peek().IsWord("at") && c.i < len(c.words) {
		c.take()
		if err := c.date(); err != nil {
			return err
		}
	}
	return c.semi()
}

func nameBlock(msg string) checkFunc {
	return func(c *cursor) *Error {
		if t := c.take(); !isWord(t) && t.Kind != String {
			return c.errAt(t, msg)
		}
		for c.peek().Is('.') && c.i < len(c.words) { // host a.example.com
			c.take()
			if t := c.take(); !isWord(t) {
				return c.errAt(t, msg)
			}
		}
		return c.brace("expecting left brace.")
	}
}

func classBlock(c *cursor) *Error {
	if t := c.take(); t.Kind != String && !isWord(t) {
		return c.errAt(t, "Expecting class name")
	}
	return c.brace("expecting left brace.")
}

// keyName takes a key name: a string, or a domain name with an optional
// final dot (parse_host_name).
func (c *cursor) keyName() *Error {
	if c.peek().Kind == String {
		c.take()
		return nil
	}
	for {
		if t := c.take(); !isWord(t) {
			return c.errAt(t, "expecting key name.")
		}
		if !c.peek().Is('.') || c.i >= len(c.words) {
			return nil
		}
		c.take()
		if c.i >= len(c.words) {
			return nil // the final dot
		}
	}
}
