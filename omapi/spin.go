package omapi

import (
	"io"
	"net"
	"os"
	"runtime"
	"syscall"
	"time"
)

// spinWait is how long a read waiting for the reply to a single request
// polls the socket before it sleeps in Go's network poller. dhcpd answers
// a lookup on the same machine in some 30-40 µs; waking up from the
// poller (an idle CPU, another thread) costs about 8 of them, so a short
// spin makes one-at-a-time lookups about 15% faster.
const spinWait = 100 * time.Microsecond

// A server slower than spinWait (across a network) makes spinning a waste
// of CPU: after spinSlow such replies in a row, reads do not spin for the
// next spinSkip reads. (A busy moment of a local dhcpd gives a few slow
// replies in a row; with 8 instead of 32, that stopped the spinning a few
// times in 20,000 lookups.) Against a slow server, spinning then costs
// spinSlow*spinWait of CPU per spinSkip+spinSlow replies: about 0.3% of a
// CPU at a 1 ms round trip.
const (
	spinSlow = 32
	spinSkip = 1024
)

// spinReader reads from a TCP connection, polling the socket for up to
// spinWait before sleeping when on is set: the connection sets it while
// one request waits for its reply (never for pipelined batches, whose
// replies keep coming and whose CPU dhcpd may need). Deadlines and
// closing work as on the net.Conn.
type spinReader struct {
	nc   net.Conn
	rc   syscall.RawConn // nil: no spinning (not a socket, or one CPU)
	on   bool
	slow int // replies in a row that came after the spin
	skip int // reads left that do not spin

	// One read's state, for readFn (made once: a closure per read would
	// be an allocation per request).
	p      []byte
	n      int
	errno  syscall.Errno
	slept  bool
	start  time.Time
	readFn func(fd uintptr) bool
}

func newSpinReader(nc net.Conn, spin bool) *spinReader {
	s := &spinReader{nc: nc}
	if sc, ok := nc.(syscall.Conn); ok && spin && spinSupported && runtime.NumCPU() > 1 {
		if rc, err := sc.SyscallConn(); err == nil {
			s.rc = rc
			s.readFn = s.read
		}
	}
	return s
}

func (s *spinReader) Read(p []byte) (int, error) {
	if !s.on || s.rc == nil || len(p) == 0 {
		return s.nc.Read(p)
	}
	if s.skip > 0 {
		s.skip--
		return s.nc.Read(p)
	}
	s.p, s.n, s.errno, s.slept, s.start = p, 0, 0, false, time.Now()
	err := s.rc.Read(s.readFn)
	n, errno := s.n, s.errno
	s.p = nil
	if s.slept {
		if s.slow++; s.slow >= spinSlow {
			s.slow, s.skip = 0, spinSkip
		}
	} else {
		s.slow = 0
	}
	if err == nil && errno != 0 {
		err = os.NewSyscallError("read", errno)
	}
	if err != nil {
		return 0, &net.OpError{Op: "read", Net: "tcp", Source: s.nc.LocalAddr(), Addr: s.nc.RemoteAddr(), Err: err}
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

// read is called by the poller with the socket: it reads, spinning while
// there is nothing yet until spinWait has passed, and then asks the poller
// to wait (false).
func (s *spinReader) read(fd uintptr) bool {
	for {
		s.n, s.errno = rawRead(fd, s.p)
		switch {
		case s.errno == syscall.EINTR:
		case s.errno != syscall.EAGAIN:
			return true
		case s.slept || time.Since(s.start) > spinWait:
			s.slept = true
			return false // sleep until the socket is readable
		}
	}
}
