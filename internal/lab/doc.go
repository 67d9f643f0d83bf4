// Package lab runs a real ISC dhcpd (4.4.3) in a throwaway Linux network
// namespace, for trying omapish safely and for the project's tests.
//
// [Start] needs root, /usr/sbin/dhcpd (Debian: isc-dhcp-server; another
// path in $OMAPISH_DHCPD) and the ip command (iproute2). It makes the
// namespace omapish-<pid>-<n> with loopback up and a veth pair v0/v1 whose
// both ends stay inside (dhcpd cannot serve on lo), gives v0 the first
// address of the conf's first subnet, and starts dhcpd on v0. OMAPI is then
// at 127.0.0.1:7911 inside the namespace only: reach it with
// [Lab.DialContext], or run programs inside with [Lab.Command]. Nothing
// inside has a route out, so no traffic leaves the namespace. Several labs
// run at once, each in its own namespace. [Lab.Close] removes it all;
// namespaces of lab processes that died are removed by the next Start.
// [Run] is `omapish lab`: a lab around one command.
//
// [StartPair] starts two dhcpds in a failover partnership, each in its own
// namespace, joined by a veth pair (primary 192.0.2.1 on v0, secondary
// 192.0.2.2 on a bridge br0 holding the other end), both normal within
// about a second; [Pair.Client] runs a real DHCP client (udhcpc) in a
// namespace of its own plugged into br0. [RunPair] is `omapish lab
// --pair`.
//
// # The sample
//
// Without [Config.Conf] a lab runs a built-in sample ([Sample] has its
// facts for tests; only documentation addresses 192.0.2.0/24 and MACs
// 00:00:5e:00:53:xx):
//
//   - keys omapish-lab (the omapi-key; hmac-md5 unless [Config.Algorithm]
//     says otherwise) and other-key (defined, not the omapi-key, so dhcpd
//     refuses it: "invalid TSIG key"), both with fresh random secrets of 16
//     to 32 bytes per lab;
//   - failover peer "lab-failover" (primary, peer 192.0.2.2, which never
//     answers; mclt 3600, split 128);
//   - subnet 192.0.2.0/24 with three pools: 192.0.2.100-199 with failover,
//     192.0.2.200-250 without, and 192.0.2.11 alone (the lease of static1);
//   - group "lab-group" (domain-name lab.example) holding host grouped1
//     (00:00:5e:00:53:21, 192.0.2.21), and group "empty-group" without
//     hosts; both can be opened by name;
//   - hosts static1 (00:00:5e:00:53:01, 192.0.2.11, found by IP through its
//     lease), noip1 (00:00:5e:00:53:02, no address) and byuid1 (client
//     identifier "byuid1", 192.0.2.13);
//   - leases (times relative to the lab's start), with the state dhcpd
//     reports: 192.0.2.150 active (uid, client150), .151 expired, .152
//     free, .153 abandoned, .154 released, all in the failover pool;
//     .210 active (client210), .211 expired, .212 abandoned in the pool
//     without failover; 192.0.2.11 active for static1. 192.0.2.120 is a
//     never-used address (found, free, no MAC); 192.0.2.50 is in no range
//     (no lease object).
//
// Which states are stable: observed over five minutes, all of these lease
// states stay as listed while nobody changes them, because no lease of the
// sample has a "next binding state" that is due (active leases end a day
// later, and the others have none). dhcpd itself changes only the failover
// peer's local state: startup (1) at first, recover (6) about a minute
// later, as the peer never answers. Setting a lease's state over OMAPI
// takes effect at once (active to released reads back released in both
// pools), except that in the pool without failover a released lease that
// had expired becomes free right away. Changes persist in the lab's
// leases file, so a test that changes the server should have a lab of
// its own.
//
// A few things dhcpd does that a lab user meets: it rewrites the leases
// file at startup (records of addresses outside every range are dropped,
// "no subnet"), a broken lease record is only logged, a configuration error
// makes it exit (Start returns its complaint), and it refuses to start
// while the pid in its pid file is alive (the lab removes the file).
package lab
