package omapi_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/omapish/omapish/omapi"
	"github.com/omapish/omapish/omapi/omapitest"
)

var testKey, _ = omapi.HMAC("omapish-test", "hmac-md5", []byte("0123456789abcdef"))

// faultTests is the fault matrix: what a hostile or broken peer does, and
// the error the client must give for it.
var faultTests = []struct {
	name  string
	auth  bool
	serve func(p *omapitest.Peer)
	code  string // omapi.Code of the error
	want  string // substring of the error text
}{
	{"wrong startup version", false, func(p *omapitest.Peer) {
		p.Write([]byte{0, 0, 0, 99, 0, 0, 0, 24})
	}, "protocol", "protocol version 99"},
	{"garbage bytes", false, func(p *omapitest.Peer) {
		p.Intro()
		p.Read()
		p.Write([]byte(strings.Repeat("\xff", 64)))
	}, "protocol", "signature length"},
	{"value length 0xFFFFFFFF", false, func(p *omapitest.Peer) {
		p.Intro()
		req, _ := p.Read()
		p.Write(append(omapitest.Header(0, 0, omapi.OpUpdate, 1, 9, req.ID), 0, 0, 0, 4, 'n', 'a', 'm', 'e', 0xff, 0xff, 0xff, 0xff))
	}, "protocol", "announces 4294967295 bytes"},
	{"name length past the end", false, func(p *omapitest.Peer) {
		p.Intro()
		req, _ := p.Read()
		p.Write(append(omapitest.Header(0, 0, omapi.OpUpdate, 1, 9, req.ID), 0, 0, 0, 200, 'n'))
	}, "protocol", "middle of a message"},
	{"message over the size cap", false, func(p *omapitest.Peer) {
		p.Intro()
		req, _ := p.Read()
		p.Send(p.Reply(req, 1, omapi.Values{{Name: "x", Data: make([]byte, omapi.DefaultMaxMessageSize)}}))
	}, "protocol", "cap"},
	{"bad signature", true, func(p *omapitest.Peer) {
		p.Handshake()
		req, _ := p.Read()
		m := p.Status(req, 0, "")
		m.Signature[3] ^= 0x40
		p.Send(m)
	}, "auth", "signature does not verify"},
	{"unsigned reply where a signed one is due", true, func(p *omapitest.Peer) {
		p.Handshake()
		req, _ := p.Read()
		m := p.Status(&omapi.Message{ID: req.ID}, 0, "")
		p.Send(m)
	}, "auth", "unsigned reply"},
	{"wrong secret (unsigned STATUS 393227)", true, func(p *omapitest.Peer) {
		p.Handshake()
		req, _ := p.Read()
		p.Send(p.Status(&omapi.Message{ID: req.ID}, omapi.ResultInvalidKey, ""))
	}, "auth", "wrong secret"},
	{"reply rid matches no request", false, func(p *omapitest.Peer) {
		p.Intro()
		req, _ := p.Read()
		p.Send(p.Status(&omapi.Message{ID: req.ID + 7}, 0, ""))
	}, "protocol", "answers no request"},
	{"server closes mid-reply", false, func(p *omapitest.Peer) {
		p.Intro()
		req, _ := p.Read()
		p.Write(omapitest.Header(0, 0, omapi.OpUpdate, 1, 9, req.ID)[:13])
	}, "protocol", "middle of a message"},
	{"server closes before replying", false, func(p *omapitest.Peer) {
		p.Intro()
		p.Read()
	}, "io", "server closed the connection"},
	{"server never answers", false, func(p *omapitest.Peer) {
		p.Intro()
		p.Read()
		time.Sleep(2 * time.Second)
	}, "timeout", "timeout"},
	{"unknown key", true, func(p *omapitest.Peer) {
		p.Intro()
		req, _ := p.Read()
		p.Send(p.Status(req, omapi.ResultNotFound, "no object matches specification"))
	}, "auth", "has no key"},
}

func TestFaults(t *testing.T) {
	for _, tt := range faultTests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			addr := omapitest.Serve(t, func(p *omapitest.Peer) {
				if tt.auth {
					p.Auth = testKey
				}
				tt.serve(p)
			})
			d := &omapi.Dialer{Timeout: 300 * time.Millisecond}
			if tt.auth {
				d.Auth = testKey
			}
			start := time.Now()
			c, err := d.DialContext(t.Context(), addr)
			if err == nil {
				_, err = c.Open(t.Context(), "host", omapi.Values{{Name: "name", Data: []byte("h")}})
				if err != nil {
					// The connection is unusable afterwards (or still in step
					// for an auth failure): either way later calls fail clearly.
					_, err2 := c.Open(t.Context(), "host", omapi.Values{{Name: "name", Data: []byte("h")}})
					if err2 == nil {
						t.Errorf("second call succeeded after %v", err)
					}
				}
				c.Close()
			}
			if err == nil {
				t.Fatal("no error")
			}
			if got := omapi.Code(err); got != tt.code || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q (code %s), want code %s containing %q", err, got, tt.code, tt.want)
			}
			if time.Since(start) > 1500*time.Millisecond {
				t.Fatalf("took %v", time.Since(start))
			}
		})
	}
}

func TestBrokenFailsFast(t *testing.T) {
	addr := omapitest.Serve(t, func(p *omapitest.Peer) {
		p.Intro()
		p.Read()
		time.Sleep(time.Second)
	})
	c, err := omapi.Dial(t.Context(), addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err = c.Open(ctx, "host", omapi.Values{{Name: "name", Data: []byte("h")}})
	if !errors.Is(err, context.DeadlineExceeded) || omapi.Code(err) != "timeout" {
		t.Fatalf("err = %v, want deadline exceeded", err)
	}
	start := time.Now()
	_, err = c.Open(t.Context(), "host", omapi.Values{{Name: "name", Data: []byte("h")}})
	if !errors.Is(err, omapi.ErrBroken) || time.Since(start) > 10*time.Millisecond {
		t.Fatalf("second call: %v after %v, want ErrBroken at once", err, time.Since(start))
	}
}

func TestCancel(t *testing.T) {
	addr := omapitest.Serve(t, func(p *omapitest.Peer) {
		p.Intro()
		p.Read()
		time.Sleep(2 * time.Second)
	})
	c, err := omapi.Dial(t.Context(), addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err = c.Open(ctx, "host", omapi.Values{{Name: "name", Data: []byte("h")}})
	if !errors.Is(err, context.Canceled) || omapi.Code(err) != "canceled" {
		t.Fatalf("err = %v, want canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("cancel took %v", d)
	}
}

func TestRefusesZeroLength(t *testing.T) {
	addr := omapitest.Serve(t, func(p *omapitest.Peer) {
		p.Intro()
		for {
			req, err := p.Read()
			if err != nil {
				return
			}
			p.Send(p.Status(req, 0, ""))
		}
	})
	c, err := omapi.Dial(t.Context(), addr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	err = c.Update(t.Context(), 5, omapi.Values{{Name: "state", Data: nil}})
	if !errors.Is(err, omapi.ErrEmptyValue) {
		t.Fatalf("zero-length state: %v", err)
	}
	if err := c.Update(t.Context(), 5, omapi.Values{{Name: "ip-address", Data: nil}}); err != nil {
		t.Fatalf("zero-length ip-address refused: %v", err)
	}
}

func TestDialRefused(t *testing.T) {
	_, err := omapi.Dial(t.Context(), "127.0.0.1:1", nil)
	var oe *omapi.OpError
	if !errors.As(err, &oe) || oe.Op != "dial" || omapi.Code(err) != "io" || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("err = %v", err)
	}
}
