package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/omapish/omapish/internal/lab"
	"github.com/omapish/omapish/internal/lab/labtest"
	"github.com/omapish/omapish/omapi"
)

// largeName is the 300 KiB host name of issue 10: dhcpd accepts it from
// any client and sends it back in every reply about the host.
var largeName = strings.Repeat("z", 300<<10)

const largeMAC = "00:00:5e:00:53:84"

// createLarge creates the host with the Go library directly, a raw
// message with none of the module's checks, as another client would.
func createLarge(tb testing.TB, l *lab.Lab) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), 10*time.Second)
	defer cancel()
	c := labtest.Dial(tb, l)
	defer c.Close() // before the test goes on
	mac, _ := omapi.ParseMAC(largeMAC)
	keys := omapi.Values{{Name: "name", Data: []byte(largeName)}, {Name: "hardware-address", Data: mac}}
	keys.SetUint32("hardware-type", 1)
	if _, err := c.Exchange(ctx, omapi.NewOpen("host", keys, omapi.Create, omapi.Exclusive)); err != nil {
		tb.Fatalf("creating the 300 KiB host: %v", err)
	}
}

// omshell runs an omshell script against l, returning its output.
func omshell(tb testing.TB, l *lab.Lab, commands string) string {
	tb.Helper()
	cmd := l.Command(tb.Context(), "omshell")
	cmd.Stdin = strings.NewReader(fmt.Sprintf("key %s %s\nconnect\n%s", l.KeyName(), l.SecretBase64(), commands))
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("omshell: %v\n%s", err, out)
	}
	return string(out)
}

// TestLargeObjectLab: a host another client made large (a 300 KiB name)
// is read and deleted through omapish, by the Lua API (lookup_by_host,
// del_host) and the saved scripts (inspect, host-find), and the
// connection still works afterwards. omshell sees the same host, and
// then no host.
func TestLargeObjectLab(t *testing.T) {
	l := labtest.Start(t)
	// dhcpd writes the name into its leases file, where its own lexer
	// (1500-byte tokens) cannot read it back at the next start.
	labtest.ExpectLeasesComplaint(t, l, "token larger than internal buffer")
	createLarge(t, l)
	profile := filepath.Join(t.TempDir(), "lab.toml")
	if err := l.WriteProfile(profile); err != nil {
		t.Fatal(err)
	}

	// omshell prints only the start of a long value (common/print.c).
	open := "new host\nset hardware-address = " + largeMAC + "\nset hardware-type = 1\nopen\n"
	if out := omshell(t, l, open); !strings.Contains(out, `name = "`+largeName[:70]) {
		t.Fatalf("omshell does not show the host:\n%.300s", out)
	}

	status, out, errOut := runInLab(t, l, "--config", profile, "inspect", "host", "hardware-address="+largeMAC)
	if status != 0 || !strings.Contains(out, fmt.Sprint(len(largeName))) {
		t.Fatalf("inspect: exit %d, stderr %q, stdout:\n%.600s", status, errOut, out)
	}
	status, out, errOut = runInLab(t, l, "--config", profile, "host-find", largeMAC)
	if status != 0 || !strings.Contains(out, strings.Repeat("z", 48)+"... (307200 bytes)") {
		t.Fatalf("host-find: exit %d, stderr %q, stdout:\n%.600s", status, errOut, out)
	}

	code := fmt.Sprintf(`
local c = assert(omapi.connect())
local name = string.rep("z", 300 * 1024)
local h = assert(c:lookup_by_host{name = name})
assert(h.name == name, "name read back with " .. #h.name .. " bytes")
assert(h["hardware-address"] == %[1]q)
assert(c:lookup_by_host{mac = %[1]q}.name == name)
assert(c:del_host(%[1]q))
local r, msg, code = c:lookup_by_host{mac = %[1]q}
assert(r == nil and code == "not-found", msg)
return c:lookup_ip(%[2]q)`, largeMAC, lab.Sample.ActiveLease.MAC)
	status, out, errOut = runInLab(t, l, "--config", profile, "-e", code)
	if status != 0 || strings.TrimSpace(out) != fmt.Sprintf("%q", lab.Sample.ActiveLease.IP) {
		t.Fatalf("read and delete through Lua: exit %d, stdout %q, stderr %q", status, out, errOut)
	}

	if out := omshell(t, l, open); !strings.Contains(out, "not found") {
		t.Fatalf("omshell still finds the host after del_host:\n%.300s", out)
	}
}
