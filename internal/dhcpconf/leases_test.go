package dhcpconf

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

// sampleLeases is as server/db.c writes a leases file.
const sampleLeases = `# The format of this file is documented in the dhcpd.leases(5) manual page.
# This lease file was written by isc-dhcp-4.4.3-P1

# authoring-byte-order entry is generated, DO NOT DELETE
authoring-byte-order little-endian;

server-duid "\000\001\000\001-\223\254\354\002B\254\021\000\002";

lease 192.0.2.10 {
  starts 1 2026/11/30 10:00:00;
  ends 1 2026/11/30 22:00:00;
  cltt 1 2026/11/30 10:00:00;
  binding state active;
  next binding state free;
  rewind binding state free;
  hardware ethernet 00:00:5e:00:53:01;
  uid "\001\000\000^\000S\001";
  set vendor-class-identifier = "MSFT 5.0";
  client-hostname "pc-1";
}
lease 192.0.2.11 {
  starts 1 2026/11/30 10:00:00;
  ends never;
  binding state backup;
  uid 01:00:00:5e:00:53:02;
  option agent.circuit-id "eth0";
  on expiry { set x = "y"; }
}
host dyn-1 {
  dynamic;
  hardware ethernet 00:00:5e:00:53:21;
  fixed-address 192.0.2.21;
}
host c {
  deleted;
}
host dyn-2 {
  dynamic;
  hardware ethernet 00:00:5e:00:53:22;
  uid "id-2";
  group "lab";
}
host dyn-2 {
  dynamic;
  deleted;
}
group g1 {
  dynamic;
  option domain-name "example.org";
}
failover peer "fo" state {
  my state normal at 1 2026/11/30 09:00:00;
  partner state communications-interrupted at epoch 1796030000;
  mclt 3600;
}
class "c1" { }
subclass "c1" 1:00:00:5e:00:53:01;
lease 192.0.2.10 {
  starts 1 2026/11/30 12:00:00;
  ends 1 2026/11/30 13:00:00;
  tstp 1 2026/11/30 13:00:00;
  binding state free;
  hardware ethernet 00:00:5e:00:53:0a;
}
lease 192.0.2.12 {
  ends 1 2026/11/30 22:00:00;
}
`

func TestParseLeases(t *testing.T) {
	now := time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)
	ls, err := ParseLeases(strings.NewReader(sampleLeases), "l", now)
	if err != nil {
		t.Fatal(err)
	}
	if ls.ByteOrder != "little-endian" || !strings.HasPrefix(ls.ServerDUID, `"\000\001`) || ls.Records != 14 {
		t.Errorf("byte order %q server-duid %q records %d", ls.ByteOrder, ls.ServerDUID, ls.Records)
	}
	d := func(h, m int) time.Time { return time.Date(2026, 11, 30, h, m, 0, 0, time.UTC) }
	want := []Lease{
		{Address: "192.0.2.10", State: "free", NextState: "free", RewindState: "free", Starts: d(12, 0), Ends: d(13, 0), Tstp: d(13, 0),
			HardwareType: "ethernet", MAC: "00:00:5e:00:53:0a", Pos: Pos{"l", 58, 1}},
		{Address: "192.0.2.11", State: "backup", NextState: "backup", RewindState: "backup", Starts: d(10, 0), Ends: Never,
			ClientID: "01:00:00:5e:00:53:02", Statements: []string{`option agent.circuit-id "eth0";`, "on expiry"}, Pos: Pos{"l", 21, 1}},
		{Address: "192.0.2.12", State: "active", NextState: "free", RewindState: "active", Ends: d(22, 0), Pos: Pos{"l", 65, 1}},
	}
	if !reflect.DeepEqual(ls.Leases, want) {
		t.Errorf("leases\n%+v\nwant\n%+v", ls.Leases, want)
	}
	var hosts []string
	for _, h := range CurrentHosts(nil, ls) {
		hosts = append(hosts, h.Name+" "+h.MAC+" "+strings.Join(h.Addresses, ","))
	}
	if want := []string{"dyn-1 00:00:5e:00:53:21 192.0.2.21"}; !reflect.DeepEqual(hosts, want) {
		t.Errorf("current hosts %q, want %q", hosts, want)
	}
	if len(ls.Hosts) != 3 || !ls.Hosts[1].Deleted || !ls.Hosts[2].Deleted || !ls.Hosts[0].Dynamic {
		t.Errorf("host records %+v", ls.Hosts)
	}
	if len(ls.Groups) != 1 || !ls.Groups[0].Dynamic || ls.Groups[0].Statements[0] != `option domain-name "example.org";` {
		t.Errorf("groups %+v", ls.Groups)
	}
	wantPeer := PeerState{Name: "fo", MyState: "normal", MyTime: d(9, 0), PartnerState: "communications-interrupted",
		PartnerTime: time.Unix(1796030000, 0).UTC(), Pos: Pos{"l", 51, 1}}
	if len(ls.Peers) != 1 || ls.Peers[0] != wantPeer {
		t.Errorf("peers %+v", ls.Peers)
	}
	if len(ls.Classes) != 1 || len(ls.Subclasses) != 1 {
		t.Errorf("classes %+v subclasses %+v", ls.Classes, ls.Subclasses)
	}
}

