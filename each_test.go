package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/omapish/omapish/internal/lab"
	"github.com/omapish/omapish/internal/lab/labtest"
)

// pairRun runs omapish args in the primary's namespace of p, from where
// both peers are reachable, with a clean environment plus env, and returns
// its exit status and output.
func pairRun(tb testing.TB, p *lab.Pair, env []string, args ...string) (status int, stdout, stderr string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(tb.Context(), 60*time.Second)
	defer cancel()
	cmd := p.Command(ctx, omapishBinary(tb), args...)
	cmd.Dir = tb.TempDir()
	cmd.Env = append(cleanEnv(tb), env...)
	return runCmd(tb, cmd)
}

// pairFixture is a running pair with the ways to name its peers: profiles
// (in the file at config) and addresses with the key's flags.
type pairFixture struct {
	p          *lab.Pair
	config     string   // $OMAPISH_CONFIG=... with profiles primary and secondary
	addrs      []string // --server A --server B --key-name K --secret-file F
	primary    string   // the primary's address, as the shell sees it
	secondary  string
	secretFile string
}

func startPairFixture(t *testing.T) *pairFixture {
	t.Helper()
	p := labtest.StartPair(t)
	profile := filepath.Join(p.Dir(), "omapish.toml") // beside dhcpd.conf, as omapish lab --pair has it
	if err := p.WriteProfile(profile); err != nil {
		t.Fatal(err)
	}
	f := &pairFixture{p: p, config: "OMAPISH_CONFIG=" + profile,
		primary: p.Primary.Addr(), secondary: p.SecondaryAddr(), secretFile: p.SecretFile()}
	f.addrs = []string{"--server", f.primary, "--server", f.secondary,
		"--key-name", p.Primary.KeyName(), "--secret-file", f.secretFile}
	return f
}

