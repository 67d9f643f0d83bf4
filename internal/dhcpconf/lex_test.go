package dhcpconf

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// lexAll returns the tokens of src as "kind:text" and the first complaint.
func lexAll(src string) ([]string, error) {
	l := newLexer(strings.NewReader(src), "f")
	var out []string
	for {
		t := l.next()
		if l.err != nil {
			return out, l.err
		}
		if t.Kind == EOF {
			return out, nil
		}
		out = append(out, fmt.Sprintf("%d:%s", t.Kind, t.Text))
	}
}

func TestLexer(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{"host a { }", "4:host 3:a 5:{ 5:}"},
		{"# comment\nx; # more", "4:x 5:;"},
		// conflex.c splits addresses and MACs at '.' and ':'.
		{"192.0.2.1", "2:192 5:. 2:0 5:. 2:2 5:. 2:1"},
		{"00:5e:AB", "2:00 5:: 3:5e 5:: 3:AB"},
		// read_number: a Number becomes a NumberOrName, then a Name.
		{"12ab 12-x 0x1f 1_a", "3:12ab 4:12-x 3:0x1f 4:1_a"},
		{"- -3 a-b", "5:- 2:-3 4:a-b"},
		{`"a\tb\"c\\"`, "1:a\tb\"c\\"},
		{`"\101\x41\q\n"`, "1:AAq\n"},
		{`"\0"`, "1:\x00"},
		{"a\x00b\xffc", "3:a 5:\x00 3:b 5:\xff 3:c"},
	}
	for _, tt := range tests {
		got, err := lexAll(tt.src)
		if err != nil || strings.Join(got, " ") != tt.want {
			t.Errorf("lex(%q) = %q, %v; want %q", tt.src, strings.Join(got, " "), err, tt.want)
		}
	}
}

func TestLexerPositions(t *testing.T) {
	l := newLexer(strings.NewReader("a\n  bc \"d\"\n\tx"), "f")
	want := []Pos{{"f", 1, 1}, {"f", 2, 3}, {"f", 2, 6}, {"f", 3, 2}}
	for i, w := range want {
		if got := l.next().at("f"); got != w {
			t.Errorf("token %d at %v, want %v", i, got, w)
		}
	}
}

func TestLexerComplaints(t *testing.T) {
	long := strings.Repeat("a", tokbufSize)
	tests := []struct {
		src, msg string
		line     int
	}{
		{`"abc`, "eof in string constant", 1},
		{`"` + long + `"`, "string constant larger than internal buffer", 1},
		{"x\n" + long, "token larger than internal buffer", 2},
		{"1" + strings.Repeat("2", tokbufSize), "numeric token larger than internal buffer", 1},
		{"x" + strings.Repeat(" ", tokbufSize) + "y", "whitespace too long, buffer overflow.", 1},
		{`"\19"`, "invalid octal digit 39", 1},
		{`"\xg"`, "invalid hex digit: 67", 1},
	}
	for _, tt := range tests {
		_, err := lexAll(tt.src)
		var e *Error
		if !errors.As(err, &e) || e.Msg != tt.msg || e.Line != tt.line || !errors.Is(err, ErrSyntax) {
			t.Errorf("lex(%.20q...) error %v, want %q at line %d", tt.src, err, tt.msg, tt.line)
		}
	}
	// One byte shorter fits the buffer.
	if _, err := lexAll(`"` + long[1:] + `" ` + long[1:] + strings.Repeat(" ", tokbufSize-1)); err != nil {
		t.Errorf("tokens of %d bytes: %v", tokbufSize-1, err)
	}
}
