package omapi

import (
	"bytes"
	"testing"
)

// leaseReply is a typical signed lease reply, shaped like dhcpd's answer to
// an OPEN of an active lease (omapi-protocol.md §8.3).
func leaseReply(tb testing.TB) *Message {
	tb.Helper()
	m := &Message{AuthID: 1, Op: OpUpdate, Handle: 42, ID: 0x7ddc9d7b, RID: 0x6b8b4568}
	o := &m.Object
	o.SetUint32("state", 2)
	o.Set("ip-address", []byte{192, 0, 2, 150})
	o.Set("dhcp-client-identifier", []byte{1, 0, 0, 0x5e, 0, 0x53, 0x50})
	o.SetString("client-hostname", "client150")
	o.SetUint32("subnet", 3)
	o.SetUint32("pool", 4)
	o.Set("hardware-address", []byte{0, 0, 0x5e, 0, 0x53, 0x50})
	o.SetUint32("hardware-type", 1)
	for _, n := range []string{"ends", "starts", "tstp", "tsfp", "atsfp", "cltt"} {
		o.SetUint32(n, 0x6b086f91)
	}
	o.Set("flags", []byte{0})
	if err := m.Sign(transcriptKey); err != nil {
		tb.Fatal(err)
	}
	return m
}

func BenchmarkEncodeLeaseReply(b *testing.B) {
	m := leaseReply(b)
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = m.AppendBinary(buf[:0])
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkDecodeLeaseReply(b *testing.B) {
	raw, _ := leaseReply(b).MarshalBinary()
	var rd bytes.Reader
	r := NewReader(&rd, 0)
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		rd.Reset(raw)
		r.r.Reset(&rd)
		if _, err := r.ReadMessage(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSignLeaseReply measures signing as a connection does it: one
// reused HMAC state, the signature appended to the encoded bytes.
func BenchmarkSignLeaseReply(b *testing.B) {
	m := leaseReply(b)
	c := &Conn{authID: 1, sign: transcriptKey.NewMAC()}
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = c.encode(buf[:0], m, true)
	}
	b.SetBytes(int64(len(buf)))
}

// BenchmarkVerifyLeaseReply measures checking a reply's signature with a
// reused HMAC state.
func BenchmarkVerifyLeaseReply(b *testing.B) {
	m := leaseReply(b)
	raw, _ := m.MarshalBinary()
	var rd bytes.Reader
	c := &Conn{auth: transcriptKey, verify: transcriptKey.NewMAC(), r: NewReader(&rd, 0)}
	req := &Message{AuthID: 1, ID: m.RID}
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(raw)
		c.r.r.Reset(&rd)
		reply, err := c.r.ReadMessage()
		if err != nil {
			b.Fatal(err)
		}
		if err := c.check(req, reply); err != nil {
			b.Fatal(err)
		}
	}
}
