package omapi_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/omapish/omapish/internal/bytetext"
	"github.com/omapish/omapish/internal/errcode"
	"github.com/omapish/omapish/internal/lab"
	"github.com/omapish/omapish/internal/lab/labtest"
	"github.com/omapish/omapish/omapi"
)

// These tests run against a real ISC dhcpd started by the lab. A test that
// cannot start it fails.

var (
	sharedOnce sync.Once
	sharedLab  *lab.Lab
	sharedErr  error
)

// labFor returns the package's shared lab (started on first use, stopped
// by TestMain) for tests that only read or clean up after themselves; its
// leases file is checked when the test ends.
func labFor(tb testing.TB) *lab.Lab {
	tb.Helper()
	sharedOnce.Do(func() {
		sharedLab, sharedErr = lab.Start(context.Background(), lab.Config{})
	})
	if sharedErr != nil {
		tb.Fatalf("starting the lab dhcpd: %v", sharedErr)
	}
	labtest.CheckLeasesAtEnd(tb, sharedLab)
	return sharedLab
}

func dial(tb testing.TB, l *lab.Lab) *omapi.Conn {
	tb.Helper()
	auth, err := omapi.HMAC(l.KeyName(), l.Algorithm(), l.Secret())
	if err != nil {
		tb.Fatal(err)
	}
	// The fast paths the omapish command turns on, so that they are what
	// the lab tests exercise.
	d := &omapi.Dialer{Auth: auth, NetDial: l.DialContext, Spin: true, Streams: streams}
	c, err := d.DialContext(context.Background(), l.Addr())
	if err != nil {
		tb.Fatalf("dial %s: %v", l.Addr(), err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

func TestAlgorithms(t *testing.T) {
	for _, alg := range omapi.Algorithms() {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			l := labtest.Start(t, lab.Config{Algorithm: alg})
			c := dial(t, l)
			ip, err := leaseIP(t.Context(), c, lab.Sample.ActiveLease.MAC)
			if err != nil || ip.String() != lab.Sample.ActiveLease.IP {
				t.Fatalf("LookupIP with %s = %v, %v", alg, ip, err)
			}
		})
	}
}

// TestLookups: objects found by any keys, decoded by the schema.
func TestLookups(t *testing.T) {
	l := labFor(t)
	c := dial(t, l)
	ctx := t.Context()
	s := lab.Sample

	o, err := c.Open(ctx, "host", omapi.Values{{Name: "dhcp-client-identifier", Data: []byte(s.ByClientID.ClientID)}})
	check(t, "host by client-id", attr(o, "name"), s.ByClientID.Name, err)
	o, err = c.Open(ctx, "lease", macKeys(s.ActiveLease.MAC))
	check(t, "lease by MAC", attr(o, "client-hostname"), s.ActiveLease.Hostname, err)
	if st, _ := o.Get("state"); st != uint32(2) {
		t.Errorf("active lease state = %v", st)
	}
	if fl, err := o.Get("flags"); err != nil {
		t.Errorf("lease flags (1 byte on the wire) = %v, %v", fl, err)
	}
	o, err = c.Open(ctx, "failover-state", omapi.Values{{Name: "name", Data: []byte(s.FailoverPeer)}})
	check(t, "failover-state", attr(o, "name"), s.FailoverPeer, err)
	if err != nil {
		return
	}
	// dhcpd sends pointer bytes as partner-address: kept, shown as such.
	if b, ok := o.Values.Get("partner-address"); !ok || len(b) == 4 {
		t.Logf("partner-address is %d bytes", len(b))
	}
	if _, err := o.Get("partner-address"); err == nil {
		t.Log("partner-address decoded as an IP (4 bytes on this build)")
	}
	port, err := o.Get("local-port")
	check(t, "local-port", fmt.Sprint(port), "647", err)
	st, err := o.Get("local-state")
	if n, ok := st.(uint32); !ok || err != nil {
		t.Errorf("local-state = %v, %v", st, err)
	} else if name, _ := omapi.StateName("failover-state", "local-state", n); name == "" {
		t.Errorf("local-state %d has no name", n)
	}

	// Errors carry their kind.
	_, err = c.Open(ctx, "lease", macKeys("00:00:5e:00:53:ee"))
	if !errors.Is(err, omapi.ResultNotFound) || errcode.Of(err) != "not-found" {
		t.Errorf("unknown MAC: %v", err)
	}
	var ae *omapi.AttrError
	if _, err = o.Get("no-such-attribute"); !errors.As(err, &ae) || errors.Is(err, omapi.ResultNotFound) {
		t.Errorf("missing attribute: %v, want an *AttrError, not the server's not found", err)
	}
}

func TestObjects(t *testing.T) {
	l := labFor(t)
	c := dial(t, l)
	ctx := t.Context()
	s := lab.Sample

	// Create, update by handle, refresh, delete.
	o, err := c.Create(ctx, "host", append(omapi.Values{{Name: "name", Data: []byte("obj-b1")}}, macKeys("00:00:5e:00:53:b1")...))
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if err := c.Update(ctx, o.Handle, omapi.Values{{Name: "ip-address", Data: []byte{192, 0, 2, 71}}}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	r, err := c.Refresh(ctx, "host", o.Handle)
	if err != nil || attr(r, "ip-address") != "192.0.2.71" {
		t.Fatalf("Refresh after Update = %v, %v", r, err)
	}
	// The zero-length ip-address (known safe) clears it.
	if err := c.Update(ctx, o.Handle, omapi.Values{{Name: "ip-address"}}); err != nil {
		t.Fatalf("clearing ip-address: %v", err)
	}
	if r, _ = c.Refresh(ctx, "host", o.Handle); r.Values.Has("ip-address") {
		t.Fatalf("ip-address still set: %v", r.Values)
	}
	if err := c.Update(ctx, o.Handle, omapi.Values{{Name: "no-such-attr", Data: []byte("x")}}); errcode.Of(err) != "server" {
		t.Fatalf("unknown attribute: %v", err)
	}
	if err := c.Delete(ctx, o.Handle); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := c.Refresh(ctx, "host", 0x7ffffff0); errcode.Of(err) != "not-found" {
		t.Fatalf("refresh of a dead handle: %v", err)
	}

	// Open with update flag on a lease keyed by MAC (dhcpd allows it).
	if _, err := c.Open(ctx, "lease", macKeys(s.PlainActiveLease.MAC), omapi.Update); err != nil {
		t.Fatalf("open lease with update: %v", err)
	}
	// Types other than hosts.
	for _, tt := range []struct {
		typ  string
		keys omapi.Values
		code string
	}{
		{"control", nil, ""},
		{"group", omapi.Values{{Name: "name", Data: []byte(s.Group)}}, ""},
		{"interface", omapi.Values{{Name: "name", Data: []byte(s.Interface)}}, ""},
		{"failover-state", omapi.Values{{Name: "name", Data: []byte(s.FailoverPeer)}}, ""},
		{"connection", nil, "not-implemented"},
		{"lease", nil, "not-implemented"},
		{"lease", omapi.Values{{Name: "ip-address", Data: []byte{192, 0, 2, 150}}, {Name: "hardware-address", Data: mustMAC(s.FreeLease.MAC)}}, "key-conflict"},
	} {
		o, err := c.Open(ctx, tt.typ, tt.keys)
		if errcode.Of(err) != tt.code {
			t.Errorf("open %s %v: %v, want code %q", tt.typ, tt.keys, err, tt.code)
		}
		if err == nil && tt.typ == "control" {
			if st, err := o.Get("state"); err != nil {
				t.Errorf("control state: %v", err)
			} else if _, ok := omapi.StateName("control", "state", st.(uint32)); !ok {
				t.Errorf("control state %v has no name", st)
			}
		}
	}
	// The pool handle published by a lease can be refreshed.
	lease, err := c.Open(ctx, "lease", omapi.Values{{Name: "ip-address", Data: []byte{192, 0, 2, 150}}})
	if err != nil {
		t.Fatal(err)
	}
	pool, _ := lease.Values.Uint32("pool")
	p, err := c.Refresh(ctx, "pool", pool)
	if err != nil {
		t.Fatalf("refresh pool %d: %v", pool, err)
	}
	if n, err := p.Get("lease-count"); err != nil || n.(uint32) == 0 {
		t.Errorf("pool lease-count = %v, %v", n, err)
	}
}

func TestAuthFailures(t *testing.T) {
	l := labFor(t)
	ctx := t.Context()
	other, otherSecret := l.OtherKey()
	tests := []struct {
		name string
		auth func() (omapi.Authenticator, error)
		want string
	}{
		{"wrong secret", func() (omapi.Authenticator, error) {
			return omapi.HMAC(l.KeyName(), l.Algorithm(), []byte("not the right secret"))
		}, "wrong secret"},
		{"unknown key name", func() (omapi.Authenticator, error) {
			return omapi.HMAC("no-such-key", l.Algorithm(), l.Secret())
		}, `no key "no-such-key"`},
		{"wrong algorithm", func() (omapi.Authenticator, error) {
			return omapi.HMAC(l.KeyName(), "hmac-sha256", l.Secret())
		}, "uses algorithm hmac-md5, not hmac-sha256"},
		{"key that is not the omapi-key", func() (omapi.Authenticator, error) {
			return omapi.HMAC(other, "hmac-md5", otherSecret)
		}, "not the server's omapi-key"},
		{"no key on a keyed server", func() (omapi.Authenticator, error) { return nil, nil }, "requires a key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth, err := tt.auth()
			if err != nil {
				t.Fatal(err)
			}
			d := &omapi.Dialer{Auth: auth, NetDial: l.DialContext}
			c, err := d.DialContext(ctx, l.Addr())
			if err == nil {
				_, err = leaseIP(ctx, c, lab.Sample.ActiveLease.MAC)
				c.Close()
			}
			if !errors.Is(err, omapi.ErrAuth) || errcode.Of(err) != "auth" || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want an auth error containing %q", err, tt.want)
			}
			if errors.Is(err, omapi.ResultNotFound) {
				t.Fatalf("auth failure matches not found: %v", err)
			}
		})
	}
}

