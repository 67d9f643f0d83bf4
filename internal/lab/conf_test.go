package lab

import (
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

func TestParseConf(t *testing.T) {
	src := `
omapi-port 7912;
key "First" { algorithm HMAC-SHA256.SIG-ALG.REG.INT.; secret c2VjcmV0; }
key second { algorithm hmac-md5; secret "b3RoZXI="; }
omapi-key First;
shared-network net {
  subnet 198.51.100.0 netmask 255.255.255.0 {
    pool { failover peer "fo"; range 198.51.100.10 198.51.100.20; }
  }
}
subnet 203.0.113.0 netmask 255.255.255.192 { }
failover peer "fo" { primary; }
group "g1" {
  host a { hardware ethernet 00:00:5E:00:53:0A; fixed-address 198.51.100.5, 198.51.100.6; }
  group { host b { option dhcp-client-identifier "id-b"; } }
}
host c { uid "cid"; }
`
	c, err := parseConf(src)
	if err != nil {
		t.Fatal(err)
	}
	if c.port != 7912 || c.omapiKey != "First" {
		t.Errorf("port %d omapi-key %q", c.port, c.omapiKey)
	}
	wantKeys := []keyInfo{{"First", "hmac-sha256", "c2VjcmV0"}, {"second", "hmac-md5", "b3RoZXI="}}
	if !reflect.DeepEqual(c.keys, wantKeys) {
		t.Errorf("keys = %+v", c.keys)
	}
	if k, ok := c.key("first"); !ok || k.name != "First" {
		t.Errorf("key(first) = %+v %v, want case-insensitive match", k, ok)
	}
	if c.subnet != netip.MustParsePrefix("198.51.100.0/24") || len(c.subnets) != 2 || c.subnets[1].Bits() != 26 {
		t.Errorf("subnet %v, subnets %v", c.subnet, c.subnets)
	}
	wantHosts := []hostInfo{
		{name: "a", mac: "00:00:5e:00:53:0a", ips: []string{"198.51.100.5", "198.51.100.6"}, group: "g1"},
		{name: "b", clientID: "id-b", group: "g1"},
		{name: "c", clientID: "cid"},
	}
	if !reflect.DeepEqual(c.hosts, wantHosts) {
		t.Errorf("hosts = %+v", c.hosts)
	}
	if !reflect.DeepEqual(c.groups, []string{"g1"}) || !reflect.DeepEqual(c.peers, []string{"fo"}) || c.pools != 1 {
		t.Errorf("groups %v peers %v pools %d", c.groups, c.peers, c.pools)
	}
}

func TestParseConfSyntaxErrorKeepsPrefix(t *testing.T) {
	c, err := parseConf("omapi-port 7000;\nsubnet 192.0.2.0 netmask 255.255.255.0 {\n")
	if err == nil || c.port != 7000 {
		t.Errorf("port %d, err %v; want 7000 and a syntax error", c.port, err)
	}
}

// TestParseConfIncludes: included files are read in place, in the group
// they appear in; a file that cannot be read, or includes without end,
// is an error naming the include.
func TestParseConfIncludes(t *testing.T) {
	files := map[string]string{
		"keys.conf":  "key k { algorithm hmac-sha256; secret \"c2VjcmV0\"; }\ninclude \"more.conf\";\n",
		"more.conf":  "omapi-port 7912;\n",
		"hosts.conf": "host h { hardware ethernet 00:00:5e:00:53:01; }\n",
		"loop.conf":  "include \"loop.conf\";\n",
	}
	read := func(path string) (string, error) {
		if src, ok := files[path]; ok {
			return src, nil
		}
		return "", fmt.Errorf("open %s: no such file", path)
	}
	c, err := parseConfFiles("include \"keys.conf\";\nomapi-key k;\ngroup g { include \"hosts.conf\"; }\n", read)
	if err != nil || c.includeErr != nil {
		t.Fatal(err, c.includeErr)
	}
	if k, ok := c.key("k"); !ok || k.algorithm != "hmac-sha256" || c.port != 7912 || c.omapiKey != "k" {
		t.Errorf("key %+v port %d omapi-key %q", k, c.port, c.omapiKey)
	}
	if len(c.hosts) != 1 || c.hosts[0].group != "g" {
		t.Errorf("hosts %+v, want h in group g", c.hosts)
	}
	for src, want := range map[string]string{
		"include \"nope.conf\";":             `include "nope.conf": open nope.conf: no such file`,
		"include \"loop.conf\";":             "more than 16 nested includes",
		"group g { include \"nope.conf\"; }": `include "nope.conf"`,
	} {
		c, _ := parseConfFiles(src, read)
		if c.includeErr == nil || !strings.Contains(c.includeErr.Error(), want) {
			t.Errorf("%s: include error %v, want %q", src, c.includeErr, want)
		}
	}
	// Without a reader (the sample), includes are not followed.
	if c, _ := parseConf("include \"keys.conf\";"); c.includeErr != nil || len(c.keys) != 0 {
		t.Errorf("parseConf followed an include: %+v", c)
	}
}

func TestSampleConfParses(t *testing.T) {
	for _, omapiKey := range []bool{true, false} {
		c, err := parseConf(sampleConf("hmac-sha1", "c2VjcmV0MQ==", "c2VjcmV0Mg==", omapiKey))
		if err != nil {
			t.Fatal(err)
		}
		wantKey := ""
		if omapiKey {
			wantKey = Sample.KeyName
		}
		if c.port != Sample.Port || c.omapiKey != wantKey || len(c.keys) != 2 || c.keys[0].algorithm != "hmac-sha1" {
			t.Errorf("port %d omapi-key %q keys %+v", c.port, c.omapiKey, c.keys)
		}
		if c.subnet.String() != Sample.Subnet || c.pools != 3 {
			t.Errorf("subnet %v pools %d", c.subnet, c.pools)
		}
		if !reflect.DeepEqual(c.groups, Sample.Groups()) || !reflect.DeepEqual(c.peers, []string{Sample.FailoverPeer}) {
			t.Errorf("groups %v peers %v", c.groups, c.peers)
		}
		var names []string
		for _, h := range c.hosts {
			names = append(names, h.name)
		}
		if want := []string{"grouped1", "static1", "noip1", "byuid1"}; !reflect.DeepEqual(names, want) {
			t.Errorf("hosts %v, want %v", names, want)
		}
	}
}

func TestSampleLeases(t *testing.T) {
	now := time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC) // a Thursday
	text := sampleLeases(now)
	if !strings.Contains(text, "starts 4 2026/11/26 16:00:00;") || !strings.Contains(text, "ends 5 2026/11/27 17:00:00;") {
		t.Errorf("lease times not in dhcpd's format:\n%s", text)
	}
	if !strings.Contains(text, `uid "\001\000\000^\000SP";`) {
		t.Errorf("uid not octal-escaped:\n%s", text)
	}
	li := parseLeases(text)
	if len(li.leases) != len(Sample.Leases()) {
		t.Fatalf("%d leases, want %d", len(li.leases), len(Sample.Leases()))
	}
	for i, l := range Sample.Leases() {
		got := li.leases[i]
		if got.ip != l.IP || got.state != l.file || got.mac != l.MAC || got.hostname != l.Hostname {
			t.Errorf("lease %d = %+v, want %+v", i, got, l)
		}
	}
}

