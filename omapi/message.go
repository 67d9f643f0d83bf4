package omapi

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// Wire constants (omapip/omapip_p.h).
const (
	ProtocolVersion = 100 // the only protocol version dhcpd speaks
	HeaderSize      = 24  // authid, authlen, op, handle, id, rid: six u32
	IntroSize       = 8   // version and header size, sent by both sides first

	// DefaultMaxMessageSize caps a whole message read from the wire unless
	// the Dialer says otherwise.
	//
	// dhcpd 4.4.3 puts no limit on what it accepts: omapip/protocol.c
	// reads a value's 32-bit length and allocates that much
	// (omapi_typed_data_new), buffer.c chains 4 KiB input buffers until
	// the bytes are there, and server/omapi.c stores names, client
	// identifiers and lease binding variables as long as they came. What
	// it sends back is whatever some client stored: a host's reply holds
	// its name and client identifier, a lease's every binding variable.
	// Typical replies are a few hundred bytes; omshell and other clients
	// can create objects of hundreds of KiB, and such an object must stay
	// readable and deletable. 16 MiB fits an object whose every value is
	// as large as omapish itself lets a request be (maxRequestValues of
	// it: four of them), with room to spare. The cap costs nothing until
	// the bytes arrive: a Reader grows its buffer as they come, never
	// by a length the peer announced.
	DefaultMaxMessageSize = 16 << 20

	// readStep is the most a Reader allocates ahead of bytes received.
	readStep = 64 << 10
)

// maxRequestValues returns how many bytes of encoded values (names,
// lengths and data of both lists) a request may carry on a connection
// whose replies are capped at max bytes: a quarter of the cap. dhcpd
// echoes what a client stored in its replies, so a request larger than
// that could make an object no reply can carry; a quarter leaves room for
// the object's other values, and for a host (name and client identifier
// are the only values a client sizes) two such writes still fit.
func maxRequestValues(max int) int {
	if max <= 0 {
		max = DefaultMaxMessageSize
	}
	return max / 4
}

// checkSize refuses a request whose values exceed maxRequestValues(max),
// naming the largest value.
func checkSize(m *Message, max int) error {
	limit := maxRequestValues(max)
	n, big := 0, Value{}
	for _, vs := range [2]Values{m.Message, m.Object} {
		for _, v := range vs {
			n += 2 + len(v.Name) + 4 + len(v.Data)
			if len(v.Data) >= len(big.Data) {
				big = v
			}
		}
	}
	if n <= limit {
		return nil
	}
	return fmt.Errorf("%w: its values take %d bytes (%q alone %d), over the %d-byte limit: dhcpd would store them and every later reply about the object would be over the %d-byte receive cap", ErrTooLarge, n, big.Name, len(big.Data), limit, max)
}

// Message is one OMAPI message. The authlen header field is not stored: it
// is len(Signature) when encoding and decides how much signature is read
// when decoding.
type Message struct {
	AuthID    uint32 // server handle of the key that signed the message; 0 unsigned
	Op        Opcode
	Handle    uint32 // object the message is about
	ID        uint32 // transaction id chosen by the sender
	RID       uint32 // for a reply, the ID of the request it answers
	Message   Values // values about the request (type, create, result, ...)
	Object    Values // values of the object (lookup keys, attributes)
	Signature []byte // HMAC over bytes [4, end of object list)
}

// Check reports whether m may be sent as a request: an error matching
// ErrBadRequest for what dhcpd drops the connection over (a non-zero rid,
// a STATUS or unknown opcode). Conn checks every request so before it
// sends it.
func (m *Message) Check() error {
	if m.RID != 0 {
		return fmt.Errorf("%w: a request must have rid 0 (dhcpd drops the connection otherwise), got %d", ErrBadRequest, m.RID)
	}
	if m.Op == OpStatus || m.Op < OpOpen || m.Op > OpDelete {
		return fmt.Errorf("%w: dhcpd drops the connection on a %v request", ErrBadRequest, m.Op)
	}
	return nil
}

// AppendIntro appends the 8-byte startup message.
func AppendIntro(b []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, ProtocolVersion)
	return binary.BigEndian.AppendUint32(b, HeaderSize)
}

// AppendBinary appends the wire form of m to b, with authlen =
// len(m.Signature) and the signature at the end.
func (m *Message) AppendBinary(b []byte) ([]byte, error) {
	b, err := m.appendUnsigned(b, len(m.Signature))
	if err != nil {
		return b, err
	}
	return append(b, m.Signature...), nil
}

