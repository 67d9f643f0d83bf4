// Package dhcpconf reads ISC dhcpd's own files, dhcpd.conf and
// dhcpd.leases, as dhcpd 4.4.3 reads them: one reader of dhcpd's
// configuration language for both, written after ISC's lexer
// (common/conflex.c), grammar (common/parse.c, server/confpars.c) and what
// dhcpd writes into a leases file (server/db.c).
//
// The lexer makes conflex.c's tokens: an address or a MAC address is
// several tokens, split at '.' and ':'; quoted strings have conflex.c's
// escapes; a token, a string and a run of blanks are bounded by its
// 1500-byte token buffer. The parser reads statements and blocks; the
// statements omapish models (hosts, groups, subnets, pools, classes,
// failover peers, keys, omapi-port, the records of a leases file) are
// checked word by word as dhcpd checks them, so that a syntax error is
// reported at dhcpd's line with dhcpd's message. Any other statement is
// kept as text (Stmt.Text), never refused.
//
// [ReadConf] gives a [Conf]: every declaration, in file order, included
// files read in place. [ReadLeases] gives a [Leases]: the current record of
// each lease, host and group, as dhcpd computes them when it starts (the
// last record wins), read as a stream. After a syntax error both return
// what came before it with an [*Error], which matches [ErrSyntax]; for a
// leases file that is what dhcpd keeps. [CurrentHosts] combines the two
// files into the hosts dhcpd has.
//
// The tests prove the reader against dhcpd itself: dhcpd -t and dhcpd -T
// on the same files, and the lab's dhcpd over OMAPI after loading them.
package dhcpconf