func TestParseLeasesLastRecordWins(t *testing.T) {
	src := `
lease 192.0.2.10 { binding state active; hardware ethernet 00:00:5e:00:53:01; }
host dyn1 { dynamic; hardware ethernet 00:00:5e:00:53:02; fixed-address 192.0.2.20; }
lease 192.0.2.11 { binding state free; }
lease 192.0.2.10 { binding state free; hardware ethernet 00:00:5e:00:53:01; }
host static1 { deleted; }
host dyn1 { dynamic; deleted; }
host dyn2 { dynamic; hardware ethernet 00:00:5e:00:53:03; }
group grp { dynamic; option domain-name "x"; }
group old { dynamic; deleted; }
failover peer "fo" state { my state recover at 4 2026/11/26 17:00:00; }
`
	li := parseLeases(src)
	want := []leaseInfo{{ip: "192.0.2.10", state: "free", mac: "00:00:5e:00:53:01"}, {ip: "192.0.2.11", state: "free"}}
	if !reflect.DeepEqual(li.leases, want) {
		t.Errorf("leases = %+v", li.leases)
	}
	if len(li.hosts) != 1 || li.hosts[0].name != "dyn2" {
		t.Errorf("hosts = %+v", li.hosts)
	}
	if !reflect.DeepEqual(li.deletedHosts, []string{"dyn1", "static1"}) { // in order of first record
		t.Errorf("deleted hosts = %v", li.deletedHosts)
	}
	if !reflect.DeepEqual(li.groups, []string{"grp"}) || !reflect.DeepEqual(li.deletedGroups, []string{"old"}) {
		t.Errorf("groups %v deleted %v", li.groups, li.deletedGroups)
	}
}

