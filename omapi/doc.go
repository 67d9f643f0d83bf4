// Package omapi speaks OMAPI, ISC dhcpd's object management protocol (TCP
// port 7911, messages signed with a shared HMAC key).
//
// Dial opens a Conn; Open, Create, Update, Refresh and Delete work on
// objects typed by dhcpd 4.4.3's schema (AttrKind); Exchange sends any
// Message; Batch and ReadBatch pipeline many. The zero Dialer is plain;
// Dialer.Spin and Dialer.Streams turn on the fast paths. Failures are
// typed (*StatusError matching Result constants, ErrAuth, ProtocolError,
// *InterruptedError, ErrBroken, ...). The package sends what a Go program
// builds: what dhcpd cannot take is the omapish command's write policy.
// pypureomapi's operations are in the subpackage pypure.
package omapi