// TestPairCLI runs the commands of issue 12 against a real failover pair,
// by profiles and by addresses with a secret file and no configuration.
// The subtests share the pair and run in order: the last one stops the
// secondary.
func TestPairCLI(t *testing.T) {
	f := startPairFixture(t)

	t.Run("servers", func(t *testing.T) {
		args := append(f.addrs, "-e", `local n = 0
			for _, s in ipairs(omapi.servers()) do
				local c = assert(omapi.connect(s))
				assert(c.key_name, "unsigned")
				n = n + 1
			end
			-- an address not named by --server gets the same key
			local c = assert(omapi.connect("`+f.secondary+`"))
			return #omapi.servers(), n, c.key_name ~= nil`)
		st, out, errs := pairRun(t, f.p, nil, args...)
		if st != 0 || out != "2\t2\ttrue\n" {
			t.Errorf("exit %d, stdout %q, stderr %q; want 2, 2, true", st, out, errs)
		}
		// From the profiles: the file's order.
		st, out, errs = pairRun(t, f.p, []string{f.config}, "-e", `return table.concat(omapi.servers(), " ")`)
		if st != 0 || out != "\"primary secondary\"\n" {
			t.Errorf("profiles: exit %d, stdout %q, stderr %q", st, out, errs)
		}
		// The table form reads the secret from a file or a variable.
		st, out, errs = pairRun(t, f.p, []string{"PAIR_SECRET=" + readTrim(t, f.secretFile)}, "--config", "/dev/null", "-e",
			`local a = assert(omapi.connect{address = "`+f.primary+`", key_name = "`+f.p.Primary.KeyName()+`", secret_file = "`+f.secretFile+`"})
			local b = assert(omapi.connect{address = "`+f.secondary+`", key_name = "`+f.p.Primary.KeyName()+`", secret_env = "PAIR_SECRET"})
			return a:lookup_by_failoverstate{name = "lab-failover"}["local-state"], b:lookup_by_failoverstate{name = "lab-failover"}["local-state"]`)
		if st != 0 || out != "2\t2\n" {
			t.Errorf("table form: exit %d, stdout %q, stderr %q", st, out, errs)
		}
		if strings.Contains(errs+out, readTrim(t, f.secretFile)) {
			t.Error("the secret was printed")
		}
	})

	t.Run("failover-status", func(t *testing.T) {
		// By profiles; the peers' names from the lab's dhcpd.conf.
		st, out, errs := pairRun(t, f.p, []string{f.config, "OMAPISH_LAB=" + f.p.Primary.Namespace()},
			"failover-status", "--server", "primary", "--server", "secondary")
		want := "FAILOVER OK - primary: lab-failover normal; secondary: lab-failover normal; lab-failover: primary and secondary agree\n"
		if st != 0 || !strings.HasPrefix(out, want) || errs != "" {
			t.Errorf("exit %d, stdout %q, stderr %q; want 0 and %q", st, out, errs, want)
		}
		// By addresses and a secret file, no configuration.
		args := []string{"--key-name", f.p.Primary.KeyName(), "--secret-file", f.secretFile,
			"failover-status", "lab-failover", "--brief", "--server", f.primary + "," + f.secondary}
		st, out, errs = pairRun(t, f.p, nil, args...)
		if st != 0 || !strings.Contains(out, "FAILOVER OK - "+f.primary+": lab-failover normal") || !strings.Contains(out, "agree") {
			t.Errorf("addresses: exit %d, stdout %q, stderr %q", st, out, errs)
		}
		// One side that cannot be read makes the verdict UNKNOWN.
		st, out, _ = pairRun(t, f.p, []string{f.config}, "--timeout", "500ms", "failover-status", "lab-failover", "--brief",
			"--server", "primary", "--server", "192.0.2.77")
		if st != 3 || !strings.HasPrefix(out, "FAILOVER UNKNOWN - primary: lab-failover normal; 192.0.2.77: cannot connect") {
			t.Errorf("one side down: exit %d, stdout %q; want 3", st, out)
		}
	})

	t.Run("each", func(t *testing.T) {
		// Both profiles, and an address where nobody answers: it costs its
		// timeout, and the run's status is the worst.
		down := "192.0.2.77"
		start := time.Now()
		st, out, errs := pairRun(t, f.p, []string{f.config}, "--each", "--server", "primary", "--server", "secondary",
			"--server", down, "--timeout", "1s", "lease-scan", lab.Sample.ActiveLease.IP)
		elapsed := time.Since(start)
		if st != 1 {
			t.Errorf("exit %d, want 1 (the worst: the server that is down)", st)
		}
		for _, want := range []string{"primary: " + lab.Sample.ActiveLease.IP, "secondary: " + lab.Sample.ActiveLease.IP} {
			if !strings.Contains(out, want) {
				t.Errorf("stdout lacks %q:\n%s", want, out)
			}
		}
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if !strings.HasPrefix(line, "primary: ") && !strings.HasPrefix(line, "secondary: ") && !strings.HasPrefix(line, down+":7911: ") {
				t.Errorf("unlabelled line %q", line)
			}
		}
		for _, want := range []string{down + ":7911: lease-scan: cannot connect", "primary", "exit 0", "exit 1 (the worst)"} {
			if !strings.Contains(errs, want) {
				t.Errorf("stderr lacks %q:\n%s", want, errs)
			}
		}
		if elapsed > 10*time.Second {
			t.Errorf("took %v: the server that is down cost more than its timeout", elapsed)
		}

		// Addresses and a secret file, no configuration: the command
		// line's servers, both answering.
		args := append([]string{"--each"}, f.addrs...)
		st, out, errs = pairRun(t, f.p, nil, append(args, "-e", `return assert(omapi.connect()):lookup_by_failoverstate{name = "lab-failover"}["local-state"]`)...)
		if st != 0 || !strings.Contains(out, f.primary+": 2\n") || !strings.Contains(out, f.secondary+": 2\n") {
			t.Errorf("addresses: exit %d, stdout %q, stderr %q", st, out, errs)
		}
	})

	t.Run("lease-compare", func(t *testing.T) {
		// Real DHCP clients take leases; whichever peer answers, the
		// failover updates bring each lease to the other.
		type client struct{ mac, hostname, ip string }
		clients := []*client{{mac: "00:00:5e:00:53:b1", hostname: "pc-b1"}, {mac: "00:00:5e:00:53:b2", hostname: "pc-b2"},
			{mac: "00:00:5e:00:53:b3", hostname: "pc-b3"}, {mac: "00:00:5e:00:53:b4"}}
		for _, c := range clients {
			ip, err := f.p.Client(t.Context(), c.mac, c.hostname)
			if err != nil {
				t.Fatal(err)
			}
			c.ip = ip
		}
		env := []string{f.config, "OMAPISH_LAB=" + f.p.Primary.Namespace()}
		var st int
		var out, errs string
		for deadline := time.Now().Add(15 * time.Second); ; {
			// The pools of the lab's dhcpd.conf, on the two profiles.
			st, out, errs = pairRun(t, f.p, env, "lease-compare")
			if st != 1 || time.Now().After(deadline) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if st != 0 || out != "" || !strings.Contains(errs, "primary and secondary: 100 addresses, 100 leases, no difference") {
			t.Fatalf("after the clients: exit %d, stdout %q, stderr %q; want 0 and no difference", st, out, errs)
		}
		// Both peers hold each client's lease (by addresses, no config);
		// the client's hostname only the peer that answered it, as
		// failover does not send it.
		for _, c := range clients {
			hostnames := ""
			for _, server := range []string{f.primary, f.secondary} {
				code := `local c = assert(omapi.connect()) local l = assert(c:lookup_by_lease{ip = "` + c.ip + `"})
					return omapi.lease_states[l.state] .. " " .. l["hardware-address"], l["client-hostname"] or ""`
				st, out, errs := pairRun(t, f.p, nil, "--server", server, "--key-name", f.p.Primary.KeyName(), "--secret-file", f.secretFile, "-e", code)
				lines := strings.SplitN(strings.TrimSpace(out), "\t", 2)
				if st != 0 || len(lines) != 2 || lines[0] != `"active `+c.mac+`"` {
					t.Errorf("%s, lease %s: exit %d, stdout %q, stderr %q; want active and %s", server, c.ip, st, out, errs, c.mac)
					continue
				}
				hostnames += strings.Trim(lines[1], `"`)
			}
			if hostnames != c.hostname {
				t.Errorf("lease %s: the peers' client hostnames are %q together, want %q from one of them", c.ip, hostnames, c.hostname)
			}
		}

		// A change on one side only: the secondary ends a client's lease.
		target := clients[0].ip
		st, out, errs = pairRun(t, f.p, env, "--server", "secondary", "-e",
			`local o = assert(assert(omapi.connect()):open("lease", {ip = "`+target+`"})) return assert(o:update({ends = os.time() - 60}, {force = true}))`)
		if st != 0 {
			t.Fatalf("changing the secondary: exit %d, %s%s", st, out, errs)
		}
		st, out, errs = pairRun(t, f.p, env, "lease-compare", target, "--format", "csv")
		if st != 1 || !strings.HasPrefix(out, "ip,field,primary,secondary\n") || !strings.Contains(out, "\n"+target+",ends,") ||
			!strings.Contains(errs, "differences") {
			t.Errorf("after a change on one side: exit %d, stdout %q, stderr %q; want 1 and the difference", st, out, errs)
		}
		// By addresses, without a configuration, the same.
		st, out, _ = pairRun(t, f.p, nil, "--key-name", f.p.Primary.KeyName(), "--secret-file", f.secretFile,
			"lease-compare", target, "--server", f.primary+","+f.secondary)
		if st != 1 || !strings.Contains(out, target+"      ends ") {
			t.Errorf("by addresses: exit %d, stdout %q", st, out)
		}
	})

	t.Run("failover-state", func(t *testing.T) {
		env := []string{f.config}
		// Without a terminal and without --force, nothing changes.
		st, out, errs := pairRun(t, f.p, env, "failover-state", "lab-failover", "partner-down", "--server", "primary")
		if st != 2 || !strings.Contains(errs, "not changed: stdin is not a terminal") {
			t.Errorf("no tty, no --force: exit %d, stdout %q, stderr %q; want 2", st, out, errs)
		}
		// States dhcpd steps through itself, and numbers, are refused.
		for _, s := range []string{"conflict-done", "startup", "99", "4"} {
			st, _, errs := pairRun(t, f.p, env, "failover-state", "lab-failover", s, "--force")
			if st != 2 || !strings.Contains(errs, "settable: communications-interrupted, normal, partner-down, paused, recover, shutdown") {
				t.Errorf("%s: exit %d, stderr %q; want 2 and the settable states", s, st, errs)
			}
		}
		if local, _ := f.p.Primary.FailoverStates(); local != "normal" {
			t.Fatalf("the primary is %s after refused changes", local)
		}

		// The secondary goes down; the primary notices.
		if err := f.p.Secondary.Stop(t.Context()); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(15 * time.Second)
		for local, _ := f.p.Primary.FailoverStates(); local != "communications-interrupted"; local, _ = f.p.Primary.FailoverStates() {
			if time.Now().After(deadline) {
				t.Fatalf("the primary is %s, 15 s after the secondary stopped", local)
			}
			time.Sleep(100 * time.Millisecond)
		}

		// On a terminal, failover-state asks first.
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		cmd := f.p.Command(ctx, omapishBinary(t), "failover-state", "lab-failover", "partner-down", "--server", "primary")
		cmd.Env = append(cleanEnv(t), env...)
		cmd.Dir = t.TempDir()
		term := startTermCmd(t, cmd)
		mark := term.expect(0, "into partner-down? Type yes to go on: ", 10*time.Second)
		term.send("yes\r")
		term.expect(mark, "local partner-down since", 15*time.Second)
		if err := cmd.Wait(); err != nil {
			t.Errorf("failover-state: %v", err)
		}
		if local, _ := f.p.Primary.FailoverStates(); local != "partner-down" {
			t.Errorf("dhcpd's log says the primary is %s", local)
		}

		// By address and a secret file, no configuration: it is there already.
		st, out, errs = pairRun(t, f.p, nil, "--key-name", f.p.Primary.KeyName(), "--secret-file", f.secretFile,
			"failover-state", "lab-failover", "partner-down", "--server", f.primary)
		if st != 0 || !strings.Contains(out, "is in partner-down already") {
			t.Errorf("by address: exit %d, stdout %q, stderr %q; want 0, already", st, out, errs)
		}

		// And the status says so: WARNING, with the secondary unreachable.
		st, out, _ = pairRun(t, f.p, env, "--timeout", "1s", "failover-status", "lab-failover", "--brief", "--server", "primary")
		if st != 1 || !strings.HasPrefix(out, "FAILOVER WARNING - primary: lab-failover partner-down, partner ") {
			t.Errorf("status after partner-down: exit %d, stdout %q; want 1", st, out)
		}
	})
}

