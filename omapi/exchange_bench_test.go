package omapi_test

import (
	"context"
	"testing"

	"github.com/omapish/omapish/omapi"
	"github.com/omapish/omapish/omapi/omapitest"
)

// BenchmarkExchange is one signed lease lookup against a fake peer that
// answers with a canned signed reply: the client's own cost per request
// (encode, sign, write, read, verify, decode), without dhcpd's.
func BenchmarkExchange(b *testing.B) {
	key := omapitest.Key()
	addr := omapitest.Serve(b, func(p *omapitest.Peer) {
		p.Auth = key
		if p.Handshake() != nil {
			return
		}
		obj := omapi.Values{{Name: "state", Data: []byte{0, 0, 0, 2}}, {Name: "ip-address", Data: []byte{192, 0, 2, 150}},
			{Name: "client-hostname", Data: []byte("client150")}, {Name: "hardware-address", Data: []byte{0, 0, 0x5e, 0, 0x53, 0x50}},
			{Name: "hardware-type", Data: []byte{0, 0, 0, 1}}, {Name: "ends", Data: []byte{0x6b, 8, 0x6f, 0x91}}}
		for {
			req, err := p.Read()
			if err != nil {
				return
			}
			if p.Send(p.Reply(req, 42, obj)) != nil {
				return
			}
		}
	})
	// The peer runs in this process: a spinning read would take the CPU
	// its goroutine needs.
	c, err := (&omapi.Dialer{Auth: key}).DialContext(context.Background(), addr)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	keys := omapi.Values{{Name: "ip-address", Data: []byte{192, 0, 2, 150}}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Open(ctx, "lease", keys); err != nil {
			b.Fatal(err)
		}
	}
}
