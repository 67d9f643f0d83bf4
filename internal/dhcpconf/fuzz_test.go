package dhcpconf

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// FuzzParse reads arbitrary bytes as a dhcpd.conf and as a leases file:
// no panic, an error is always a *Error with a position inside the input,
// and memory stays bounded (tokens are bounded by the token buffer,
// statements by the number of words, nesting by maxDepth).
func FuzzParse(f *testing.F) {
	for _, glob := range []string{"testdata/conf/*.conf", "testdata/reject/*.conf", "testdata/leases/*.leases"} {
		names, _ := filepath.Glob(glob)
		for _, n := range names {
			if b, err := os.ReadFile(n); err == nil && len(b) < 4096 {
				f.Add(b)
			}
		}
	}
	f.Add([]byte(sampleConf))
	f.Add([]byte(sampleLeases))
	f.Add([]byte(strings.Repeat("{", 200)))
	f.Add([]byte("option x code 1 = { a, { b }, c };"))
	now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		lines := bytes.Count(b, []byte("\n")) + 1
		check := func(err error) {
			if err == nil {
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				if errors.Is(err, ErrInclude) || errors.Is(err, ErrIncludeDepth) {
					return
				}
				t.Fatalf("error %v is not a *Error", err)
			}
			if e.Line < 1 || e.Line > lines || e.Col < 1 || e.Msg == "" {
				t.Fatalf("error %v outside the input (%d lines)", err, lines)
			}
		}
		c, err := ParseConf(bytes.NewReader(b), "f", &Options{NoIncludes: true})
		if c == nil {
			t.Fatal("no conf")
		}
		check(err)
		for _, s := range c.Statements {
			_ = s.Text()
		}
		ls, err := ParseLeases(bytes.NewReader(b), "f", now)
		if ls == nil {
			t.Fatal("no leases")
		}
		check(err)
		// The lexer's fast paths (a word, a string, a date, blanks taken
		// from the read buffer at once) never apply when the input comes
		// one byte at a time: the results must be the same.
		slow, slowErr := ParseLeases(iotest.OneByteReader(bytes.NewReader(b)), "f", now)
		if !reflect.DeepEqual(ls, slow) || fmt.Sprint(err) != fmt.Sprint(slowErr) {
			t.Fatalf("fast and byte-by-byte reads differ:\n%+v, %v\n%+v, %v", ls, err, slow, slowErr)
		}
		for _, h := range CurrentHosts(c, ls) {
			Data(h.ClientID)
		}
		DecodeSecret(string(b))
	})
}

// TestFastPathsSameResult: a generated busy leases file (dates, strings
// and words all taking the lexer's fast paths) reads the same one byte at
// a time, where no fast path applies.
func TestFastPathsSameResult(t *testing.T) {
	var b bytes.Buffer
	now := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	if err := genBusyLeases(&b, 256<<10, now); err != nil {
		t.Fatal(err)
	}
	fast, err := ParseLeases(bytes.NewReader(b.Bytes()), "f", now)
	if err != nil {
		t.Fatal(err)
	}
	slow, err := ParseLeases(iotest.OneByteReader(bytes.NewReader(b.Bytes())), "f", now)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fast, slow) {
		t.Error("fast and byte-by-byte reads differ")
	}
	if len(fast.Leases) < 500 || fast.Leases[0].Starts.IsZero() || fast.Leases[0].ClientID == "" {
		t.Errorf("%d leases, first %+v", len(fast.Leases), fast.Leases[0])
	}
}
