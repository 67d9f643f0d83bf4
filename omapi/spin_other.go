//go:build !linux

package omapi

import "syscall"

// spinSupported: elsewhere reads never spin.
const spinSupported = false

func rawRead(fd uintptr, p []byte) (int, syscall.Errno) { return 0, syscall.EAGAIN }