func TestServerWithoutKey(t *testing.T) {
	l := labtest.Start(t, lab.Config{NoOMAPIKey: true})
	// Without omapi-key, unsigned requests work ...
	d := &omapi.Dialer{NetDial: l.DialContext}
	c, err := d.DialContext(t.Context(), l.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := leaseIP(t.Context(), c, lab.Sample.ActiveLease.MAC); err != nil {
		t.Fatalf("unsigned lookup on a server without omapi-key: %v", err)
	}
	// ... and a client with the defined key still authenticates.
	c2 := dial(t, l)
	if _, err := leaseIP(t.Context(), c2, lab.Sample.ActiveLease.MAC); err != nil {
		t.Fatalf("signed lookup on a server without omapi-key: %v", err)
	}
}

func TestBatch(t *testing.T) {
	l := labFor(t)
	c := dial(t, l)
	base := netip.MustParseAddr("192.0.2.90")
	const n = 300
	var got []string
	err := c.Batch(t.Context(), n, func(i int) *omapi.Message {
		ip := base
		for range i % 200 {
			ip = ip.Next()
		}
		a := ip.As4()
		return omapi.NewOpen("lease", omapi.Values{{Name: "ip-address", Data: a[:]}})
	}, func(i int, reply *omapi.Message, err error) error {
		switch {
		case err != nil && errcode.Of(err) == "not-found":
			got = append(got, "-")
		case err != nil:
			return err
		default:
			got = append(got, fmt.Sprint(reply.Object.Uint32("state")))
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Batch: %v", err)
	}
	if len(got) != n {
		t.Fatalf("%d replies, want %d", len(got), n)
	}
	// Compare with one-at-a-time answers.
	for _, i := range []int{0, 10, 60, 62, 110, 299} {
		ip := base
		for range i % 200 {
			ip = ip.Next()
		}
		o, err := c.Open(t.Context(), "lease", omapi.Values{{Name: "ip-address", Data: ip.AsSlice()}})
		want := "-"
		if err == nil {
			want = fmt.Sprint(o.Values.Uint32("state"))
		}
		if got[i] != want {
			t.Errorf("request %d (%v): batch %q, single %q", i, ip, got[i], want)
		}
	}
	// fn stopping the batch: every sent request is still answered in order.
	seen := 0
	stop := errors.New("stop")
	err = c.Batch(t.Context(), 1000, func(i int) *omapi.Message {
		return omapi.NewOpen("lease", omapi.Values{{Name: "ip-address", Data: []byte{192, 0, 2, 150}}})
	}, func(i int, reply *omapi.Message, err error) error {
		if i != seen {
			t.Fatalf("reply %d out of order (want %d)", i, seen)
		}
		seen++
		if i == 5 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || seen < 6 {
		t.Fatalf("stopped batch: %v after %d", err, seen)
	}
	if _, err := leaseIP(t.Context(), c, lab.Sample.ActiveLease.MAC); err != nil {
		t.Fatalf("connection unusable after a stopped batch: %v", err)
	}
}

// TestOmshellAgrees asks omshell the same questions and compares what it
// prints with what omapi decoded.
func TestOmshellAgrees(t *testing.T) {
	l := labFor(t)
	c := dial(t, l)
	s := lab.Sample
	tests := []struct {
		typ  string
		set  string // omshell set line
		keys omapi.Values
	}{
		{"lease", "ip-address = " + s.ActiveLease.IP, omapi.Values{{Name: "ip-address", Data: ipBytes(s.ActiveLease.IP)}}},
		{"lease", "ip-address = " + s.PlainActiveLease.IP, omapi.Values{{Name: "ip-address", Data: ipBytes(s.PlainActiveLease.IP)}}},
		{"lease", "hardware-address = " + s.ActiveLease.MAC, macKeys(s.ActiveLease.MAC)},
		{"host", `name = "` + s.Static.Name + `"`, omapi.Values{{Name: "name", Data: []byte(s.Static.Name)}}},
		{"host", "hardware-address = " + s.Grouped.MAC, macKeys(s.Grouped.MAC)},
	}
	for _, tt := range tests {
		t.Run(tt.typ+" "+tt.set, func(t *testing.T) {
			script := fmt.Sprintf("key %s %s\nconnect\nnew %s\nset %s\n", l.KeyName(), l.SecretBase64(), tt.typ, tt.set)
			if strings.HasPrefix(tt.set, "hardware-address") {
				script += "set hardware-type = 1\n"
			}
			script += "open\n"
			cmd := l.Command(t.Context(), "omshell")
			cmd.Stdin = strings.NewReader(script)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("omshell: %v\n%s", err, out)
			}
			want := omshellValues(string(out))
			if len(want) == 0 {
				t.Fatalf("omshell printed no object:\n%s", out)
			}
			o, err := c.Open(t.Context(), tt.typ, tt.keys)
			if err != nil {
				t.Fatalf("omapi: %v", err)
			}
			for _, v := range o.Values {
				if w, ok := want[v.Name]; !ok {
					t.Errorf("%s: omapi has it, omshell does not", v.Name)
				} else if got := omshellFormat(v.Data); got != w {
					t.Errorf("%s: omapi %s, omshell %s", v.Name, got, w)
				}
			}
			for name := range want {
				if !o.Values.Has(name) && name != "hardware-type" {
					t.Errorf("%s: omshell has it, omapi does not", name)
				}
			}
		})
	}
}

// omshellValues parses the `name = value` lines omshell prints after the
// last "obj:" line.
func omshellValues(out string) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimPrefix(strings.TrimSpace(line), "> ")
		if strings.HasPrefix(line, "obj:") {
			m = map[string]string{}
			continue
		}
		if name, v, ok := strings.Cut(line, " = "); ok {
			m[name] = v
		}
	}
	return m
}

// omshellFormat prints data as omshell does (common/print.c
// print_hex_or_string): quoted when all printable, else hex pairs.
func omshellFormat(b []byte) string {
	printable := len(b) > 0
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			printable = false
		}
	}
	if printable || len(b) == 0 {
		return `"` + string(b) + `"`
	}
	return bytetext.Hex(b)
}

