package omapi

import (
	"syscall"
	"unsafe"
)

// spinSupported: reads may spin on Linux.
const spinSupported = true

// rawRead is read(2) on a non-blocking socket without the scheduler's
// system-call bookkeeping (it cannot block).
func rawRead(fd uintptr, p []byte) (int, syscall.Errno) {
	n, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	return int(n), e
}
