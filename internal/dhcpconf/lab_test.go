package dhcpconf_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/omapish/omapish/internal/dhcpconf"
	"github.com/omapish/omapish/internal/lab"
	"github.com/omapish/omapish/internal/lab/labtest"
	"github.com/omapish/omapish/omapi"
	"github.com/omapish/omapish/omapi/pypure"
)

// The reader against the lab's dhcpd over OMAPI: dhcpd loads a conf and a
// leases file; what the reader says each lease and host is equals what
// dhcpd says, and after OMAPI writes the reader's view of the leases file
// dhcpd wrote equals the server's.

// labConf is a copy of the conf at path that the lab can run: the conf
// itself with an omapi-port when it has none. "" when it has no IPv4
// subnet to serve on (dhcpd would not start).
func labConf(t *testing.T, path string) (string, *dhcpconf.Conf) {
	t.Helper()
	conf, err := dhcpconf.ReadConf(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(conf.Subnets) == 0 {
		return "", conf
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if conf.OmapiPort == 0 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := ln.Addr().(*net.TCPAddr).Port
		ln.Close()
		src = append([]byte(fmt.Sprintf("omapi-port %d;\n", port)), src...)
		conf.OmapiPort = port
	}
	out := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(out, src, 0o600); err != nil {
		t.Fatal(err)
	}
	return out, conf
}

// genLeases writes a leases file for conf, with history: for the first
// addresses of each range an active lease (a free record first), a free
// one and an abandoned one; a host created over OMAPI, one created and
// deleted, and the first host of the conf deleted.
func genLeases(conf *dhcpconf.Conf, now time.Time) string {
	var b strings.Builder
	date := func(t time.Time) string {
		return fmt.Sprintf("%d %s", t.Weekday(), t.UTC().Format("2006/01/02 15:04:05"))
	}
	starts, ends := date(now.Add(-time.Hour)), date(now.Add(240*time.Hour))
	var ranges []dhcpconf.Range
	for _, s := range conf.Subnets {
		ranges = append(ranges, s.Ranges...)
	}
	for _, p := range conf.Pools {
		ranges = append(ranges, p.Ranges...)
	}
	n := 0
	for _, r := range ranges {
		a, err := netip.ParseAddr(r.Start)
		if err != nil {
			continue
		}
		n++
		mac := fmt.Sprintf("00:00:5e:00:53:%02x", 0x80+n)
		fmt.Fprintf(&b, "lease %s {\n  starts %s;\n  ends %s;\n  binding state free;\n}\n", a, starts, starts)
		fmt.Fprintf(&b, "lease %s {\n  starts %s;\n  ends %s;\n  cltt %s;\n  binding state active;\n  next binding state free;\n"+
			"  hardware ethernet %s;\n  uid \"\\001\\000\\000^\\000S%c\";\n  set vendor-class-identifier = \"test\";\n  client-hostname \"gen-%d\";\n}\n",
			a, starts, ends, starts, mac, 0x80+n, n)
		a = a.Next()
		fmt.Fprintf(&b, "lease %s {\n  starts %s;\n  ends %s;\n  binding state free;\n  hardware ethernet %s;\n}\n", a, starts, starts, mac)
		a = a.Next()
		// Ends from 2038 on is "never" to dhcpd (parse_date_core).
		fmt.Fprintf(&b, "lease %s {\n  starts %s;\n  ends 3 2040/01/04 00:00:00;\n  binding state abandoned;\n  next binding state abandoned;\n}\n", a, starts)
	}
	if len(conf.Subnets) > 0 && conf.Subnets[0].Prefix.IsValid() {
		ip := conf.Subnets[0].Prefix.Addr()
		for range 5 {
			ip = ip.Next()
		}
		fmt.Fprintf(&b, "host gen-dyn {\n  dynamic;\n  hardware ethernet 00:00:5e:00:53:f1;\n  fixed-address %s;\n}\n", ip)
		fmt.Fprintf(&b, "host gen-gone {\n  dynamic;\n  hardware ethernet 00:00:5e:00:53:f2;\n}\n")
		fmt.Fprintf(&b, "host gen-gone {\n  dynamic;\n  deleted;\n}\n")
	}
	if len(conf.Hosts) > 0 {
		fmt.Fprintf(&b, "host %s {\n  deleted;\n}\n", conf.Hosts[0].Name)
	}
	return b.String()
}

func macString(b []byte) string {
	s := make([]string, len(b))
	for i, c := range b {
		s[i] = fmt.Sprintf("%02x", c)
	}
	return strings.Join(s, ":")
}

// compareWithServer checks every host and lease the reader finds in conf
// and leases against what dhcpd says over OMAPI.
func compareWithServer(t *testing.T, c *omapi.Conn, conf *dhcpconf.Conf, ls *dhcpconf.Leases) {
	t.Helper()
	ctx := t.Context()
	current := dhcpconf.CurrentHosts(conf, ls)
	present := map[string]bool{}
	for _, h := range current {
		present[h.Name] = true
		obj, err := c.Open(ctx, "host", omapi.Values{{Name: "name", Data: []byte(h.Name)}})
		if err != nil {
			t.Errorf("host %s (%v): the reader has it, dhcpd: %v", h.Name, h.Pos, err)
			continue
		}
		if mac, _ := obj.Values.Get("hardware-address"); macString(mac) != h.MAC {
			t.Errorf("host %s: the reader says MAC %q, dhcpd %q", h.Name, h.MAC, macString(mac))
		}
		if len(h.Addresses) > 0 {
			if a, err := netip.ParseAddr(h.Addresses[0]); err == nil {
				ip, _ := obj.Values.Get("ip-address")
				if got, _ := netip.AddrFromSlice(ip); got != a {
					t.Errorf("host %s: the reader says address %s, dhcpd %v", h.Name, a, got)
				}
			}
		}
		if h.ClientID != "" {
			want, _ := dhcpconf.Data(h.ClientID)
			if got, _ := obj.Values.Get("dhcp-client-identifier"); string(got) != string(want) {
				t.Errorf("host %s: the reader says client id %q, dhcpd %q", h.Name, want, got)
			}
		}
	}
	var names []string
	for _, h := range ls.Hosts {
		names = append(names, h.Name)
	}
	for _, h := range conf.Hosts {
		names = append(names, h.Name)
	}
	for _, name := range names {
		if present[name] {
			continue
		}
		_, err := c.Open(ctx, "host", omapi.Values{{Name: "name", Data: []byte(name)}})
		if !errors.Is(err, omapi.ResultNotFound) {
			t.Errorf("host %s: the reader says deleted, dhcpd: %v", name, err)
		}
	}
	for _, l := range ls.Leases {
		a := netip.MustParseAddr(l.Address).As4()
		obj, err := c.Open(ctx, "lease", omapi.Values{{Name: "ip-address", Data: a[:]}})
		if err != nil {
			t.Errorf("lease %s (%v): dhcpd: %v", l.Address, l.Pos, err)
			continue
		}
		st, _ := obj.Get("state")
		if n, _ := st.(uint32); omapi.States("lease", "state")[n] != l.State {
			t.Errorf("lease %s: the reader says %s, dhcpd %v", l.Address, l.State, st)
		}
		if mac, _ := obj.Values.Get("hardware-address"); macString(mac) != l.MAC {
			t.Errorf("lease %s: the reader says MAC %q, dhcpd %q", l.Address, l.MAC, macString(mac))
		}
		if hn, _ := obj.Values.Get("client-hostname"); strings.TrimRight(string(hn), "\x00") != l.Hostname {
			t.Errorf("lease %s: the reader says hostname %q, dhcpd %q", l.Address, l.Hostname, hn)
		}
		if want, _ := dhcpconf.Data(l.ClientID); l.ClientID != "" {
			if got, _ := obj.Values.Get("dhcp-client-identifier"); string(got) != string(want) {
				t.Errorf("lease %s: the reader says client id %q, dhcpd %q", l.Address, want, got)
			}
		}
		if ends, err := obj.Get("ends"); err == nil {
			if e, _ := ends.(time.Time); !e.Equal(l.Ends) {
				t.Errorf("lease %s: the reader says ends %v, dhcpd %v", l.Address, l.Ends, e)
			}
		}
	}
}

// TestDifferentialServer loads each real-world conf (and the lab's
// sample) with a generated leases file into the lab's dhcpd.
func TestDifferentialServer(t *testing.T) {
	paths := files(t, "testdata/conf/*.conf")
	abs := make([]string, len(paths))
	for i, p := range paths {
		abs[i], _ = filepath.Abs(p)
	}
	t.Chdir("testdata/conf") // includes are relative to dhcpd's directory
	for _, path := range abs {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			confPath, conf := labConf(t, path)
			if confPath == "" {
				t.Logf("%s declares no subnet: dhcpd would not serve; checked by dhcpd -t only", name)
				return
			}
			leases := filepath.Join(t.TempDir(), "gen.leases")
			if err := os.WriteFile(leases, []byte(genLeases(conf, time.Now())), 0o600); err != nil {
				t.Fatal(err)
			}
			ls, err := dhcpconf.ReadLeases(leases)
			if err != nil {
				t.Fatal(err)
			}
			if len(ls.Leases) == 0 || len(ls.Hosts) == 0 {
				t.Fatalf("nothing to compare: %d leases, %d host records", len(ls.Leases), len(ls.Hosts))
			}
			l := labtest.Start(t, lab.Config{Conf: confPath, Leases: leases})
			compareWithServer(t, labtest.Dial(t, l), conf, ls)
		})
	}
}

