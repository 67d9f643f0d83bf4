package dhcpconf

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const sampleConf = `# A conf with what the reader models.
omapi-port 7911;
omapi-key omapi_key;
key omapi_key { algorithm HMAC-MD5.SIG-ALG.REG.INT.; secret +bFQtBCta6j2vWkjPkNFtgA==; }
key "ddns.example." { algorithm hmac-sha256; secret "c2VjcmV0"; }
option classless code 121 = array of { ip-address, destination-descriptor };
option space-ip code 224 = { ip-address, string };
zone example.com. { primary 127.0.0.1; key ddns.example.; }
failover peer "fo" {
  primary;
  address 192.0.2.1; port 647;
  peer address 192.0.2.2; peer port 847;
  mclt 3600; split 128;
}
class "pxe" { match if substring (option vendor-class-identifier, 0, 9) = "PXEClient"; }
subclass "pxe" 1:00:00:5e:00:53:aa;
subclass "pxe" "literal" { option host-name "x"; }
shared-network "lan" {
  subnet 192.0.2.0 netmask 255.255.255.0 {
    range 192.0.2.10 192.0.2.20;
    pool { failover peer "fo"; range dynamic-bootp 192.0.2.100 192.0.2.110; }
  }
}
subnet 198.51.100.0 netmask 255.255.255.192 { }
group "lab" {
  host a.example { hardware ethernet 0:0:5e:0:53:1; fixed-address 192.0.2.5, b.example; }
  group { host b { option dhcp-client-identifier "id-b"; next-server 192.0.2.1; } }
}
host c { hardware ethernet 00:00:5E:00:53:03; }
on commit { if known { set x = "y"; } else { log (info, "z"); } }
`

