package omapi

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// openHostRequest is omapi-protocol.md §1.6: OPEN a host by MAC, unsigned.
var openHostRequest = []byte{
	0x00, 0x00, 0x00, 0x00, // authid 0: unsigned
	0x00, 0x00, 0x00, 0x00, // authlen 0
	0x00, 0x00, 0x00, 0x01, // opcode 1: OPEN
	0x00, 0x00, 0x00, 0x00, // handle 0
	0x00, 0x00, 0x03, 0xe8, // id 1000
	0x00, 0x00, 0x00, 0x00, // rid 0
	// message values
	0x00, 0x04, 't', 'y', 'p', 'e', // name "type"
	0x00, 0x00, 0x00, 0x04, 'h', 'o', 's', 't', // value "host"
	0x00, 0x00, // end of message values
	// object values
	0x00, 0x10, 'h', 'a', 'r', 'd', 'w', 'a', 'r', 'e', '-', 'a', 'd', 'd', 'r', 'e', 's', 's',
	0x00, 0x00, 0x00, 0x06, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, // MAC 00:11:22:33:44:55
	0x00, 0x0d, 'h', 'a', 'r', 'd', 'w', 'a', 'r', 'e', '-', 't', 'y', 'p', 'e',
	0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, // 1 = Ethernet
	0x00, 0x00, // end of object values
}

func TestOpenHostVector(t *testing.T) {
	m := &Message{Op: OpOpen, ID: 1000}
	m.Message.SetString("type", "host")
	m.Object.SetHardwareAddr("hardware-address", []byte{0x00, 0x11, 0x22, 0x33, 0x44, 0x55})
	m.Object.SetUint32("hardware-type", 1)
	got, err := m.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, openHostRequest) {
		t.Fatalf("encode:\n got %x\nwant %x", got, openHostRequest)
	}
	back, err := ParseMessage(openHostRequest)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, m) {
		t.Fatalf("decode: got %+v, want %+v", back, m)
	}
}

type vector struct {
	dir string // "C->S" or "S->C"
	b   []byte
}

// transcript loads the messages of omapi-transcript.txt (testdata/transcript.hex).
func transcript(tb testing.TB) []vector {
	tb.Helper()
	data, err := os.ReadFile("testdata/transcript.hex")
	if err != nil {
		tb.Fatal(err)
	}
	var out []vector
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		dir, hx, _ := strings.Cut(line, " ")
		b, err := hex.DecodeString(hx)
		if err != nil {
			tb.Fatal(err)
		}
		if len(b) == IntroSize {
			continue
		}
		out = append(out, vector{dir, b})
	}
	return out
}

var transcriptKey = func() Authenticator {
	secret, _ := base64.StdEncoding.DecodeString("c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0")
	a, err := HMAC("omapi_key", "hmac-md5", secret)
	if err != nil {
		panic(err)
	}
	return a
}()

func TestTranscript(t *testing.T) {
	vs := transcript(t)
	if len(vs) != 12 {
		t.Fatalf("%d messages in the transcript, want 12", len(vs))
	}
	for i, v := range vs {
		m, err := ParseMessage(v.b)
		if err != nil {
			t.Fatalf("message %d (%s): %v", i, v.dir, err)
		}
		again, err := m.MarshalBinary()
		if err != nil || !bytes.Equal(again, v.b) {
			t.Fatalf("message %d: re-encoding differs: %v\n got %x\nwant %x", i, err, again, v.b)
		}
		if m.AuthID != 0 && !m.Verify(transcriptKey) {
			t.Errorf("message %d (%s): signature does not verify", i, v.dir)
		}
		if m.AuthID != 0 {
			// Re-signing gives the captured signature.
			c := *m
			c.Signature = nil
			if err := c.Sign(transcriptKey); err != nil || !bytes.Equal(c.Signature, m.Signature) {
				t.Errorf("message %d: Sign = %x, want %x", i, c.Signature, m.Signature)
			}
		}
	}

	// Field-by-field checks of the interesting ones.
	tests := []struct {
		i      int
		op     Opcode
		handle uint32
		id     uint32
		rid    uint32
		check  func(*Message) error
	}{
		{0, OpOpen, 0, 0x6b8b4567, 0, func(m *Message) error { return want(m.Object, "name", "omapi_key") }},
		{1, OpUpdate, 1, 0x7ddc9d7a, 0x6b8b4567, func(m *Message) error {
			return want(m.Object, "algorithm", "hmac-md5.SIG-ALG.REG.INT.")
		}},
		{3, OpUpdate, 2, 0x7ddc9d7b, 0x6b8b4568, func(m *Message) error { return want(m.Object, "name", "probe1") }},
		{5, OpStatus, 0, 0x7ddc9d7c, 0x6b8b4569, func(m *Message) error {
			if err := statusError(&Message{Op: OpOpen}, m); !errors.Is(err, ResultExists) {
				return err
			}
			return want(m.Message, "message", "specified object already exists")
		}},
		{7, OpStatus, 0, 0x7ddc9d7d, 0x6b8b456a, func(m *Message) error {
			if err := statusError(&Message{Op: OpOpen}, m); !errors.Is(err, ResultNotFound) {
				return err
			}
			return nil
		}},
		{10, OpDelete, 2, 0x6b8b456c, 0, nil},
		{11, OpStatus, 0, 0x7ddc9d7f, 0x6b8b456c, func(m *Message) error { return statusError(&Message{Op: OpDelete}, m) }},
	}
	for _, tt := range tests {
		m, _ := ParseMessage(vs[tt.i].b)
		if m.Op != tt.op || m.Handle != tt.handle || m.ID != tt.id || m.RID != tt.rid {
			t.Errorf("message %d: op %v handle %d id %#x rid %#x; want %v %d %#x %#x",
				tt.i, m.Op, m.Handle, m.ID, m.RID, tt.op, tt.handle, tt.id, tt.rid)
		}
		if tt.check != nil {
			if err := tt.check(m); err != nil {
				t.Errorf("message %d: %v", tt.i, err)
			}
		}
	}
}