func check(t *testing.T, what, got, want string, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v", what, err)
	} else if got != want {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
}

func attr(o *omapi.Object, name string) string {
	if o == nil {
		return ""
	}
	b, ok := o.Values.Get(name)
	if !ok {
		return ""
	}
	k, _ := omapi.AttrKind(o.Type, name)
	return k.Format(b)
}

// macKeys are the keys of a lookup by MAC: the hardware-address and the
// hardware-type dhcpd needs with it.
func macKeys(mac string) omapi.Values {
	return omapi.Values{{Name: "hardware-address", Data: mustMAC(mac)}, {Name: "hardware-type", Data: []byte{0, 0, 0, 1}}}
}

// leaseIP is the address of the lease of mac: a request to try a
// connection with.
func leaseIP(ctx context.Context, c *omapi.Conn, mac string) (netip.Addr, error) {
	o, err := c.Open(ctx, "lease", macKeys(mac))
	if err != nil {
		return netip.Addr{}, err
	}
	return o.Values.IP("ip-address")
}

// leaseMAC is the MAC of the lease on ip.
func leaseMAC(ctx context.Context, c *omapi.Conn, ip string) (net.HardwareAddr, error) {
	o, err := c.Open(ctx, "lease", omapi.Values{{Name: "ip-address", Data: ipBytes(ip)}})
	if err != nil {
		return nil, err
	}
	return o.Values.HardwareAddr("hardware-address")
}