func TestCurrentHostsWithConf(t *testing.T) {
	conf, err := ParseConf(strings.NewReader("host a { hardware ethernet 0:0:5e:0:53:1; }\nhost b { }\nhost c { }\n"), "c", nil)
	if err != nil {
		t.Fatal(err)
	}
	ls, err := ParseLeases(strings.NewReader("host a { deleted; }\nhost b { dynamic; hardware ethernet 0:0:5e:0:53:2; }\nhost d { dynamic; }\nhost a { dynamic; hardware ethernet 0:0:5e:0:53:3; }\n"), "l", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, h := range CurrentHosts(conf, ls) {
		got = append(got, h.Name+" "+h.MAC)
	}
	want := []string{"a 00:00:5e:00:53:03", "b 00:00:5e:00:53:02", "c ", "d "}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("current hosts %q, want %q", got, want)
	}
}

// TestLeasesErrors: the complaint dhcpd -T makes, and the records before
// it.
func TestLeasesErrors(t *testing.T) {
	good := "lease 192.0.2.1 {\n  binding state free;\n}\n"
	tests := []struct {
		src       string
		line, col int
		msg       string
	}{
		{good + "lease 192.0.2.10 {\n  binding state active\n  next binding state free;\n}\n", 6, 3, "semicolon expected."},
		{good + "lease 192.0.2.10 {\n  starts 1 2026/11/30 10:00:00;\n  hardware ethernet", 6, 12, "unexpected end of file"},
		{good + "lease 192.0.2.10 {\n  bogus thing;\n}\n", 5, 3, "Unexpected configuration directive."},
		// a block without words (found by FuzzParse: it had no position)
		{good + "lease 192.0.2.10 {\n  {}\n}\n", 5, 3, "Unexpected configuration directive."},
		{good + "lease 192.0.2.10 {\n  binding state gone;\n}\n", 5, 17, "gone: expecting a binding state."},
		{good + "lease 192.0.2.10 {\n  starts 1 2026-11-30 10:00:00;\n}\n", 5, 12, "numeric year expected."},
		{good + "lease 192.0.2.10;\n", 4, 17, "expecting left brace."},
		{good + "}\n", 4, 1, "Corrupt lease file - possible data loss!"},
		{good + "bogus 1;\n", 4, 1, "Corrupt lease file - possible data loss!"},
		{good + `lease 192.0.2.10 { client-hostname "abc`, 4, 36, "eof in string constant"},
	}
	for _, tt := range tests {
		ls, err := ParseLeases(strings.NewReader(tt.src), "l", time.Now())
		var e *Error
		if !errors.As(err, &e) || e.Line != tt.line || e.Col != tt.col || e.Msg != tt.msg {
			t.Errorf("ParseLeases(%q) error %v, want line %d, column %d: %s", tt.src, err, tt.line, tt.col, tt.msg)
		}
		if ls == nil || len(ls.Leases) != 1 || ls.Leases[0].Address != "192.0.2.1" {
			t.Errorf("ParseLeases(%q) kept %+v, want the record before the error", tt.src, ls)
		}
	}
}

func TestData(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{`"\001\000\000^\000S\001"`, "\x01\x00\x00^\x00S\x01", true},
		{`"id-b"`, "id-b", true},
		{"01:00:00:5e:0:53:2", "\x01\x00\x00\x5e\x00\x53\x02", true},
		{"", "", false},
		{"01::02", "", false},
		{"xyz", "", false},
		{`"a" "b"`, "", false},
	}
	for _, tt := range tests {
		got, ok := Data(tt.in)
		if ok != tt.ok || string(got) != tt.want {
			t.Errorf("Data(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDates(t *testing.T) {
	tests := []struct {
		src  string
		want time.Time
	}{
		{"ends 1 2026/11/30 10:00:00;", time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)},
		{"ends 1 2026/11/30 10:00:00 3600;", time.Date(2026, 11, 30, 11, 0, 0, 0, time.UTC)},
		{"ends 1 126/11/30 10:00:00;", time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)},
		{"ends 2 2038/01/19 03:14:07;", Never}, // parse_date_core: from 2038, MAX_TIME
		{"ends 0 2100/01/01 00:00:00;", Never},
		{"ends never;", Never},
		{"ends epoch 1796032800; # Mon Nov 30 10:00:00 2026", time.Unix(1796032800, 0).UTC()},
	}
	for _, tt := range tests {
		ls, err := ParseLeases(strings.NewReader("lease 192.0.2.1 {\n  "+tt.src+"\n  binding state free;\n}\n"), "l", time.Now())
		if err != nil || len(ls.Leases) != 1 || !ls.Leases[0].Ends.Equal(tt.want) {
			t.Errorf("%s: %+v, %v; want ends %v", tt.src, ls.Leases, err, tt.want)
		}
	}
	for src, msg := range map[string]string{
		"ends 1 2026/11:30 10:00:00;":   "expected slash separating month from day.",
		"ends 1 2026/11/30 10/00:00;":   "expected colon separating hour from minute.",
		"ends 1 2026/11/30 10:00/00;":   "expected colon separating minute from second.",
		"ends 1 2026/11/30 10:00:00 x;": "Time zone offset or semicolon expected.",
	} {
		_, err := ParseLeases(strings.NewReader("lease 192.0.2.1 {\n  "+src+"\n}\n"), "l", time.Now())
		var e *Error
		if !errors.As(err, &e) || e.Msg != msg || e.Line != 2 {
			t.Errorf("%s: %v, want line 2: %s", src, err, msg)
		}
	}
}
