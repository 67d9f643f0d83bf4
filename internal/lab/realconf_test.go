package lab_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omapish/omapish/internal/lab"
	"github.com/omapish/omapish/internal/lab/labtest"
)

// The lab with files a new user brings (issue 13): each was refused or
// misread before the lab read dhcpd's files as dhcpd does.

// TestConfOptionRecordBeforeSubnet: an option definition with a record
// type in braces before the first subnet; the lab still finds the subnet
// and dhcpd serves on v0.
func TestConfOptionRecordBeforeSubnet(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	conf := filepath.Join(t.TempDir(), "opt.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf(`omapi-port %d;
option space-pair code 224 = { ip-address, string };
option rfc3442-classless-static-routes code 121 = array of integer 8;
subnet 203.0.113.0 netmask 255.255.255.0 { range 203.0.113.10 203.0.113.20; }
`, port)), 0o600)
	l := labtest.Start(t, lab.Config{Conf: conf})
	out, err := l.Command(t.Context(), "ip", "-4", "-o", "addr", "show", "dev", "v0").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "203.0.113.1/24") {
		t.Errorf("v0: %s %v", out, err)
	}
	vals, msg := omshellOpen(t, l, "", "", "", "lease", "ip-address = 203.0.113.10")
	if msg != "" || vals["state"] == "" {
		t.Errorf("lease of the subnet: %v %q", vals, msg)
	}
}

// TestConfSecretExtraPadding: pypureomapi's README secret has one '=' too
// many; dhcpd and omshell decode it (parse_base64), so the lab does, and
// signed requests with it work.
func TestConfSecretExtraPadding(t *testing.T) {
	t.Parallel()
	port := freePort(t)
	const secret = "+bFQtBCta6j2vWkjPkNFtgA=="
	conf := filepath.Join(t.TempDir(), "pad.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf(`omapi-port %d;
key defomapi { algorithm hmac-md5; secret %s; }
omapi-key defomapi;
subnet 192.0.2.0 netmask 255.255.255.0 { range 192.0.2.10 192.0.2.20; }
`, port, secret)), 0o600)
	l := labtest.Start(t, lab.Config{Conf: conf})
	if len(l.Secret()) != 17 {
		t.Errorf("secret of %d bytes, want 17", len(l.Secret()))
	}
	vals, msg := omshellOpen(t, l, "defomapi", secret, "hmac-md5", "lease", "ip-address = 192.0.2.10")
	if msg != "" || vals["state"] == "" {
		t.Errorf("signed lookup with the README secret: %v %q", vals, msg)
	}
	// omapish signs with the lab's decoding: the profile's secret works.
	vals, msg = omshellOpen(t, l, "defomapi", l.SecretBase64(), "hmac-md5", "lease", "ip-address = 192.0.2.10")
	if msg != "" || vals["state"] == "" {
		t.Errorf("signed lookup with the lab's secret: %v %q", vals, msg)
	}
}

// TestLeasesSyntaxWarning: a leases file with a missing ';' starts (as
// dhcpd starts), and the banner gives dhcpd's complaint, at its line.
func TestLeasesSyntaxWarning(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "semi.leases")
	os.WriteFile(p, []byte("lease 192.0.2.150 {\n  starts 4 2026/11/26 17:00:00;\n  ends 4 2036/11/27 17:00:00;\n  binding state active\n  next binding state free;\n}\n"), 0o600)
	l := labtest.Start(t, lab.Config{Leases: p})
	want := p + " line 5: semicolon expected."
	if !strings.Contains(l.Summary(), want) {
		t.Errorf("Summary() lacks %q:\n%s", want, l.Summary())
	}
	// dhcpd says the same in its log.
	if !strings.Contains(l.Log(), "dhcpd.leases line 5: semicolon expected.") {
		t.Errorf("dhcpd's log lacks the complaint:\n%s", l.Log())
	}
}
