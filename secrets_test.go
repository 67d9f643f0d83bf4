package main

import (
	"encoding/base64"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omapish/omapish/internal/profile"
	"github.com/omapish/omapish/omapi/omapitest"
)

// testSecret is a secret for configurations that are never used to
// connect: 24 bytes, so that its raw form cannot match by chance.
var (
	testSecret    = []byte("s3cr3t-bytes-for-omapish")
	testSecretB64 = base64.StdEncoding.EncodeToString(testSecret)
)

// TestSecretsInConfigErrors: every configuration error about a secret —
// a file readable by others, a bad value, a TOML syntax error on its line,
// a bad $OMAPISH_SECRET — exits 2 with one line that says what to do, and
// never shows the secret.
func TestSecretsInConfigErrors(t *testing.T) {
	dir := t.TempDir()
	profileWith := func(name, secretLine string, mode os.FileMode) string {
		return writeFile(t, filepath.Join(dir, name), `default = "s"
[servers.s]
address = "127.0.0.1:1"
key_name = "k"
`+secretLine+"\n", mode)
	}
	bad := testSecretB64[:len(testSecretB64)-2] + "%%" // not base64
	tests := []struct {
		name string
		args []string
		env  string // $OMAPISH_SECRET, "" for unset
		want string
	}{
		{"config holding a secret readable by group", []string{"--config", profileWith("group.toml", `secret = "`+testSecretB64+`"`, 0o640)},
			"", "chmod 600"},
		{"config holding a secret readable by others", []string{"--config", profileWith("others.toml", `secret = "`+testSecretB64+`"`, 0o604)},
			"", "chmod 600"},
		{"secret file readable by others", []string{"--config", profileWith("sf.toml", `secret_file = "`+
			writeFile(t, filepath.Join(dir, "open.secret"), testSecretB64, 0o644)+`"`, 0o600)}, "", "chmod 600"},
		{"--secret-file readable by group", []string{"--config", writeFile(t, filepath.Join(dir, "empty.toml"), "", 0o600), "--server", "127.0.0.1:1",
			"--key-name", "k", "--secret-file", writeFile(t, filepath.Join(dir, "group.secret"), testSecretB64, 0o640)}, "", "chmod 600"},
		{"secret that is not base64", []string{"--config", profileWith("bad.toml", `secret = "`+bad+`"`, 0o600)},
			"", "base64"},
		{"secret file that is not base64", []string{"--config", profileWith("badfile.toml", `secret_file = "`+
			writeFile(t, filepath.Join(dir, "bad.secret"), bad, 0o600)+`"`, 0o600)}, "", "base64"},
		{"TOML error on the secret's line", []string{"--config", profileWith("syntax.toml", `secret = "`+testSecretB64+`" trailing`, 0o600)},
			"", "syntax.toml:5"},
		{"unterminated secret", []string{"--config", profileWith("open.toml", `secret = "`+testSecretB64, 0o600)},
			"", "open.toml:5"},
		{"secret of the wrong type", []string{"--config", profileWith("type.toml", `secret = ["`+testSecretB64+`"]`, 0o600)},
			"", "secret"},
		{"$OMAPISH_SECRET that is not base64", []string{"--config", filepath.Join(dir, "empty.toml"), "--server", "127.0.0.1:1", "--key-name", "k"},
			bad, "OMAPISH_SECRET"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(profile.EnvSecret, tt.env)
			if tt.env == "" {
				os.Unsetenv(profile.EnvSecret)
			}
			status, stdout, stderr := runCLI(append(tt.args, "-e", "return 1")...)
			t.Logf("exit %d, stderr %q", status, stderr)
			if status != exitUsage || stdout != "" {
				t.Errorf("exit %d, stdout %q; want exit 2 and no output", status, stdout)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q: want one line with %q", stderr, tt.want)
			}
			assertNoSecret(t, "stderr", stderr, testSecret)
			if strings.Contains(stderr, bad) || strings.Contains(stderr, bad[:16]) {
				t.Errorf("stderr shows the bad secret: %q", stderr)
			}
		})
	}
}

// TestSecretsInTrace: --trace shows every message of a signed session —
// against the fake server, in the authenticator open and in signed
// requests and replies, and on an authentication failure — and never the
// secret.
func TestSecretsInTrace(t *testing.T) {
	ok := omapitest.Fault{Name: "signed session", Auth: true, Serve: func(p *omapitest.Peer) {
		p.Handshake()
		for {
			req, err := p.Read()
			if err != nil {
				return
			}
			p.Send(p.Status(req, 0x17, "no object matches specification")) // not found
		}
	}}
	for _, f := range append([]omapitest.Fault{ok}, omapitest.Faults...) {
		if !f.Auth {
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			addr := omapitest.ServeFault(t, f)
			args := append(faultArgs(t, addr, true), "--trace", "-e",
				`local c = assert(omapi.connect()) return c:lookup_ip("00:11:22:33:44:55")`)
			_, stdout, stderr := runCLI(args...)
			if !strings.Contains(stderr, "→ sent open") {
				t.Errorf("no trace:\n%s", stderr)
			}
			assertNoSecret(t, "--trace output", stderr, omapitest.Secret)
			assertNoSecret(t, "stdout", stdout, omapitest.Secret)
		})
	}
}

// TestLabArgsHoldNoSecret runs `omapish lab -- CMD` where CMD reads the
// lab's secret (through $OMAPISH_CONFIG and its secret_file, as omapish
// does) and lists every process's arguments: omapish lab, the dhcpd it
// started and everything else running then hold no form of it.
func TestLabArgsHoldNoSecret(t *testing.T) {
	script := `secret_file=$(sed -n 's/^secret_file = "\(.*\)"$/\1/p' "$OMAPISH_CONFIG")
cat "$secret_file"; echo
for p in /proc/[0-9]*; do
  [ -r "$p/cmdline" ] || continue
  printf '%s: ' "${p#/proc/}"; tr '\0' ' ' < "$p/cmdline" 2>/dev/null; echo
done`
	cmd := exec.Command(omapishBinary(t), "lab", "--", "sh", "-c", script)
	cmd.Dir = t.TempDir()
	cmd.Env = cleanEnv(t)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("omapish lab: %v\n%s", err, out)
	}
	secretB64, procs, _ := strings.Cut(string(out), "\n")
	secret, err := base64.StdEncoding.DecodeString(strings.TrimSpace(secretB64))
	if err != nil || len(secret) < 16 {
		t.Fatalf("no secret read from the lab's profile (%q): %v", secretB64, err)
	}
	if !strings.Contains(procs, "dhcpd") || !strings.Contains(procs, " lab -- sh -c") {
		t.Fatalf("the process list lacks dhcpd or omapish lab:\n%s", procs)
	}
	assertNoSecret(t, "process arguments", procs, secret)
}

// TestLabCommandFindsOmapish runs `omapish lab -- CMD` with a PATH that
// lacks omapish: CMD still runs the omapish that started the lab.
func TestLabCommandFindsOmapish(t *testing.T) {
	cmd := exec.Command(omapishBinary(t), "lab", "--", "sh", "-c", `omapish -e 'return assert(omapi.connect()):lookup_mac("192.0.2.150")'`)
	cmd.Dir = t.TempDir()
	cmd.Env = append(cleanEnv(t), "PATH=/usr/sbin:/usr/bin:/sbin:/bin")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("omapish lab -- sh -c 'omapish ...': %v\n%s", err, out)
	}
	if !strings.Contains(string(out), `"00:00:5e:00:53:50"`) {
		t.Errorf("the lab command did not run omapish:\n%s", out)
	}
}
