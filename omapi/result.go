package omapi

import "strconv"

// Result is an isc_result_t, the result number of a STATUS reply. ISC DHCP
// 4.2 and later number the DHCP-specific results from 393216 (6<<16).
type Result uint32

// Results dhcpd 4.4.3 returns over OMAPI (omapi-protocol.md §4.1), and a
// few more for decoding.
const (
	ResultSuccess          Result = 0
	ResultNoMemory         Result = 1
	ResultTimedOut         Result = 2
	ResultNoPerm           Result = 6
	ResultExists           Result = 18
	ResultNotFound         Result = 23
	ResultFailure          Result = 25
	ResultIOError          Result = 26
	ResultNotImplemented   Result = 27
	ResultInvalidArg       Result = dhcpClass + 3
	ResultUnchanged        Result = dhcpClass + 5
	ResultMultiple         Result = dhcpClass + 6
	ResultKeyConflict      Result = dhcpClass + 7
	ResultBadParse         Result = dhcpClass + 8
	ResultNoKeys           Result = dhcpClass + 9
	ResultKeyUnknown       Result = dhcpClass + 10
	ResultInvalidKey       Result = dhcpClass + 11
	ResultUnknownAttribute Result = dhcpClass + 32
)

const dhcpClass = 6 << 16

// iscText is isc_result_totext for ISC_R_* (BIND 9.11.36 lib/isc/result.c).
var iscText = [...]string{
	"success", "out of memory", "timed out", "no available threads", "address not available",
	"address in use", "permission denied", "no pending connections", "network unreachable",
	"host unreachable", "network down", "host down", "connection refused",
	"not enough free resources", "end of file", "socket already bound", "reload", "lock busy",
	"already exists", "ran out of space", "operation canceled", "socket is not bound",
	"shutting down", "not found", "unexpected end of input", "failure", "I/O error",
	"not implemented", "unbalanced parentheses", "no more", "invalid file", "bad base64 encoding",
	"unexpected token", "quota reached", "unexpected error", "already running", "ignore",
	"address mask not contiguous", "file not found", "file already exists",
	"socket is not connected", "out of range", "out of entropy",
	"invalid use of multicast address", "not a file", "not a directory", "queue is full",
	"address family mismatch", "address family not supported", "bad hex encoding",
	"too many open files", "not blocking", "unbalanced quotes", "operation in progress",
	"connection reset", "soft quota reached", "not a valid number", "disabled", "max size",
	"invalid address format", "bad base32 encoding", "unset", "multiple", "would block",
	"complete", "crypto failure", "disc quota", "disc full", "default", "IPv4 prefix",
}

// dhcpText is the text of DHCP_R_* (omapip/result.c), indexed by r - 393216.
var dhcpText = [...]string{
	"host unknown", "protocol version mismatch", "protocol error", "invalid argument",
	"data not yet available", "object unchanged", "more than one object matches key",
	"key conflict", "parse error(s) occurred", "no key specified", "zone TSIG key not known",
	"invalid TSIG key", "operation in progress", "DNS format error", "DNS server failed",
	"no such domain", "not implemented", "refused", "domain already exists",
	"RRset already exists", "no such RRset", "not authorized", "not a zone",
	"bad DNS signature", "bad DNS key", "clock skew too great", "no root zone",
	"destination address required", "cross-zone update", "no TSIG signature", "not equal",
	"connection reset by peer", "unknown attribute",
}

// Text returns ISC's text for r ("not found", "invalid TSIG key", ...), or
// "" for a number outside ISC's tables.
func (r Result) Text() string {
	switch {
	case int(r) < len(iscText):
		return iscText[r]
	case r >= dhcpClass && int(r-dhcpClass) < len(dhcpText):
		return dhcpText[r-dhcpClass]
	}
	return ""
}

// String returns the text and number, e.g. "not found (23)".
func (r Result) String() string {
	n := strconv.FormatUint(uint64(r), 10)
	if t := r.Text(); t != "" {
		return t + " (" + n + ")"
	}
	return "result " + n
}

// Error makes a Result usable as an error and as an errors.Is target.
func (r Result) Error() string { return "omapi: " + r.String() }
