package dhcpconf

import (
	"strconv"
	"strings"
)

// Data returns the bytes a value as written stands for: a quoted string's
// contents (its escapes decoded, as the lexer decodes them), or the octets
// of colon-separated hex ("01:00:5e"). false for anything else, e.g. an
// expression.
func Data(written string) ([]byte, bool) {
	if written == "" {
		return nil, false
	}
	if written[0] == '"' {
		l := newLexer(strings.NewReader(written), "")
		t := l.next()
		if l.err != nil || t.Kind != String || l.next().Kind != EOF {
			return nil, false
		}
		return []byte(t.Text), true
	}
	var out []byte
	for _, part := range strings.Split(written, ":") {
		if len(part) == 0 || len(part) > 2 {
			return nil, false
		}
		v, err := strconv.ParseUint(part, 16, 8)
		if err != nil {
			return nil, false
		}
		out = append(out, byte(v))
	}
	return out, true
}
