// Package omapitest is a scriptable fake OMAPI peer for tests of what a
// real dhcpd cannot be made to do: truncated, hostile, slow or silent
// replies. It never stands in for dhcpd in a test of a feature.
//
// A test starts a Server with a function that plays the server side of
// each accepted connection through a Peer:
//
//	addr := omapitest.Serve(t, func(p *omapitest.Peer) {
//		p.Intro()
//		req, _ := p.Read()
//		p.Send(p.Status(req, omapi.ResultNotFound, "no object matches specification"))
//	})
package omapitest

import (
	"encoding/binary"
	"net"
	"sync"
	"testing"

	"github.com/omapish/omapish/omapi"
)

// Peer is the server side of one connection.
type Peer struct {
	Conn net.Conn
	// Auth, when set, signs what Reply and Status build and makes Auth
	// requests succeed with handle AuthID.
	Auth   omapi.Authenticator
	AuthID uint32
	r      *omapi.Reader
	id     uint32
}

// Serve listens on 127.0.0.1:0 and runs fn for every accepted connection,
// each on its own goroutine; the connection is closed when fn returns.
// Everything stops at the end of the test. It returns the address.
func Serve(tb testing.TB, fn func(p *Peer)) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("omapitest: %v", err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	tb.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				fn(NewPeer(c))
			}()
		}
	}()
	return ln.Addr().String()
}

// NewPeer wraps the server end of a connection.
func NewPeer(c net.Conn) *Peer {
	return &Peer{Conn: c, r: omapi.NewReader(c, 0), id: 0x7ddc9d7a, AuthID: 1}
}

// Intro sends the server's startup message and reads the client's.
func (p *Peer) Intro() error {
	if _, err := p.Conn.Write(omapi.AppendIntro(nil)); err != nil {
		return err
	}
	return p.r.ReadIntro()
}

// Read reads the next request.
func (p *Peer) Read() (*omapi.Message, error) { return p.r.ReadMessage() }

// Write sends raw bytes as they are.
func (p *Peer) Write(b []byte) error {
	_, err := p.Conn.Write(b)
	return err
}

// Send encodes and writes a message as it is (no signing).
func (p *Peer) Send(m *omapi.Message) error {
	b, err := m.MarshalBinary()
	if err != nil {
		return err
	}
	return p.Write(b)
}

// Reply builds an UPDATE answering req with an object, signed when req was.
func (p *Peer) Reply(req *omapi.Message, handle uint32, object omapi.Values) *omapi.Message {
	m := &omapi.Message{Op: omapi.OpUpdate, Handle: handle, Object: object}
	return p.answer(req, m)
}

// Status builds a STATUS answering req, signed when req was; text "" sends
// no message value.
func (p *Peer) Status(req *omapi.Message, res omapi.Result, text string) *omapi.Message {
	m := &omapi.Message{Op: omapi.OpStatus}
	m.Message.SetUint32("result", uint32(res))
	if text != "" {
		m.Message.SetString("message", text)
	}
	return p.answer(req, m)
}

func (p *Peer) answer(req, m *omapi.Message) *omapi.Message {
	p.id++
	m.ID, m.RID = p.id, req.ID
	if req.AuthID != 0 && p.Auth != nil {
		m.AuthID = req.AuthID
		m.Sign(p.Auth)
	}
	return m
}

// AcceptAuth answers an authenticator OPEN the way dhcpd does on success.
func (p *Peer) AcceptAuth(req *omapi.Message) error {
	return p.Send(p.Reply(req, p.AuthID, omapi.Values{
		{Name: "name", Data: []byte(p.Auth.Name())},
		{Name: "algorithm", Data: []byte(p.Auth.Algorithm())},
	}))
}

// Handshake runs the intro and, when p.Auth is set, accepts the
// authenticator OPEN.
func (p *Peer) Handshake() error {
	if err := p.Intro(); err != nil {
		return err
	}
	if p.Auth == nil {
		return nil
	}
	req, err := p.Read()
	if err != nil {
		return err
	}
	return p.AcceptAuth(req)
}

// Header returns a 24-byte header, for crafting broken messages.
func Header(authID, authLen uint32, op omapi.Opcode, handle, id, rid uint32) []byte {
	b := make([]byte, 0, 24)
	for _, v := range []uint32{authID, authLen, uint32(op), handle, id, rid} {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return b
}
