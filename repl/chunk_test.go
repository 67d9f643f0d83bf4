package repl

import (
	"reflect"
	"strings"
	"testing"
)

func TestCompile(t *testing.T) {
	tests := []struct {
		src  string
		want status
		expr bool
	}{
		{"1+1", complete, true},
		{"=1+1", complete, true},
		{"x = 1", complete, false},
		{"print(1)", complete, true}, // a call is an expression: its results print
		{"local t = {}", complete, false},
		{"function f()", incomplete, false},
		{"function f()\n return 3\n end", complete, false},
		{"if x then", incomplete, false},
		{"if x then\nelse", incomplete, false},
		{"for i = 1, 3 do", incomplete, false},
		{"while true do", incomplete, false},
		{"repeat", incomplete, false},
		{"{", incomplete, false}, // "return {" is unfinished
		{"{\n1,\n2}", complete, true},
		{"t = {", incomplete, false},
		{"f(", incomplete, false},
		{"1 +", incomplete, false},
		{"x =", incomplete, false},
		{"s = [[abc", incomplete, false},
		{"s = [[abc\ndef]]", complete, false},
		{"--[[ a comment", incomplete, false},
		{`s = "abc\`, incomplete, false}, // an escaped newline continues the string
		{`s = "abc`, invalid, false},     // a newline would end it anyway
		{"foo bar", invalid, false},
		{"end", invalid, false},
		{"x = )", invalid, false},
		{"break", invalid, false}, // a compile error, not a parse error
		{"=", complete, true},     // "return": nothing to print
		{"= )", invalid, false},
		{"", complete, true},
	}
	for _, tt := range tests {
		c, st, err := compile(tt.src, chunkName)
		if st != tt.want {
			t.Errorf("compile(%q) = %v (%v), want %v", tt.src, st, err, tt.want)
			continue
		}
		if st == complete && c.expr != tt.expr {
			t.Errorf("compile(%q).expr = %v, want %v", tt.src, c.expr, tt.expr)
		}
		if st != complete && err == nil {
			t.Errorf("compile(%q): no error", tt.src)
		}
	}
}

func TestErrorMessage(t *testing.T) {
	tests := []struct{ src, want string }{
		{"foo bar", "stdin:1: parse error near 'bar'"},
		{"x = 1\ny = = 2", "stdin:2: syntax error near '='"},
		{"function f()\n return 1", "stdin:2: syntax error near <eof>"},
		{"break", "stdin:1: no loop to break"},
	}
	for _, tt := range tests {
		_, _, err := compile(tt.src, chunkName)
		if got := errorMessage(err, chunkName, tt.src); got != tt.want {
			t.Errorf("errorMessage(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestBuffer(t *testing.T) {
	var b buffer
	if !b.Empty() {
		t.Fatal("new buffer not empty")
	}
	b.Append("function f()")
	b.Append(" return 3")
	b.Append("end")
	if got, want := b.String(), "function f()\n return 3\nend"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	b.Reset()
	if !b.Empty() || b.String() != "" {
		t.Errorf("after Reset: %q", b.String())
	}
}

func TestHistoryEncoding(t *testing.T) {
	entries := []string{
		"1+1",
		"function f()\n return 3\nend",
		`x = "a\` + "\n" + `b"`, // a line ending in a backslash inside an entry
		`print("c:\")  -- \`,    // an entry ending in a backslash
		"   indented",
	}
	var file strings.Builder
	for _, e := range entries {
		file.WriteString(encodeEntry(e) + "\n")
	}
	got := decodeHistory([]byte(file.String()))
	want := append([]string(nil), entries...)
	want[3] += " "
	if !reflect.DeepEqual(got, want) {
		t.Errorf("round trip:\n got %q\nwant %q", got, want)
	}
	if n := strings.Count(file.String(), "\n"); n != 8 {
		t.Errorf("file has %d lines, want 8:\n%s", n, file.String())
	}
}

func TestDisplayForm(t *testing.T) {
	tests := []struct{ in, want string }{
		{"1+1", "1+1"},
		{"function f()\n  return 3\nend", "function f() return 3 end"},
		{"x = 1 -- one\ny = 2", "x = 1 -- one\ny = 2"},
		{"s = [[a\nb]]", "s = [[a\nb]]"},
	}
	for _, tt := range tests {
		if got := displayForm(tt.in); got != tt.want {
			t.Errorf("displayForm(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
