package pypure_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omapish/omapish/internal/errcode"
	"github.com/omapish/omapish/internal/lab"
	"github.com/omapish/omapish/internal/lab/labtest"
	"github.com/omapish/omapish/omapi"
	"github.com/omapish/omapish/omapi/pypure"
)

// These tests run against a real ISC dhcpd started by the lab.

var (
	sharedOnce sync.Once
	sharedLab  *lab.Lab
	sharedErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedLab != nil {
		sharedLab.Close()
	}
	os.Exit(code)
}

// dial connects to the package's shared lab (started on first use); its
// leases file is checked when the test ends.
func dial(tb testing.TB) *omapi.Conn {
	tb.Helper()
	sharedOnce.Do(func() {
		sharedLab, sharedErr = lab.Start(context.Background(), lab.Config{})
	})
	if sharedErr != nil {
		tb.Fatalf("starting the lab dhcpd: %v", sharedErr)
	}
	l := sharedLab
	labtest.CheckLeasesAtEnd(tb, l)
	auth, err := omapi.HMAC(l.KeyName(), l.Algorithm(), l.Secret())
	if err != nil {
		tb.Fatal(err)
	}
	c, err := (&omapi.Dialer{Auth: auth, NetDial: l.DialContext}).DialContext(context.Background(), l.Addr())
	if err != nil {
		tb.Fatalf("dial %s: %v", l.Addr(), err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// do runs an operation and shows its result as text.
func do(ctx context.Context, c *omapi.Conn, name string, args ...string) (string, error) {
	r, err := pypure.Do(ctx, c, name, args...)
	switch r := r.(type) {
	case pypure.Host:
		return fmt.Sprint(r.IP, " ", r.MAC, " ", r.Name), err
	case nil:
		return "", err
	}
	return fmt.Sprint(r), err
}

func TestLookups(t *testing.T) {
	c := dial(t)
	ctx := t.Context()
	s := lab.Sample
	tests := []struct {
		op   string
		args []string
		want string
	}{
		{"lookup_ip", []string{s.ActiveLease.MAC}, s.ActiveLease.IP},
		{"lookup_mac", []string{s.ActiveLease.IP}, s.ActiveLease.MAC},
		{"lookup_ip_host", []string{s.Static.MAC}, s.Static.IP},
		{"lookup_hostname", []string{s.ActiveLease.IP}, s.ActiveLease.Hostname},
		{"lookup_host", []string{s.Static.Name}, s.Static.IP + " " + s.Static.MAC + " " + s.Static.Name},
		{"lookup_host", []string{s.NoIP.Name}, "invalid IP " + s.NoIP.MAC + " " + s.NoIP.Name},
		{"lookup_host_by_ip", []string{s.Static.IP}, s.Static.IP + " " + s.Static.MAC + " " + s.Static.Name},
		{"lookup_host_host", []string{s.Grouped.MAC}, s.Grouped.IP + " " + s.Grouped.MAC + " " + s.Grouped.Name},
	}
	for _, tt := range tests {
		got, err := do(ctx, c, tt.op, tt.args...)
		if err != nil || got != tt.want {
			t.Errorf("%s%q = %q, %v; want %q", tt.op, tt.args, got, err, tt.want)
		}
	}

	// Errors carry their kind.
	if _, err := do(ctx, c, "lookup_ip", "00:00:5e:00:53:ee"); !errors.Is(err, omapi.ResultNotFound) || errcode.Of(err) != "not-found" {
		t.Errorf("unknown MAC: %v", err)
	}
	var ae *omapi.AttrError
	if _, err := do(ctx, c, "lookup_hostname", s.UnusedIP); !errors.As(err, &ae) || errcode.Of(err) != "not-found" {
		t.Errorf("hostname of an unused lease: %v, want a missing attribute", err)
	}
	if _, err := do(ctx, c, "lookup_ip", "not-a-mac"); !errors.Is(err, omapi.ErrBadValue) {
		t.Errorf("bad MAC: %v", err)
	}
	if _, err := do(ctx, c, "lookup_ip"); err == nil {
		t.Error("lookup_ip without its argument succeeded")
	}
	// Not found by IP, the error says which link is missing.
	if _, err := do(ctx, c, "lookup_host_by_ip", s.UnusedIP); !errors.Is(err, omapi.ResultNotFound) || !strings.Contains(err.Error(), "only through the lease") {
		t.Errorf("host by an IP without a host: %v", err)
	}
}

func TestHostLifecycle(t *testing.T) {
	c := dial(t)
	ctx := t.Context()
	const mac, ip = "00:00:5e:00:53:a1", "192.0.2.61"

	if _, err := do(ctx, c, "add_host", ip, mac); err != nil {
		t.Fatalf("add_host: %v", err)
	}
	if got, err := do(ctx, c, "lookup_ip_host", mac); err != nil || got != ip {
		t.Fatalf("lookup_ip_host after add_host = %v, %v", got, err)
	}
	if _, err := do(ctx, c, "add_host", ip, mac); !errors.Is(err, omapi.ResultExists) {
		t.Fatalf("second add_host: %v, want exists", err)
	}
	if _, err := do(ctx, c, "del_host", mac); err != nil {
		t.Fatalf("del_host: %v", err)
	}
	if _, err := do(ctx, c, "lookup_ip_host", mac); !errors.Is(err, omapi.ResultNotFound) {
		t.Fatalf("lookup after del_host: %v", err)
	}
	if _, err := do(ctx, c, "del_host", mac); !errors.Is(err, omapi.ResultNotFound) {
		t.Fatalf("second del_host: %v", err)
	}

	// The other creators, and what they made.
	tests := []struct {
		op   string
		args []string
		want map[string]string // attributes expected on the host
	}{
		{"add_host_without_ip", []string{"00:00:5e:00:53:a2"}, map[string]string{"ip-address": ""}},
		{"add_host_supersede_name", []string{"192.0.2.63", "00:00:5e:00:53:a3", "named-a3"},
			map[string]string{"name": "named-a3", "ip-address": "192.0.2.63"}},
		{"add_host_supersede", []string{"192.0.2.64", "00:00:5e:00:53:a4", "sup-a4", "sup-a4.lab", "192.0.2.1", "lab.example"},
			map[string]string{"name": "sup-a4", "ip-address": "192.0.2.64"}},
		{"add_host_with_group", []string{"192.0.2.65", "00:00:5e:00:53:a5", lab.Sample.Group},
			map[string]string{"ip-address": "192.0.2.65"}},
	}
	for _, tt := range tests {
		if _, err := do(ctx, c, tt.op, tt.args...); err != nil {
			t.Errorf("%s: %v", tt.op, err)
			continue
		}
		mac := tt.args[0]
		if len(tt.args) > 1 {
			mac = tt.args[1]
		}
		hw, _ := net.ParseMAC(mac)
		o, err := c.Open(ctx, "host", omapi.Values{{Name: "hardware-address", Data: hw}, {Name: "hardware-type", Data: []byte{0, 0, 0, 1}}})
		if err != nil {
			t.Errorf("%s: lookup: %v", tt.op, err)
			continue
		}
		for k, v := range tt.want {
			got := ""
			if b, ok := o.Values.Get(k); ok && k == "ip-address" {
				got = netip.AddrFrom4([4]byte(b)).String()
			} else if ok {
				got = string(b)
			}
			if got != v {
				t.Errorf("%s: %s = %q, want %q", tt.op, k, got, v)
			}
		}
		if _, err := do(ctx, c, "del_host", mac); err != nil {
			t.Errorf("%s: del_host: %v", tt.op, err)
		}
	}
	// A group that does not exist is the server's "not found".
	if _, err := do(ctx, c, "add_host_with_group", "192.0.2.66", "00:00:5e:00:53:a6", "no-such-group"); !errors.Is(err, omapi.ResultNotFound) {
		t.Errorf("add_host_with_group into a missing group: %v", err)
	}
	if _, err := do(ctx, c, "add_host_supersede", "192.0.2.67", "00:00:5e:00:53:a7", "sup-a7", "", "not-an-ip", ""); !errors.Is(err, omapi.ErrBadValue) {
		t.Errorf("add_host_supersede with a bad router: %v", err)
	}
}

func TestGroups(t *testing.T) {
	c := dial(t)
	ctx := t.Context()
	group := fmt.Sprintf("g%d", time.Now().UnixNano()%1e9)
	if _, err := do(ctx, c, "add_group", group, `option domain-name "g.example";`); err != nil {
		t.Fatalf("add_group: %v", err)
	}
	if _, err := do(ctx, c, "add_group", group, `option domain-name "g.example";`); !errors.Is(err, omapi.ResultExists) {
		t.Fatalf("second add_group: %v", err)
	}
	o, err := c.Open(ctx, "group", omapi.Values{{Name: "name", Data: []byte(group)}})
	if err != nil {
		t.Fatalf("open group: %v", err)
	}
	if _, err := do(ctx, c, "add_host_supersede_name", "192.0.2.67", "00:00:5e:00:53:a7", "cg-a7"); err != nil {
		t.Fatal(err)
	}
	defer do(ctx, c, "del_host", "00:00:5e:00:53:a7")
	if _, err := do(ctx, c, "change_group", "cg-a7", group); err != nil {
		t.Fatalf("change_group: %v", err)
	}
	if _, err := do(ctx, c, "change_group", "cg-a7", "no-such-group"); !errors.Is(err, omapi.ResultNotFound) {
		t.Fatalf("change_group to a missing group: %v", err)
	}
	if err := c.Delete(ctx, o.Handle); err != nil {
		t.Fatalf("delete group: %v", err)
	}
}

// TestRequests: what each operation sends, as pypureomapi sends it.
func TestRequests(t *testing.T) {
	tests := []struct {
		op           string
		args         []string
		keys, values string
	}{
		{"lookup_ip", []string{"00:00:5e:00:53:01"}, "hardware-address=00005e005301 hardware-type=00000001", ""},
		{"lookup_mac", []string{"192.0.2.1"}, "ip-address=c0000201", ""},
		{"add_host", []string{"192.0.2.1", "00:00:5e:00:53:01"}, "", "ip-address=c0000201 hardware-address=00005e005301 hardware-type=00000001"},
		{"add_host_supersede_name", []string{"192.0.2.1", "00:00:5e:00:53:01", `a"b`}, "",
			`ip-address=c0000201 hardware-address=00005e005301 hardware-type=00000001 name=a"b statements=supersede host-name "a\"b";`},
		{"add_host_supersede", []string{"192.0.2.1", "00:00:5e:00:53:01", "h", "", "192.0.2.254", "example.org"}, "",
			`ip-address=c0000201 hardware-address=00005e005301 hardware-type=00000001 name=h statements=supersede routers 192.0.2.254; supersede domain-name "example.org";`},
		{"add_host_supersede", []string{"192.0.2.1", "00:00:5e:00:53:01", "h", "", "", ""}, "",
			"ip-address=c0000201 hardware-address=00005e005301 hardware-type=00000001 name=h"},
		{"change_group", []string{"h", "g"}, "name=h", "group=g"},
	}
	show := func(vs omapi.Values) string {
		s := ""
		for i, v := range vs {
			if i > 0 {
				s += " "
			}
			if v.Name == "name" || v.Name == "statements" || v.Name == "group" {
				s += v.Name + "=" + string(v.Data)
			} else {
				s += fmt.Sprintf("%s=%x", v.Name, v.Data)
			}
		}
		return s
	}
	for _, tt := range tests {
		r, err := pypure.Find(tt.op).Request(tt.args...)
		if err != nil {
			t.Errorf("%s: %v", tt.op, err)
			continue
		}
		if show(r.Keys) != tt.keys || show(r.Values) != tt.values {
			t.Errorf("%s sends keys %q values %q, want %q %q", tt.op, show(r.Keys), show(r.Values), tt.keys, tt.values)
		}
	}
}
