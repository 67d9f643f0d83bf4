package lab

import (
	"fmt"
	"strings"
	"time"
)

// LeaseState is a lease binding state as dhcpd numbers it over OMAPI (the
// lease attribute "state").
type LeaseState uint32

// The lease states of dhcpd 4.4.3 (includes/dhcpd.h FTS_*).
const (
	StateFree LeaseState = 1 + iota
	StateActive
	StateExpired
	StateReleased
	StateAbandoned
	StateReset
	StateBackup
)

var stateNames = [...]string{"", "free", "active", "expired", "released", "abandoned", "reset", "backup"}

// String returns dhcpd's name for s ("active"), or "state-N" for an unknown
// number.
func (s LeaseState) String() string {
	if s > 0 && int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state-%d", uint32(s))
}

// SampleHost is a host declared in the sample dhcpd.conf.
type SampleHost struct {
	Name     string // the host declaration's name
	MAC      string // hardware ethernet address, "" if none
	IP       string // fixed-address, "" if none
	ClientID string // dhcp-client-identifier as raw bytes, "" if none
	Group    string // the named group it is declared in, "" if none
}

// SampleLease is a lease of the sample leases file.
type SampleLease struct {
	IP       string     // the lease's address
	MAC      string     // hardware ethernet address, "" if none
	ClientID string     // client identifier (uid) as raw bytes, "" if none
	Hostname string     // client-hostname, "" if none
	State    LeaseState // the state dhcpd reports over OMAPI once started
	Failover bool       // whether the lease is in the failover pool

	file         string        // binding state written to the leases file
	starts, ends time.Duration // relative to the lab's start
}

// SampleFacts describes the built-in sample: see the package documentation
// for which facts stay true while a lab runs.
type SampleFacts struct {
	KeyName      string // the omapi-key
	OtherKeyName string // a second key that is not the omapi-key
	Port         int    // omapi-port
	Interface    string // the veth end dhcpd serves on
	ServerIP     string // its address
	Subnet       string // the one subnet, in CIDR notation

	FailoverPeer  string    // the failover peer's name
	FailoverRange [2]string // the range of the pool with failover
	PlainRange    [2]string // the range of the pool without failover
	StaticRange   [2]string // a one-address pool holding StaticLease

	Group       string // a named group holding the host Grouped
	GroupDomain string // the domain-name option of Group
	EmptyGroup  string // a named group without hosts

	Static     SampleHost // host with MAC and fixed address (and a lease, so it is found by IP)
	NoIP       SampleHost // host with a MAC and no address
	ByClientID SampleHost // host identified by a client identifier, with a fixed address
	Grouped    SampleHost // host inside Group

	ActiveLease         SampleLease // active, failover pool, with uid and client-hostname
	ExpiredLease        SampleLease // expired, failover pool
	FreeLease           SampleLease // free with a MAC, failover pool
	AbandonedLease      SampleLease // abandoned, failover pool
	ReleasedLease       SampleLease // released, failover pool
	PlainActiveLease    SampleLease // active, pool without failover: the one to change in tests
	PlainExpiredLease   SampleLease // expired, pool without failover
	PlainAbandonedLease SampleLease // abandoned, pool without failover
	StaticLease         SampleLease // active lease of host Static's address and MAC

	UnusedIP  string // inside FailoverRange, never leased: found, state free, no MAC
	NoLeaseIP string // inside the subnet but in no range: no lease object
}

// Hosts returns the sample's hosts in declaration order.
func (f SampleFacts) Hosts() []SampleHost {
	return []SampleHost{f.Static, f.NoIP, f.ByClientID, f.Grouped}
}

// Leases returns the sample's leases in the order of the leases file.
func (f SampleFacts) Leases() []SampleLease {
	return []SampleLease{f.ActiveLease, f.ExpiredLease, f.FreeLease, f.AbandonedLease,
		f.ReleasedLease, f.PlainActiveLease, f.PlainExpiredLease, f.PlainAbandonedLease,
		f.StaticLease}
}

// Groups returns the names of the sample's groups.
func (f SampleFacts) Groups() []string {
	return []string{f.Group, f.EmptyGroup}
}

const (
	hour = time.Hour
	day  = 24 * time.Hour
)

