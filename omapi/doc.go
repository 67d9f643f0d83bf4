// Package omapi speaks OMAPI, the object management protocol of ISC dhcpd
// (TCP port 7911 by convention, messages signed with a shared HMAC key).
//
// It has four layers, each usable alone:
//
//   - the wire codec: Message, Values, Reader (decoding from a stream with
//     size caps) and AppendBinary/ParseMessage;
//   - authentication: Authenticator and HMAC (hmac-md5 to hmac-sha512);
//   - connections: Dialer, Conn.Exchange (one request), Conn.Batch
//     (pipelined requests), Conn.ReadBatch (pipelined lookups spread over
//     several connections), with contexts for deadlines and cancellation;
//   - objects: Open, Create, Update, Refresh, Delete by handle, the
//     attribute schema of dhcpd 4.4.3 (AttrKind, Kind.Decode), and
//     pypureomapi's operations (LookupIP, AddHost, DelHost, ...).
//
// Failures are typed: *StatusError (the server said no; errors.Is matches
// Result constants such as ResultNotFound), *AuthError (errors.Is ErrAuth),
// ProtocolError, *InterruptedError (the caller's context ended: the
// connection stays usable, the reply still due is dropped), and *OpError
// around I/O. Code maps any of them to a stable short name. A connection
// the server failed is broken for good (ErrBroken); one out of step after
// an interrupted request (ErrOutOfStep) opens a new transport at its next
// request, when it came from a Dialer.
//
// The protocol facts this package relies on, and dhcpd's sharp edges it
// protects against (huge lengths, requests dhcpd drops the connection
// for), are in omapi-protocol.md in the project's shared documents. The
// package sends the values a Go program builds: what dhcpd 4.4.3 would
// crash on or store badly (a zero-length value, an unknown failover
// state, a host name it cannot read back) is the omapish command's write
// policy (internal/policy), applied by the Lua module.
package omapi
