// Package omapi speaks OMAPI, the object management protocol of ISC dhcpd
// (TCP port 7911 by convention, messages signed with a shared HMAC key).
//
// Dial (or a Dialer) opens a Conn; Open, Create, Update, Refresh and
// Delete work on objects (leases, hosts, groups, failover states, ...),
// whose attributes the schema of dhcpd 4.4.3 types (AttrKind,
// Kind.Decode); Exchange sends any Message, Batch and ReadBatch pipeline
// many. The zero Dialer is plain: one connection, reads that sleep until
// the reply comes; Dialer.Spin and Dialer.Streams turn on the fast paths.
// pypureomapi's operations are in the subpackage pypure.
//
// Failures are typed: *StatusError (the server said no; errors.Is matches
// Result constants such as ResultNotFound), *AuthError (ErrAuth),
// ProtocolError, *AttrError, *InterruptedError (the caller's context
// ended; the connection stays usable) and *OpError around I/O. A
// connection the server failed is broken for good (ErrBroken); one out of
// step after an interrupted request (ErrOutOfStep) opens a new transport
// at its next request.
//
// The package sends the values a Go program builds: what dhcpd would
// crash on or store badly is the omapish command's write policy
// (internal/policy). The protocol facts it relies on are in
// omapi-protocol.md in the project's shared documents.
package omapi
