package omapitest

import (
	"encoding/base64"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/omapish/omapish/omapi"
)

// The key the fault scenarios sign with when Fault.Auth is set. Clients
// under test use the same: KeyName, Algorithm and SecretBase64 (or Secret).
const (
	KeyName   = "omapish-test"
	Algorithm = "hmac-md5"
)

// Secret is the raw secret of Key; SecretBase64 is its base64 form, as a
// configuration file or omapi.connect{secret=...} gives it.
var (
	Secret       = []byte("0123456789abcdef")
	SecretBase64 = base64.StdEncoding.EncodeToString(Secret)
)

// Key returns the authenticator of KeyName with Secret.
func Key() omapi.Authenticator {
	k, err := omapi.HMAC(KeyName, Algorithm, Secret)
	if err != nil {
		panic(err) // constant inputs
	}
	return k
}

// Fault is one way a broken or hostile server misbehaves, and the error a
// client must report for it. The same table drives the fault tests of the
// library (omapi), the Lua module (luaapi) and the command (omapish).
type Fault struct {
	Name string
	// Auth says the client signs with Key; ServeFault then sets Peer.Auth.
	Auth bool
	// Serve plays the server side of one connection.
	Serve func(p *Peer)
	// Code is the errcode.Of of the error (the Lua module's code).
	Code string
	// Want is a substring of the error text.
	Want string
}

// Faults is the fault matrix. Every scenario makes the first request of a
// client fail (for a signed client, the authenticator open or the first
// signed request after it); none answers a request correctly.
var Faults = []Fault{
	{Name: "wrong startup version", Serve: func(p *Peer) {
		p.Write([]byte{0, 0, 0, 99, 0, 0, 0, 24})
	}, Code: "protocol", Want: "protocol version 99"},
	{Name: "garbage bytes", Serve: func(p *Peer) {
		p.Intro()
		p.Read()
		p.Write([]byte(strings.Repeat("\xff", 64)))
	}, Code: "protocol", Want: "signature length"},
	{Name: "value length 0xFFFFFFFF", Serve: func(p *Peer) {
		p.Intro()
		req, _ := p.Read()
		p.Write(append(Header(0, 0, omapi.OpUpdate, 1, 9, rid(req)), 0, 0, 0, 4, 'n', 'a', 'm', 'e', 0xff, 0xff, 0xff, 0xff))
	}, Code: "protocol", Want: "announces 4294967295 bytes"},
	{Name: "name length past the end", Serve: func(p *Peer) {
		p.Intro()
		req, _ := p.Read()
		p.Write(append(Header(0, 0, omapi.OpUpdate, 1, 9, rid(req)), 0, 0, 0, 200, 'n'))
	}, Code: "protocol", Want: "middle of a message"},
	{Name: "message over the size cap", Serve: func(p *Peer) {
		// A first value of 1 KiB, sent, then one announcing the rest of
		// the cap and a byte more: the client must refuse it when it is
		// announced, not after allocating or reading it.
		p.Intro()
		req, _ := p.Read()
		b := append(Header(0, 0, omapi.OpUpdate, 1, 9, rid(req)), 0, 0, 0, 1, 'a', 0, 0, 4, 0)
		b = append(b, make([]byte, 1024)...)
		rest := uint32(omapi.DefaultMaxMessageSize - len(b) - 2 - 1 - 4 + 1)
		b = append(b, 0, 1, 'b', byte(rest>>24), byte(rest>>16), byte(rest>>8), byte(rest))
		p.Write(append(b, make([]byte, 4096)...))
	}, Code: "protocol", Want: "cap"},
	{Name: "bad signature", Auth: true, Serve: func(p *Peer) {
		p.Handshake()
		req, _ := p.Read()
		m := p.Status(orEmpty(req), 0, "")
		if len(m.Signature) > 3 {
			m.Signature[3] ^= 0x40
		}
		p.Send(m)
	}, Code: "auth", Want: "signature does not verify"},
	{Name: "unsigned reply where a signed one is due", Auth: true, Serve: func(p *Peer) {
		p.Handshake()
		req, _ := p.Read()
		p.Send(p.Status(&omapi.Message{ID: rid(req)}, 0, ""))
	}, Code: "auth", Want: "unsigned reply"},
	{Name: "wrong secret (unsigned STATUS 393227)", Auth: true, Serve: func(p *Peer) {
		p.Handshake()
		req, _ := p.Read()
		p.Send(p.Status(&omapi.Message{ID: rid(req)}, omapi.ResultInvalidKey, ""))
	}, Code: "auth", Want: "wrong secret"},
	{Name: "unknown key", Auth: true, Serve: func(p *Peer) {
		p.Intro()
		req, _ := p.Read()
		p.Send(p.Status(orEmpty(req), omapi.ResultNotFound, "no object matches specification"))
	}, Code: "auth", Want: "has no key"},
	{Name: "reply rid matches no request", Serve: func(p *Peer) {
		p.Intro()
		req, _ := p.Read()
		p.Send(p.Status(&omapi.Message{ID: rid(req) + 7}, 0, ""))
	}, Code: "protocol", Want: "answers no request"},
	{Name: "server closes mid-reply", Serve: func(p *Peer) {
		p.Intro()
		req, _ := p.Read()
		p.Write(Header(0, 0, omapi.OpUpdate, 1, 9, rid(req))[:13])
	}, Code: "protocol", Want: "middle of a message"},
	{Name: "server closes before replying", Serve: func(p *Peer) {
		p.Intro()
		p.Read()
	}, Code: "io", Want: "server closed the connection"},
	{Name: "server never answers", Serve: func(p *Peer) {
		p.Intro()
		p.Read()
		io.Copy(io.Discard, p.Conn) // until the client gives up and closes
	}, Code: "timeout", Want: "no reply within"},
	{Name: "server message with control characters", Serve: func(p *Peer) {
		p.Intro()
		req, _ := p.Read()
		p.Send(p.Status(orEmpty(req), omapi.ResultNotFound, "no object\r\n\x1b[2Jforged line\xff"))
	}, Code: "not-found", Want: `no object\r\n\x1b[2Jforged line\xff`},
	{Name: "server silent at startup", Serve: func(p *Peer) {
		io.Copy(io.Discard, p.Conn)
	}, Code: "timeout", Want: "no startup message within"},
	{Name: "server answers a byte at a time", Serve: func(p *Peer) {
		p.Intro()
		req, _ := p.Read()
		b, _ := p.Status(orEmpty(req), 0, "").MarshalBinary()
		for _, c := range b {
			if p.Write([]byte{c}) != nil {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	}, Code: "timeout", Want: "no reply within"},
}

// ServeFault serves f on a new listener (see Serve), with Peer.Auth set to
// Key when f.Auth, and returns the address.
func ServeFault(tb testing.TB, f Fault) string {
	tb.Helper()
	return Serve(tb, func(p *Peer) {
		if f.Auth {
			p.Auth = Key()
		}
		f.Serve(p)
	})
}

// rid is the id a reply to req answers; 0 when the read failed.
func rid(req *omapi.Message) uint32 {
	if req == nil {
		return 0
	}
	return req.ID
}

// orEmpty keeps a scenario going when its read failed (the client gave up).
func orEmpty(req *omapi.Message) *omapi.Message {
	if req == nil {
		return &omapi.Message{}
	}
	return req
}
