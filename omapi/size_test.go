package omapi

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

// sizedReply is the wire form of an UPDATE whose object holds the given
// values, unsigned.
func sizedReply(tb testing.TB, vs Values) []byte {
	tb.Helper()
	m := &Message{Op: OpUpdate, Handle: 7, ID: 2, RID: 1, Object: vs}
	b, err := m.MarshalBinary()
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// allocated returns the bytes allocated while f runs (all goroutines:
// the tests using it do not run in parallel).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// A hostile length is refused when it is announced, before the bytes it
// announces are allocated, whatever the cap.
func TestReaderHostileLengths(t *testing.T) {
	hdr := make([]byte, HeaderSize)
	binary.BigEndian.PutUint32(hdr[8:], uint32(OpUpdate))
	u32 := func(n uint32) []byte { return binary.BigEndian.AppendUint32(nil, n) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	first := cat([]byte{0, 0, 0, 1, 'a'}, u32(1000), make([]byte, 1000))
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"a 4 GiB value", cat(hdr, []byte{0, 0, 0, 4, 'n', 'a', 'm', 'e'}, u32(0xffffffff)), "announces 4294967295 bytes"},
		{"a value just over the cap", cat(hdr, []byte{0, 0, 0, 1, 'x'}, u32(DefaultMaxMessageSize)), "cap"},
		{"values adding up over the cap", cat(hdr, first, []byte{0, 1, 'b'}, u32(DefaultMaxMessageSize-uint32(len(hdr)+len(first))-7+1)), "cap"},
		{"a 4 GiB signature", cat(hdr[:4], u32(0xffffffff), hdr[8:]), "signature length"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			n := allocated(func() {
				_, err = NewReader(bytes.NewReader(tt.in), 0).ReadMessage()
			})
			var pe ProtocolError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a ProtocolError containing %q", err, tt.want)
			}
			if n > 64<<10 {
				t.Fatalf("refusing it allocated %d bytes", n)
			}
			// The reader, its bufio buffer, its first 512 bytes and the
			// error's text: a handful, none of them sized by the peer.
			allocs := testing.AllocsPerRun(20, func() {
				NewReader(bytes.NewReader(tt.in), 0).ReadMessage()
			})
			if allocs > 16 {
				t.Fatalf("%v allocations to refuse it", allocs)
			}
		})
	}
}

// A peer that announces a large value (under the cap) and sends only a
// little of it costs about what it sent, not what it announced.
func TestReaderGrowsWithTheBytes(t *testing.T) {
	whole := sizedReply(t, Values{{"name", make([]byte, 12<<20)}})
	sent := whole[:100<<10] // the header, the announcement, 100 KiB of it
	var err error
	n := allocated(func() {
		_, err = NewReader(bytes.NewReader(sent), 0).ReadMessage()
	})
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want unexpected EOF", err)
	}
	if n > 1<<20 {
		t.Fatalf("reading 100 KiB of an announced 12 MiB value allocated %d bytes", n)
	}
}

// Large legitimate replies are read whole, with memory in proportion to
// their size.
func TestReaderLargeValues(t *testing.T) {
	for _, size := range []int{300 << 10, 5 << 20, DefaultMaxMessageSize - 200} {
		name := bytes.Repeat([]byte("z"), size)
		in := sizedReply(t, Values{{"name", name}, {"hardware-address", []byte{0, 0, 0x5e, 0, 0x53, 0x84}}})
		var (
			m   *Message
			err error
		)
		n := allocated(func() { m, err = NewReader(bytes.NewReader(in), 0).ReadMessage() })
		if err != nil {
			t.Fatalf("%d-byte name: %v", size, err)
		}
		if got, _ := m.Object.Get("name"); !bytes.Equal(got, name) {
			t.Fatalf("%d-byte name: read back %d bytes, not the same", size, len(got))
		}
		if n > uint64(4*len(in)+(1<<20)) {
			t.Errorf("%d-byte reply: allocated %d bytes", len(in), n)
		}
		t.Logf("%d-byte reply: %d bytes allocated", len(in), n)
	}
}

func TestMaxRequestValues(t *testing.T) {
	limit := maxRequestValues(0)
	if limit != DefaultMaxMessageSize/4 {
		t.Fatalf("maxRequestValues(0) = %d", limit)
	}
	// name "name": 2 + 4 + 4 bytes around the data.
	fits := &Message{Op: OpOpen, Object: Values{{"name", make([]byte, limit-10)}}}
	if err := checkSize(fits, DefaultMaxMessageSize); err != nil {
		t.Fatalf("a request of exactly the limit: %v", err)
	}
	over := &Message{Op: OpOpen, Message: Values{{"create", []byte{0, 0, 0, 1}}}, Object: Values{{"name", make([]byte, limit-10)}}}
	err := checkSize(over, DefaultMaxMessageSize)
	if !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrBadRequest) {
		t.Fatalf("a request over the limit: %v, want ErrTooLarge", err)
	}
	for _, want := range []string{`"name"`, "receive cap", "4194304-byte limit"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %s", err, want)
		}
	}
}