// TestDifferentialAfterWrites: after hosts are added, deleted and added
// again over OMAPI, the leases file dhcpd wrote, read by the reader,
// says what the server says.
func TestDifferentialAfterWrites(t *testing.T) {
	l := labtest.Start(t)
	c := labtest.Dial(t, l)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	s := lab.Sample
	if _, err := pypure.Do(ctx, c, "add_host", "192.0.2.77", "00:00:5e:00:53:77"); err != nil {
		t.Fatal(err)
	}
	if _, err := pypure.Do(ctx, c, "add_host_without_ip", "00:00:5e:00:53:78"); err != nil {
		t.Fatal(err)
	}
	if _, err := pypure.Do(ctx, c, "del_host", "00:00:5e:00:53:78"); err != nil {
		t.Fatal(err)
	}
	if _, err := pypure.Do(ctx, c, "add_host_without_ip", "00:00:5e:00:53:78"); err != nil {
		t.Fatal(err)
	}
	// A host of the conf, deleted.
	h := s.Hosts()[0]
	obj, err := c.Open(ctx, "host", omapi.Values{{Name: "name", Data: []byte(h.Name)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, obj.Handle); err != nil {
		t.Fatal(err)
	}
	// Lease changes: a new end for an active lease, an abandoned lease
	// made free (dhcpd takes "ends" and "state" over OMAPI).
	ends := time.Now().Add(2 * time.Hour).Truncate(time.Second)
	for _, ch := range []struct {
		ip   string
		name string
		val  []byte
	}{
		{s.PlainActiveLease.IP, "ends", binary.BigEndian.AppendUint32(nil, uint32(ends.Unix()))},
		{s.PlainAbandonedLease.IP, "state", binary.BigEndian.AppendUint32(nil, uint32(lab.StateFree))},
	} {
		a := netip.MustParseAddr(ch.ip).As4()
		obj, err := c.Open(ctx, "lease", omapi.Values{{Name: "ip-address", Data: a[:]}})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Update(ctx, obj.Handle, omapi.Values{{Name: ch.name, Data: ch.val}}); err != nil {
			t.Fatalf("lease %s: set %s: %v", ch.ip, ch.name, err)
		}
	}
	conf, err := dhcpconf.ReadConf(filepath.Join(l.Dir(), "dhcpd.conf"))
	if err != nil {
		t.Fatal(err)
	}
	ls, err := dhcpconf.ReadLeases(l.LeasesFile())
	if err != nil {
		t.Fatal(err)
	}
	for _, le := range ls.Leases {
		if le.Address == s.PlainActiveLease.IP && !le.Ends.Equal(ends) {
			t.Errorf("lease %s ends %v in the file, want %v", le.Address, le.Ends, ends)
		}
		if le.Address == s.PlainAbandonedLease.IP && le.State != "free" {
			t.Errorf("lease %s is %s in the file, want free", le.Address, le.State)
		}
	}
	if len(dhcpconf.CurrentHosts(conf, ls)) != len(conf.Hosts)+1 {
		t.Errorf("current hosts %d, want the conf's %d - 1 + 2", len(dhcpconf.CurrentHosts(conf, ls)), len(conf.Hosts))
	}
	compareWithServer(t, c, conf, ls)
}