func mustMAC(s string) []byte {
	b, err := omapi.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return b
}

func ipBytes(s string) []byte {
	b, err := omapi.ParseIP(s)
	if err != nil {
		panic(err)
	}
	return b
}

// TestBatchWindowSafe: a deep window asked for on a signed connection is
// capped, so a mixed scan (found and unknown addresses) does not trip
// dhcpd 4.4.3's assertion failure (see DefaultWindow).
func TestBatchWindowSafe(t *testing.T) {
	l := labtest.Start(t)
	auth, _ := omapi.HMAC(l.KeyName(), l.Algorithm(), l.Secret())
	d := &omapi.Dialer{Auth: auth, NetDial: l.DialContext, Window: 256}
	c, err := d.DialContext(t.Context(), l.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	n := 0
	err = c.Batch(t.Context(), 3000, func(i int) *omapi.Message {
		last := byte(120) // found
		if i%10 == 0 {
			last = 95 // in the subnet, in no pool: not found
		}
		return omapi.NewOpen("lease", omapi.Values{{Name: "ip-address", Data: []byte{192, 0, 2, last}}})
	}, func(i int, _ *omapi.Message, err error) error {
		if err != nil && errcode.Of(err) != "not-found" {
			return err
		}
		n++
		return nil
	})
	if err != nil || n != 3000 {
		t.Fatalf("batch: %v after %d replies\n%s", err, n, l.Log())
	}
	if strings.Contains(l.Log(), "REQUIRE") {
		t.Fatalf("dhcpd hit its assertion:\n%s", l.Log())
	}
}

// TestServerRestart: dhcpd killed while a connection is open gives a clear
// error on that connection, and a new connection works once it is back.
func TestServerRestart(t *testing.T) {
	l := labtest.Start(t)
	c := dial(t, l)
	if _, err := leaseIP(t.Context(), c, lab.Sample.ActiveLease.MAC); err != nil {
		t.Fatal(err)
	}
	if err := l.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	_, err := leaseIP(t.Context(), c, lab.Sample.ActiveLease.MAC)
	if err == nil || errcode.Of(err) != "io" {
		t.Fatalf("lookup on a connection to a killed dhcpd: %v, want an io error", err)
	}
	t.Logf("killed dhcpd: %v", err)
	if _, err := leaseIP(t.Context(), c, lab.Sample.ActiveLease.MAC); !errors.Is(err, omapi.ErrBroken) {
		t.Fatalf("later call: %v, want ErrBroken", err)
	}
	auth, _ := omapi.HMAC(l.KeyName(), l.Algorithm(), l.Secret())
	d := &omapi.Dialer{Auth: auth, NetDial: l.DialContext, Timeout: time.Second}
	if _, err := d.DialContext(t.Context(), l.Addr()); errcode.Of(err) != "io" || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("dial while dhcpd is down: %v", err)
	}
	if err := l.Restart(t.Context()); err != nil {
		t.Fatal(err)
	}
	c2 := dial(t, l)
	if _, err := leaseIP(t.Context(), c2, lab.Sample.ActiveLease.MAC); err != nil {
		t.Fatalf("after restart: %v", err)
	}
}