// MarshalBinary returns the wire form of m.
func (m *Message) MarshalBinary() ([]byte, error) { return m.AppendBinary(nil) }

// appendUnsigned appends header and value lists with the given authlen,
// without any signature: the bytes a signature is computed over start 4
// bytes into what it appends.
func (m *Message) appendUnsigned(b []byte, authlen int) ([]byte, error) {
	b = binary.BigEndian.AppendUint32(b, m.AuthID)
	b = binary.BigEndian.AppendUint32(b, uint32(authlen))
	b = binary.BigEndian.AppendUint32(b, uint32(m.Op))
	b = binary.BigEndian.AppendUint32(b, m.Handle)
	b = binary.BigEndian.AppendUint32(b, m.ID)
	b = binary.BigEndian.AppendUint32(b, m.RID)
	var err error
	if b, err = appendValues(b, m.Message); err != nil {
		return b, fmt.Errorf("message values: %w", err)
	}
	if b, err = appendValues(b, m.Object); err != nil {
		return b, fmt.Errorf("object values: %w", err)
	}
	return b, nil
}

func appendValues(b []byte, vs Values) ([]byte, error) {
	for _, v := range vs {
		if len(v.Name) == 0 || len(v.Name) > 0xffff {
			return b, ProtocolError(fmt.Sprintf("name length %d out of range 1..65535", len(v.Name)))
		}
		if uint64(len(v.Data)) > 0xffffffff {
			return b, ProtocolError(fmt.Sprintf("value %q too long", v.Name))
		}
		b = binary.BigEndian.AppendUint16(b, uint16(len(v.Name)))
		b = append(b, v.Name...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(v.Data)))
		b = append(b, v.Data...)
	}
	return append(b, 0, 0), nil
}

// ParseMessage decodes one whole message from b (for example bytes from a
// packet capture). Trailing bytes are an error. The values of the returned
// message alias b.
func ParseMessage(b []byte) (*Message, error) {
	r := NewReader(bytes.NewReader(b), len(b))
	m, err := r.ReadMessage()
	if err != nil {
		return nil, err
	}
	if n := len(b) - len(r.raw); n > 0 {
		return nil, ProtocolError(fmt.Sprintf("%d bytes after the end of the message", n))
	}
	return m, nil
}

// A Reader decodes messages from a byte stream, however the bytes arrive:
// in pieces or several messages at once. Every length is checked against
// the size cap before anything is allocated.
type Reader struct {
	r    *bufio.Reader
	max  int
	raw  []byte    // bytes of the message being read
	pre  []byte    // bytes of a message whose reading failed half-way, read again first
	offs valueOffs // scratch: where each value of both lists lies in raw
}

// NewReader returns a Reader on r refusing messages larger than max bytes
// (DefaultMaxMessageSize when max <= 0).
func NewReader(r io.Reader, max int) *Reader {
	if max <= 0 {
		max = DefaultMaxMessageSize
	}
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 8192)
	}
	return &Reader{r: br, max: max}
}

// ReadIntro reads the peer's startup message and checks it.
func (r *Reader) ReadIntro() error {
	var b [IntroSize]byte
	if _, err := io.ReadFull(r.r, b[:]); err != nil {
		return err
	}
	v, h := binary.BigEndian.Uint32(b[:4]), binary.BigEndian.Uint32(b[4:])
	if v != ProtocolVersion || h != HeaderSize {
		return ProtocolError(fmt.Sprintf("peer speaks protocol version %d with %d-byte headers; want %d and %d", v, h, ProtocolVersion, HeaderSize))
	}
	return nil
}

// ReadMessage reads the next message. Values of the result point into a
// buffer owned by the message; nothing is shared with later reads.
// The signature is not checked here (see Signed). When reading fails
// half-way through a message (a deadline, a cancellation), the next call
// takes it up where it stopped.
func (r *Reader) ReadMessage() (*Message, error) {
	m, err := r.readMessage()
	if err != nil {
		r.pre = r.raw
	}
	return m, err
}