func TestSubnetPrefix(t *testing.T) {
	tests := []struct {
		addr, mask string
		want       string // "" for invalid
	}{
		{"192.0.2.0", "255.255.255.0", "192.0.2.0/24"},
		{"198.51.100.64", "255.255.255.192", "198.51.100.64/26"},
		{"10.1.2.3", "255.0.0.0", "10.0.0.0/8"},
		{"192.0.2.0", "255.0.255.0", ""},
		{"192.0.2.0", "bogus", ""},
		{"2001:db8::", "255.255.255.0", ""},
	}
	for _, tt := range tests {
		p, ok := subnetPrefix(tt.addr, tt.mask)
		got := ""
		if ok {
			got = p.String()
		}
		if got != tt.want {
			t.Errorf("subnetPrefix(%s, %s) = %q, want %q", tt.addr, tt.mask, got, tt.want)
		}
	}
}

func TestVethAddr(t *testing.T) {
	tests := []struct{ conf, want string }{
		{"subnet 198.51.100.0 netmask 255.255.255.0 { }", "198.51.100.1/24"},
		{"subnet 198.51.100.128 netmask 255.255.255.128 { }", "198.51.100.129/25"},
		{"", "192.0.2.1/24"},
	}
	for _, tt := range tests {
		c, _ := parseConf(tt.conf)
		if got := vethAddr(c).String(); got != tt.want {
			t.Errorf("vethAddr(%q) = %s, want %s", tt.conf, got, tt.want)
		}
	}
}

func TestNormalizeAlgorithm(t *testing.T) {
	for in, want := range map[string]string{
		"hmac-md5":                    "hmac-md5",
		"HMAC-MD5.SIG-ALG.REG.INT.":   "hmac-md5",
		"hmac-sha256.SIG-ALG.REG.INT": "hmac-sha256",
		"HMAC-SHA512":                 "hmac-sha512",
	} {
		if got := normalizeAlgorithm(in); got != want {
			t.Errorf("normalizeAlgorithm(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLogTail(t *testing.T) {
	log := `Internet Systems Consortium DHCP Server 4.4.3-P1
/tmp/x/dhcpd.conf line 3: semicolon expected.
}
^
Configuration file errors encountered -- exiting

If you think you have received this message due to a bug rather
than a configuration issue please read the section on submitting
bugs on either our web page at www.isc.org or in the README file
before submitting a bug.  These pages explain the proper
process and the information we find helpful for debugging.

exiting.
`
	want := "/tmp/x/dhcpd.conf line 3: semicolon expected.\n}\n^\nConfiguration file errors encountered -- exiting"
	if got := logTail(log, 4); got != want {
		t.Errorf("logTail = %q, want %q", got, want)
	}
}

func TestLeaseStateString(t *testing.T) {
	for s, want := range map[LeaseState]string{StateFree: "free", StateActive: "active", StateBackup: "backup", 0: "state-0", 8: "state-8"} {
		if got := s.String(); got != want {
			t.Errorf("LeaseState(%d).String() = %q, want %q", uint32(s), got, want)
		}
	}
}

func TestRandomSecret(t *testing.T) {
	seen := map[string]bool{}
	for range 50 {
		s := randomSecret()
		b, err := decodeSecret(s)
		if err != nil || len(b) < 16 || len(b) > 32 || seen[s] {
			t.Fatalf("randomSecret() = %q (%d bytes, %v, repeated %v)", s, len(b), err, seen[s])
		}
		seen[s] = true
	}
}

func TestTOMLString(t *testing.T) {
	for _, s := range []string{"plain", `a "quoted" \path\`, "tab\there\nnew line\x00\x7f", "ünïcode ✓"} {
		var v struct{ X string }
		if _, err := toml.Decode("X = "+tomlString(s), &v); err != nil || v.X != s {
			t.Errorf("tomlString(%q) = %s decodes to %q, %v", s, tomlString(s), v.X, err)
		}
	}
}