// TestEachCLI checks --each's refusals without a lab.
func TestEachCLI(t *testing.T) {
	empty := writeFile(t, filepath.Join(t.TempDir(), "empty.toml"), "", 0o600)
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--config", empty, "--each", "-e", "return 1"}, "--each needs servers"},
		{[]string{"--config", empty, "--each", "--server", "192.0.2.1"}, "not the shell"},
		{[]string{"--config", empty, "--each", "--server", "192.0.2.1", "-i", "-e", "1"}, "-i"},
	} {
		st, out, errs := runCLI(tt.args...)
		if st != exitUsage || out != "" || !strings.Contains(errs, tt.want) {
			t.Errorf("omapish %q: exit %d, stdout %q, stderr %q; want 2 and %q", tt.args, st, out, errs, tt.want)
		}
	}
}

// TestLabPairUsage: --pair runs its own sample, not a given dhcpd.conf.
func TestLabPairUsage(t *testing.T) {
	st, out, errs := runCLI("lab", "--pair", "--conf", "dhcpd.conf")
	if st != exitUsage || out != "" || !strings.Contains(errs, "--pair runs its own sample pair") {
		t.Errorf("exit %d, stdout %q, stderr %q", st, out, errs)
	}
}

func readTrim(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// TestScriptsWithoutServer runs every saved script with no configuration
// file and no --server: each says what to give and exits with its
// documented status, with nothing on stdout (no header first).
func TestScriptsWithoutServer(t *testing.T) {
	dir := t.TempDir()
	hosts := writeFile(t, filepath.Join(dir, "hosts.csv"), "name,mac,ip\nweb1,00:00:5e:00:53:81,192.0.2.81\n", 0o600)
	conf := writeFile(t, filepath.Join(dir, "dhcpd.conf"), "subnet 192.0.2.0 netmask 255.255.255.0 { range 192.0.2.10 192.0.2.11; }\n"+
		"host web1 { hardware ethernet 00:00:5e:00:53:81; fixed-address 192.0.2.81; }\n", 0o600)
	leases := writeFile(t, filepath.Join(dir, "dhcpd.leases"), "lease 192.0.2.10 {\n  binding state active;\n}\n", 0o600)
	for _, tt := range []struct {
		args   []string
		status int
		want   string
	}{
		{[]string{"lease-scan", "192.0.2.0/30"}, 1, "give omapish --server"},
		{[]string{"host-find", "00:00:5e:00:53:50"}, 1, "give omapish --server"},
		{[]string{"host-move", "web2", "--ip", "192.0.2.83"}, 1, "give omapish --server"},
		{[]string{"hosts-sync", hosts, "--dry-run"}, 1, "give omapish --server"},
		{[]string{"inspect", "lease", "ip=192.0.2.150"}, 1, "give omapish --server"},
		{[]string{"hosts", "--conf", conf, "--leases", leases}, 1, "give omapish --server"},
		{[]string{"unused-ips", "--conf", conf, "--leases", leases}, 1, "give omapish --server"},
		{[]string{"leases", "--leases", leases, "--live"}, 1, "give omapish --server"},
		{[]string{"failover-status", "lab-failover"}, 3, ""},
		{[]string{"failover-state", "lab-failover", "partner-down", "--force"}, 3, "give --server"},
		{[]string{"lease-compare", "192.0.2.0/30"}, 2, "give --server A --server B"},
	} {
		t.Run(tt.args[0], func(t *testing.T) {
			cmd := exec.Command(omapishBinary(t), tt.args...)
			cmd.Dir = t.TempDir()
			cmd.Env = cleanEnv(t)
			st, out, errb := runCmd(t, cmd)
			if tt.args[0] == "failover-status" {
				// A monitoring plugin's verdict is its stdout.
				if st != 3 || !strings.HasPrefix(out, "FAILOVER UNKNOWN - cannot connect: ") || !strings.Contains(out, "give --server") {
					t.Errorf("exit %d, stdout %q, stderr %q; want 3 and UNKNOWN", st, out, errb)
				}
				return
			}
			if st != tt.status || out != "" || !strings.Contains(errb, tt.want) ||
				strings.Contains(errb, "stack traceback") || strings.Count(strings.TrimSpace(errb), "\n") > 1 {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, nothing on stdout and %q", st, out, errb, tt.status, tt.want)
			}
		})
	}
}