// Sample holds the facts of the built-in sample configuration, for tests to
// use instead of repeating addresses and names. The keys' secrets are fresh
// for every lab: ask the [Lab].
var Sample = SampleFacts{
	KeyName:      "omapish-lab",
	OtherKeyName: "other-key",
	Port:         7911,
	Interface:    "v0",
	ServerIP:     "192.0.2.1",
	Subnet:       "192.0.2.0/24",

	FailoverPeer:  "lab-failover",
	FailoverRange: [2]string{"192.0.2.100", "192.0.2.199"},
	PlainRange:    [2]string{"192.0.2.200", "192.0.2.250"},
	StaticRange:   [2]string{"192.0.2.11", "192.0.2.11"},

	Group:       "lab-group",
	GroupDomain: "lab.example",
	EmptyGroup:  "empty-group",

	Static:     SampleHost{Name: "static1", MAC: "00:00:5e:00:53:01", IP: "192.0.2.11"},
	NoIP:       SampleHost{Name: "noip1", MAC: "00:00:5e:00:53:02"},
	ByClientID: SampleHost{Name: "byuid1", ClientID: "byuid1", IP: "192.0.2.13"},
	Grouped:    SampleHost{Name: "grouped1", MAC: "00:00:5e:00:53:21", IP: "192.0.2.21", Group: "lab-group"},

	ActiveLease: SampleLease{IP: "192.0.2.150", MAC: "00:00:5e:00:53:50",
		ClientID: "\x01\x00\x00\x5e\x00\x53\x50", Hostname: "client150",
		State: StateActive, Failover: true, file: "active", starts: -hour, ends: day},
	ExpiredLease: SampleLease{IP: "192.0.2.151", MAC: "00:00:5e:00:53:51", Hostname: "client151",
		State: StateExpired, Failover: true, file: "expired", starts: -2 * day, ends: -day},
	FreeLease: SampleLease{IP: "192.0.2.152", MAC: "00:00:5e:00:53:52",
		State: StateFree, Failover: true, file: "free", starts: -3 * day, ends: -2 * day},
	AbandonedLease: SampleLease{IP: "192.0.2.153",
		State: StateAbandoned, Failover: true, file: "abandoned", starts: -hour, ends: day},
	ReleasedLease: SampleLease{IP: "192.0.2.154", MAC: "00:00:5e:00:53:54",
		State: StateReleased, Failover: true, file: "released", starts: -2 * hour, ends: -hour},
	PlainActiveLease: SampleLease{IP: "192.0.2.210", MAC: "00:00:5e:00:53:60", Hostname: "client210",
		State: StateActive, file: "active", starts: -hour, ends: day},
	PlainExpiredLease: SampleLease{IP: "192.0.2.211", MAC: "00:00:5e:00:53:61",
		State: StateExpired, file: "expired", starts: -2 * day, ends: -day},
	PlainAbandonedLease: SampleLease{IP: "192.0.2.212",
		State: StateAbandoned, file: "abandoned", starts: -hour, ends: day},
	StaticLease: SampleLease{IP: "192.0.2.11", MAC: "00:00:5e:00:53:01",
		State: StateActive, file: "active", starts: -hour, ends: day},

	UnusedIP:  "192.0.2.120",
	NoLeaseIP: "192.0.2.50",
}

// confHead writes what the sample's dhcpd.conf and the pair's begin with:
// the OMAPI port, the two keys (secret and otherSecret in base64), the
// omapi-key (unless omapiKey is false) and the lease times.
func confHead(p func(format string, args ...any), algorithm, secret, otherSecret string, omapiKey bool) {
	s := Sample
	p("omapi-port %d;", s.Port)
	p("key %s { algorithm %s; secret \"%s\"; }", s.KeyName, algorithm, secret)
	p("key %s { algorithm %s; secret \"%s\"; }", s.OtherKeyName, algorithm, otherSecret)
	if omapiKey {
		p("omapi-key %s;", s.KeyName)
	}
	p("")
	p("authoritative;")
	p("default-lease-time 600;")
	p("max-lease-time 7200;")
	p("ddns-update-style none;")
	p("")
}