func (r *Reader) readMessage() (*Message, error) {
	r.raw = make([]byte, 0, max(512, len(r.pre)))
	hdr, err := r.take(HeaderSize)
	if err != nil {
		return nil, err
	}
	m := &Message{
		AuthID: binary.BigEndian.Uint32(hdr[0:]),
		Op:     Opcode(binary.BigEndian.Uint32(hdr[8:])),
		Handle: binary.BigEndian.Uint32(hdr[12:]),
		ID:     binary.BigEndian.Uint32(hdr[16:]),
		RID:    binary.BigEndian.Uint32(hdr[20:]),
	}
	authlen := binary.BigEndian.Uint32(hdr[4:])
	if uint64(authlen) > uint64(r.max-HeaderSize-4) {
		return nil, ProtocolError(fmt.Sprintf("signature length %d exceeds the %d-byte message cap", authlen, r.max))
	}
	r.offs = r.offs[:0]
	if err := r.readValues(); err != nil {
		return nil, err
	}
	nmsg := len(r.offs)
	if err := r.readValues(); err != nil {
		return nil, err
	}
	if _, err := r.take(int(authlen)); err != nil {
		return nil, err
	}
	// Slices are cut only now, r.raw having moved while growing; one
	// allocation holds both lists.
	all := r.offs.values(r.raw)
	if nmsg > 0 {
		m.Message = all[:nmsg:nmsg]
	}
	if len(all) > nmsg {
		m.Object = all[nmsg:]
	}
	if authlen > 0 {
		m.Signature = r.raw[len(r.raw)-int(authlen):]
	}
	return m, nil
}

// Signed returns the bytes of the last message read that its signature
// covers (from offset 4 to the end of the object list).
func (r *Reader) Signed(m *Message) []byte {
	return r.raw[4 : len(r.raw)-len(m.Signature)]
}

// Raw returns the wire bytes of the last message read.
func (r *Reader) Raw() []byte { return r.raw }

type valueOff struct {
	name       string
	start, end int
}

type valueOffs []valueOff

func (vo valueOffs) values(raw []byte) Values {
	if len(vo) == 0 {
		return nil
	}
	vs := make(Values, len(vo))
	for i, o := range vo {
		vs[i] = Value{o.name, raw[o.start:o.end:o.end]}
	}
	return vs
}

// readValues reads one name/value list up to its terminator, noting
// where each value lies in r.offs.
func (r *Reader) readValues() error {
	for {
		b, err := r.take(2)
		if err != nil {
			return err
		}
		n := int(binary.BigEndian.Uint16(b))
		if n == 0 {
			return nil
		}
		name, err := r.take(n)
		if err != nil {
			return err
		}
		nm := internName(name)
		b, err = r.take(4)
		if err != nil {
			return err
		}
		vlen := binary.BigEndian.Uint32(b)
		if uint64(vlen) > uint64(r.max-len(r.raw)) {
			return ProtocolError(fmt.Sprintf("value %q announces %d bytes: the message would exceed the %d-byte cap", nm, vlen, r.max))
		}
		start := len(r.raw)
		if _, err := r.take(int(vlen)); err != nil {
			return err
		}
		r.offs = append(r.offs, valueOff{nm, start, len(r.raw)})
	}
}

// grow makes room for k more bytes in r.raw, doubling its capacity (up
// to the cap): a large message costs two to four times its size in
// allocations, and the capacity is never more than twice the bytes
// received plus k.
func (r *Reader) grow(k int) {
	if cap(r.raw)-len(r.raw) >= k {
		return
	}
	b := make([]byte, len(r.raw), min(max(2*cap(r.raw), len(r.raw)+k), r.max))
	copy(b, r.raw)
	r.raw = b
}

// take reads n more bytes into r.raw, after checking the cap: first what
// is left of a message whose reading failed half-way (r.pre), then from
// the stream. The buffer grows by at most readStep ahead of the bytes
// received, so a peer that announces a large value and sends less costs
// no more memory than what it sent. On a failure r.raw keeps what was
// read, for the next try (ReadMessage).
func (r *Reader) take(n int) ([]byte, error) {
	if n > r.max-len(r.raw) {
		return nil, ProtocolError(fmt.Sprintf("message longer than the %d-byte cap", r.max))
	}
	start := len(r.raw)
	for want := start + n; len(r.raw) < want; {
		k := min(want-len(r.raw), readStep)
		r.grow(k)
		have := len(r.raw)
		r.raw = r.raw[:have+k]
		c := copy(r.raw[have:], r.pre)
		r.pre = r.pre[c:]
		if got, err := io.ReadFull(r.r, r.raw[have+c:]); err != nil {
			r.raw = r.raw[:have+c+got]
			if err == io.EOF && len(r.raw) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	return r.raw[start:], nil
}