func want(vs Values, name, text string) error {
	got, err := vs.String(name)
	if err != nil {
		return err
	}
	if got != text {
		return errors.New(name + " = " + got + ", want " + text)
	}
	return nil
}

func TestSignAlgorithms(t *testing.T) {
	// HMACs computed independently (Python's hmac) over the §1.6 request
	// with authid 1 and id 1001, key "0123456789abcdef".
	tests := []struct{ alg, sig string }{
		{"hmac-md5", "713a877c69dff9364b68c048d33b1e0a"},
		{"HMAC-SHA1.SIG-ALG.REG.INT.", "2be1a76c586bf0e1e78d0fd270e0a22fec033355"},
		{"hmac-sha224", "e20abbc04a7595998d5ce777c7af2bf36f2dcb91b5185430a1add770"},
		{"hmac-sha256", "dbec8e17b2951174ae94c7e72662191e04c1fe3aafccc11a53c551ac736969b6"},
		{"hmac-sha384", "f8a940f33a8e62796e1a04d978f492fec89a5359a4436bd4da0dab33fd91a005945baddedc61556f7aa3f4fe2cc8cdd8"},
		{"hmac-sha512", "5ad33d4f9a01cf70f7a935b4c00f17812fadd46c2040706c682f12404f0bb4bef36ff058531ff4a1cb85913ddbdae64c57863737a975fe56f4d19eaa7e815e82"},
	}
	for _, tt := range tests {
		t.Run(tt.alg, func(t *testing.T) {
			a, err := HMAC("k", tt.alg, []byte("0123456789abcdef"))
			if err != nil {
				t.Fatal(err)
			}
			m, _ := ParseMessage(openHostRequest)
			m.AuthID, m.ID = 1, 1001
			if err := m.Sign(a); err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(m.Signature); got != tt.sig {
				t.Fatalf("signature %s, want %s", got, tt.sig)
			}
			if !m.Verify(a) {
				t.Fatal("Verify rejects its own signature")
			}
			m.Signature[0] ^= 1
			if m.Verify(a) {
				t.Fatal("Verify accepts a changed signature")
			}
		})
	}
}

func TestHMACErrors(t *testing.T) {
	for _, tt := range []struct{ name, alg, secret string }{
		{"k", "hmac-md4", "x"}, {"", "hmac-md5", "x"}, {"k", "hmac-md5", ""},
	} {
		if _, err := HMAC(tt.name, tt.alg, []byte(tt.secret)); err == nil {
			t.Errorf("HMAC(%q, %q) succeeded", tt.name, tt.alg)
		}
	}
	a, _ := HMAC("k", "hmac-sha256", []byte("topsecret"))
	if s := a.(interface{ String() string }).String(); strings.Contains(s, "topsecret") {
		t.Fatalf("String shows the secret: %s", s)
	}
}

// TestReaderStream reads all transcript messages from one stream, one byte
// at a time and all at once.
func TestReaderStream(t *testing.T) {
	var all []byte
	vs := transcript(t)
	for _, v := range vs {
		all = append(all, v.b...)
	}
	for name, r := range map[string]io.Reader{
		"whole":   bytes.NewReader(all),
		"onebyte": iotest.OneByteReader(bytes.NewReader(all)),
		"halves":  iotest.HalfReader(bytes.NewReader(all)),
	} {
		t.Run(name, func(t *testing.T) {
			rd := NewReader(r, 0)
			for i, v := range vs {
				m, err := rd.ReadMessage()
				if err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
				if !bytes.Equal(rd.Raw(), v.b) {
					t.Fatalf("message %d: raw bytes differ", i)
				}
				if m.AuthID != 0 && !bytes.Equal(rd.Signed(m), v.b[4:len(v.b)-len(m.Signature)]) {
					t.Fatalf("message %d: Signed covers the wrong bytes", i)
				}
			}
			if _, err := rd.ReadMessage(); err != io.EOF {
				t.Fatalf("after the last message: %v, want io.EOF", err)
			}
		})
	}
}