// sampleConf returns the sample dhcpd.conf. secret and otherSecret are
// base64; with omapiKey false the omapi-key statement is left out.
func sampleConf(algorithm, secret, otherSecret string, omapiKey bool) string {
	s := Sample
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	p("# omapish lab: sample dhcpd.conf (documentation addresses only)")
	confHead(p, algorithm, secret, otherSecret, omapiKey)
	p("failover peer %q {", s.FailoverPeer)
	p("  primary;")
	p("  address %s;", s.ServerIP)
	p("  port 647;")
	p("  peer address 192.0.2.2;")
	p("  peer port 647;")
	p("  max-response-delay 60;")
	p("  max-unacked-updates 10;")
	p("  mclt 3600;")
	p("  split 128;")
	p("  load balance max seconds 3;")
	p("}")
	p("")
	p("subnet 192.0.2.0 netmask 255.255.255.0 {")
	p("  option routers %s;", s.ServerIP)
	p("  pool {")
	p("    failover peer %q;", s.FailoverPeer)
	p("    range %s %s;", s.FailoverRange[0], s.FailoverRange[1])
	p("  }")
	p("  pool {")
	p("    range %s %s;", s.PlainRange[0], s.PlainRange[1])
	p("  }")
	p("  pool {")
	p("    range %s %s;", s.StaticRange[0], s.StaticRange[1])
	p("  }")
	p("}")
	p("")
	p("group %q {", s.Group)
	p("  option domain-name %q;", s.GroupDomain)
	p("  %s", hostDecl(s.Grouped))
	p("}")
	p("group %q {", s.EmptyGroup)
	p("  option domain-name \"x.example\";")
	p("}")
	p("")
	for _, h := range []SampleHost{s.Static, s.NoIP, s.ByClientID} {
		p("%s", hostDecl(h))
	}
	return b.String()
}

// hostDecl returns a one-line host declaration.
func hostDecl(h SampleHost) string {
	var b strings.Builder
	fmt.Fprintf(&b, "host %s {", h.Name)
	if h.MAC != "" {
		fmt.Fprintf(&b, " hardware ethernet %s;", h.MAC)
	}
	if h.ClientID != "" {
		fmt.Fprintf(&b, " option dhcp-client-identifier %q;", h.ClientID)
	}
	if h.IP != "" {
		fmt.Fprintf(&b, " fixed-address %s;", h.IP)
	}
	b.WriteString(" }")
	return b.String()
}

// sampleLeases returns the sample dhcpd.leases with times relative to now.
func sampleLeases(now time.Time) string {
	return leasesFile(now, Sample.Leases())
}

// leasesFile returns a dhcpd.leases holding leases, times relative to now.
func leasesFile(now time.Time, leases []SampleLease) string {
	var b strings.Builder
	b.WriteString("# omapish lab: sample dhcpd.leases\n")
	for _, l := range leases {
		fmt.Fprintf(&b, "lease %s {\n", l.IP)
		fmt.Fprintf(&b, "  starts %s;\n", leaseTime(now.Add(l.starts)))
		fmt.Fprintf(&b, "  ends %s;\n", leaseTime(now.Add(l.ends)))
		fmt.Fprintf(&b, "  cltt %s;\n", leaseTime(now.Add(l.starts)))
		fmt.Fprintf(&b, "  binding state %s;\n", l.file)
		if l.file == "active" {
			b.WriteString("  next binding state free;\n")
		}
		if l.MAC != "" {
			fmt.Fprintf(&b, "  hardware ethernet %s;\n", l.MAC)
		}
		if l.ClientID != "" {
			fmt.Fprintf(&b, "  uid %s;\n", octalQuote(l.ClientID))
		}
		if l.Hostname != "" {
			fmt.Fprintf(&b, "  client-hostname %q;\n", l.Hostname)
		}
		b.WriteString("}\n")
	}
	return b.String()
}

// leaseTime formats t the way dhcpd writes lease times: weekday, then UTC
// date and time ("4 2026/11/26 17:00:00").
func leaseTime(t time.Time) string {
	t = t.UTC()
	return fmt.Sprintf("%d %s", t.Weekday(), t.Format("2006/01/02 15:04:05"))
}

// octalQuote quotes s for a leases file, with non-printable bytes as \ooo.
func octalQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c > 0x7e:
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