func TestParseConf(t *testing.T) {
	c, err := ParseConf(strings.NewReader(sampleConf), "s.conf", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.OmapiPort != 7911 || c.OmapiKey != "omapi_key" {
		t.Errorf("omapi-port %d omapi-key %q", c.OmapiPort, c.OmapiKey)
	}
	wantKeys := []string{"omapi_key hmac-md5 +bFQtBCta6j2vWkjPkNFtgA==", "ddns.example hmac-sha256 c2VjcmV0"}
	var keys []string
	for _, k := range c.Keys {
		keys = append(keys, k.Name+" "+k.Algorithm+" "+k.Secret)
	}
	if !reflect.DeepEqual(keys, wantKeys) {
		t.Errorf("keys %q, want %q", keys, wantKeys)
	}
	if k, ok := c.Key("OMAPI_KEY"); !ok || k.Pos.Line != 4 {
		t.Errorf("Key(OMAPI_KEY) = %+v, %v", k, ok)
	}
	wantHosts := []Host{
		{Name: "a.example", HardwareType: "ethernet", MAC: "00:00:5e:00:53:01", Addresses: []string{"192.0.2.5", "b.example"}, Group: "lab", Pos: Pos{"s.conf", 26, 3}},
		{Name: "b", ClientID: `"id-b"`, Group: "lab", Statements: []string{"next-server 192.0.2.1;"}, Pos: Pos{"s.conf", 27, 11}},
		{Name: "c", HardwareType: "ethernet", MAC: "00:00:5e:00:53:03", Pos: Pos{"s.conf", 29, 1}},
	}
	if !reflect.DeepEqual(c.Hosts, wantHosts) {
		t.Errorf("hosts\n%+v\nwant\n%+v", c.Hosts, wantHosts)
	}
	if len(c.Subnets) != 2 || c.Subnets[0].Prefix.String() != "192.0.2.0/24" || c.Subnets[0].SharedNetwork != "lan" ||
		c.Subnets[1].Prefix.String() != "198.51.100.0/26" || !reflect.DeepEqual(c.Subnets[0].Ranges, []Range{{Start: "192.0.2.10", End: "192.0.2.20"}}) {
		t.Errorf("subnets %+v", c.Subnets)
	}
	if len(c.Pools) != 1 || c.Pools[0].FailoverPeer != "fo" || c.Pools[0].Subnet != "192.0.2.0/24" ||
		!reflect.DeepEqual(c.Pools[0].Ranges, []Range{{Start: "192.0.2.100", End: "192.0.2.110", DynamicBootp: true}}) {
		t.Errorf("pools %+v", c.Pools)
	}
	if len(c.Peers) != 1 || c.Peers[0].Name != "fo" || c.Peers[0].Role != "primary" || c.Peers[0].Address != "192.0.2.1" ||
		c.Peers[0].Port != 647 || c.Peers[0].PeerAddress != "192.0.2.2" || c.Peers[0].PeerPort != 847 {
		t.Errorf("peers %+v", c.Peers)
	}
	if len(c.Classes) != 1 || c.Classes[0].Name != "pxe" ||
		c.Classes[0].Statements[0] != `match if substring (option vendor-class-identifier, 0, 9) = "PXEClient";` {
		t.Errorf("classes %+v", c.Classes)
	}
	if len(c.Subclasses) != 2 || c.Subclasses[0].Data != "1:00:00:5e:00:53:aa" || c.Subclasses[1].Data != `"literal"` {
		t.Errorf("subclasses %+v", c.Subclasses)
	}
	if len(c.Groups) != 1 || c.Groups[0].Name != "lab" || len(c.SharedNetworks) != 1 {
		t.Errorf("groups %+v shared networks %+v", c.Groups, c.SharedNetworks)
	}
	if got := c.Statements[4].Text(); got != "option classless code 121 = array of { ip-address, destination-descriptor };" {
		t.Errorf("raw text %q", got)
	}
}

// TestConfSyntaxErrors: the complaints, and where, are dhcpd's (checked
// against dhcpd -t in the differential tests).
func TestConfSyntaxErrors(t *testing.T) {
	tests := []struct {
		src       string
		line, col int
		msg       string
	}{
		{"omapi-port 7911\nsubnet 192.0.2.0 netmask 255.255.255.0 { }\n", 2, 1, "semicolon expected."},
		{"omapi-port 7911;\nsubnet 192.0.2.0 netmask 255.255.255.0 {\n", 2, 40, "unexpected end of file"},
		{"omapi-port 7911;\n}\n", 1, 16, "expecting a parameter or declaration"},
		{"host x { hardware ethernet 00:00:5e:00:53:01 fixed-address 192.0.2.3; }", 1, 46, "expecting semicolon."},
		{"host x { fixed-address 192.0.2.3 }", 1, 34, "semicolon expected."},
		{"subnet 192.0.2.0 netmask 255.255.255.0;", 1, 39, "expecting left brace."},
		{"subnet 192.0.2.0 mask 255.255.255.0 {}", 1, 18, "Expecting netmask"},
		{"omapi-port x;", 1, 12, "expecting number."},
		{"include foo;", 1, 9, "filename string expected."},
		{`host "x`, 1, 6, "eof in string constant"},
		{"failover x {}", 1, 10, `expecting "peer"`},
	}
	for _, tt := range tests {
		c, err := ParseConf(strings.NewReader(tt.src), "t.conf", nil)
		var e *Error
		if !errors.As(err, &e) || e.Line != tt.line || e.Col != tt.col || e.Msg != tt.msg || c == nil {
			t.Errorf("ParseConf(%q) error %v, want line %d, column %d: %s", tt.src, err, tt.line, tt.col, tt.msg)
		}
	}
}

func TestConfKeepsWhatCameBefore(t *testing.T) {
	c, err := ParseConf(strings.NewReader("omapi-port 7000;\nhost a { }\nsubnet 192.0.2.0 netmask 255.255.255.0 {\n"), "t", nil)
	if err == nil || c.OmapiPort != 7000 || len(c.Hosts) != 1 {
		t.Errorf("port %d hosts %d, err %v; want 7000, 1 and an error", c.OmapiPort, len(c.Hosts), err)
	}
}

func TestConfIncludes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("keys.conf", "key k { algorithm hmac-sha256; secret c2VjcmV0; }\nomapi-port 7912;\n")
	write("hosts.conf", "host h { hardware ethernet 00:00:5e:00:53:09; }\n")
	write("loop.conf", "include \"loop.conf\";\n")
	write("bad.conf", "host z {\n")
	c, err := ParseConf(strings.NewReader("include \"keys.conf\";\ngroup g { include \"hosts.conf\"; }\n"), "main", &Options{Dir: dir})
	if err != nil || c.OmapiPort != 7912 || len(c.Keys) != 1 || len(c.Hosts) != 1 || c.Hosts[0].Group != "g" {
		t.Errorf("port %d keys %+v hosts %+v err %v", c.OmapiPort, c.Keys, c.Hosts, err)
	}
	if c.Hosts[0].Pos.File != "hosts.conf" || c.Hosts[0].Pos.Line != 1 {
		t.Errorf("host at %v", c.Hosts[0].Pos)
	}
	_, err = ParseConf(strings.NewReader("include \"missing.conf\";"), "main", &Options{Dir: dir})
	if !errors.Is(err, ErrInclude) || !strings.Contains(err.Error(), "missing.conf") {
		t.Errorf("missing include: %v", err)
	}
	_, err = ParseConf(strings.NewReader("include \"loop.conf\";"), "main", &Options{Dir: dir})
	if !errors.Is(err, ErrIncludeDepth) || !strings.Contains(err.Error(), "loop.conf") {
		t.Errorf("include loop: %v", err)
	}
	_, err = ParseConf(strings.NewReader("\ninclude \"bad.conf\";"), "main", &Options{Dir: dir})
	var e *Error
	if !errors.As(err, &e) || e.File != "bad.conf" || e.Line != 1 || e.Msg != "unexpected end of file" {
		t.Errorf("bad include: %v", err)
	}
	c, err = ParseConf(strings.NewReader("include \"missing.conf\";"), "main", &Options{NoIncludes: true})
	if err != nil || len(c.Statements) != 1 {
		t.Errorf("NoIncludes: %v %+v", err, c.Statements)
	}
}

func TestDecodeSecret(t *testing.T) {
	tests := []struct {
		in   string
		want int // bytes; -1 for an error
	}{
		{"c2VjcmV0", 6},
		{"c2VjcmV0MQ==", 7},
		{"c2VjcmV0MQ", 7},
		{"+bFQtBCta6j2vWkjPkNFtgA=", 17},
		{"+bFQtBCta6j2vWkjPkNFtgA==", 17}, // one '=' too many: dhcpd takes it
		{"+bFQtBCta6j2vWkjPkNFtgA===", 17},
		{"c2Vj=cmV0", -1},
		{"c2V*jcmV0", -1},
		{"c2VjcmV0MR", -1}, // bits left over
		{"", -1},
		{"==", -1},
	}
	for _, tt := range tests {
		b, err := DecodeSecret(tt.in)
		if tt.want < 0 {
			if !errors.Is(err, ErrSecret) {
				t.Errorf("DecodeSecret(%q) = %x, %v; want an error", tt.in, b, err)
			}
			if err != nil && tt.in != "" && strings.Contains(err.Error(), tt.in) {
				t.Errorf("error %q shows the secret", err)
			}
			continue
		}
		if err != nil || len(b) != tt.want {
			t.Errorf("DecodeSecret(%q) = %d bytes, %v; want %d", tt.in, len(b), err, tt.want)
		}
	}
}