func TestReaderLimits(t *testing.T) {
	hdr := func(authlen byte) []byte {
		return []byte{0, 0, 0, 0, 0, 0, 0, authlen, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1}
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name string
		in   []byte
		max  int
		want string // substring of the error; "" means io.ErrUnexpectedEOF
	}{
		{"huge value", cat(hdr(0), []byte{0, 1, 'x', 0xff, 0xff, 0xff, 0xff}), 0, "announces 4294967295 bytes"},
		{"name past the end", cat(hdr(0), []byte{0, 9, 'x'}), 0, ""},
		{"value past the end", cat(hdr(0), []byte{0, 1, 'x', 0, 0, 0, 9, 1, 2}), 0, ""},
		{"short header", hdr(0)[:10], 0, ""},
		{"huge signature", cat([]byte{0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff}, hdr(0)[8:]), 0, "signature length"},
		{"over the cap", cat(hdr(0), []byte{0, 1, 'x', 0, 0, 0, 40}, make([]byte, 40), []byte{0, 0, 0, 0}), 64, "cap"},
		{"no terminator", cat(hdr(0), []byte{0, 0}), 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewReader(bytes.NewReader(tt.in), tt.max).ReadMessage()
			if tt.want == "" {
				if !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("err = %v, want unexpected EOF", err)
				}
				return
			}
			var pe ProtocolError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a ProtocolError containing %q", err, tt.want)
			}
		})
	}
}

func TestReadIntro(t *testing.T) {
	for _, tt := range []struct {
		in []byte
		ok bool
	}{
		{[]byte{0, 0, 0, 100, 0, 0, 0, 24}, true},
		{[]byte{0, 0, 0, 101, 0, 0, 0, 24}, false},
		{[]byte{0, 0, 0, 100, 0, 0, 0, 28}, false},
		{[]byte("garbage!"), false},
	} {
		err := NewReader(bytes.NewReader(tt.in), 0).ReadIntro()
		var pe ProtocolError
		if tt.ok != (err == nil) || (!tt.ok && !errors.As(err, &pe)) {
			t.Errorf("ReadIntro(%x) = %v", tt.in, err)
		}
	}
}

func TestParseMessageTrailing(t *testing.T) {
	if _, err := ParseMessage(append(append([]byte{}, openHostRequest...), 0)); err == nil {
		t.Fatal("trailing byte accepted")
	}
}

func TestEncodeErrors(t *testing.T) {
	m := &Message{Op: OpOpen, Object: Values{{"", []byte("x")}}}
	if _, err := m.MarshalBinary(); err == nil {
		t.Fatal("empty name accepted")
	}
	m.Object = Values{{strings.Repeat("n", 70000), nil}}
	if _, err := m.MarshalBinary(); err == nil {
		t.Fatal("70000-byte name accepted")
	}
}

// FuzzReadMessage: whatever decodes must encode back to the same bytes
// and decode again to the same message (dnsmessage's FuzzUnpackPack).
func FuzzReadMessage(f *testing.F) {
	for _, v := range transcript(f) {
		f.Add(v.b)
	}
	f.Add(openHostRequest)
	f.Fuzz(func(t *testing.T, b []byte) {
		r := NewReader(bufio.NewReader(bytes.NewReader(b)), 1<<16)
		m, err := r.ReadMessage()
		if err != nil {
			return
		}
		raw := append([]byte(nil), r.Raw()...)
		out, err := m.MarshalBinary()
		if err != nil {
			t.Fatalf("decoded message does not encode: %v", err)
		}
		if !bytes.Equal(out, raw) {
			t.Fatalf("round trip differs:\n got %x\nwant %x", out, raw)
		}
		m2, err := ParseMessage(out)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if !reflect.DeepEqual(normalize(m), normalize(m2)) {
			t.Fatalf("re-decoded message differs: %+v vs %+v", m, m2)
		}
	})
}

// normalize makes empty and nil slices compare equal.
func normalize(m *Message) Message {
	c := *m
	if len(c.Signature) == 0 {
		c.Signature = nil
	}
	for _, vs := range []*Values{&c.Message, &c.Object} {
		out := Values{}
		for _, v := range *vs {
			if len(v.Data) == 0 {
				v.Data = nil
			}
			out = append(out, v)
		}
		*vs = out
	}
	return c
}
