package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The pair's network: the primary's v0 and the secondary's v1 are the two
// ends of one veth pair; v1 is a port of the bridge br0 in the secondary's
// namespace, which carries the secondary's address, so that DHCP clients
// ([Pair.Client]) plugged into br0 reach both servers. OMAPI of both is
// reachable from the primary's namespace: the primary's at 127.0.0.1, the
// secondary's at SecondaryIP over the veth.
const (
	// PrimaryIP is the primary's address on the pair's network.
	PrimaryIP = "192.0.2.1"
	// SecondaryIP is the secondary's address on the pair's network.
	SecondaryIP = "192.0.2.2"

	// pairMCLT is the pair's maximum client lead time, in seconds: short,
	// so that recover and partner-down finish within a minute, and long
	// enough for a client's first lease (which lasts an MCLT until the
	// partner has it) to outlive a test.
	pairMCLT = 60

	// normalTimeout bounds the wait for both peers to reach normal.
	normalTimeout = 30 * time.Second
)

// PairConfig says how a pair starts. The zero value is the sample pair.
type PairConfig struct {
	// Algorithm is the key algorithm, as in [Config.Algorithm].
	Algorithm string

	// Stderr receives both dhcpds' logs as they are written, as in
	// [Config.Stderr].
	Stderr io.Writer
}

// Pair is two real dhcpds in a failover partnership ("lab-failover"), each
// in a network namespace of its own, joined by a veth pair over which
// their failover traffic goes; nothing leaves the two namespaces. Both run
// the sample's hosts, groups and failover pool (192.0.2.100-199, split
// 128, MCLT 60 seconds) and start from the sample's failover leases with
// both peers recorded as normal, so that they are normal again within
// seconds ([StartPair] waits for it).
type Pair struct {
	// Primary and Secondary are the two peers. Their Addr is 127.0.0.1
	// in their own namespace; from the primary's namespace (where
	// [Pair.Command] runs) the secondary is at [Pair.SecondaryAddr].
	Primary, Secondary *Lab

	dir string // the pair's own files: confs, leases to start from

	mu         sync.Mutex
	namespaces []string // every namespace made, clients' included
	closed     bool
	closeErr   error
}

// StartPair makes the two namespaces and their link, starts both dhcpds
// and waits until each says it is in failover state normal. It needs what
// [Start] needs. On any failure everything it made is removed again.
func StartPair(ctx context.Context, cfg PairConfig) (_ *Pair, err error) {
	if os.Geteuid() != 0 {
		return nil, ErrNotRoot
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return nil, ErrNoIP
	}
	alg := strings.ToLower(cfg.Algorithm)
	if alg == "" {
		alg = "hmac-md5"
	}
	if !slices.Contains(algorithms, alg) {
		return nil, fmt.Errorf("lab: unknown key algorithm %q (want one of %s)", cfg.Algorithm, strings.Join(algorithms, ", "))
	}
	removeStale(ctx)
	p := &Pair{}
	defer func() {
		if err != nil {
			p.Close()
			err = fmt.Errorf("lab pair: %w", err)
		}
	}()
	nsA, nsB := p.newNamespaceName(), p.newNamespaceName()
	if p.dir, err = os.MkdirTemp("", nsA+"-"); err != nil {
		return nil, err
	}
	secret, other := randomSecret(), randomSecret()
	leases := pairLeases(time.Now())
	// The primary's is dhcpd.conf, where saved scripts look for it in a
	// lab (failover-status reads the peers' names from it).
	files := map[string]string{
		confName:         pairConf(true, alg, secret, other),
		"secondary.conf": pairConf(false, alg, secret, other),
		"start.leases":   leases,
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(p.dir, name), []byte(text), 0o600); err != nil {
			return nil, err
		}
	}
	if err := p.link(ctx, nsA, nsB); err != nil {
		return nil, err
	}
	start := func(conf, ns, iface string) (*Lab, error) {
		return Start(ctx, Config{
			Conf:   filepath.Join(p.dir, conf),
			Leases: filepath.Join(p.dir, "start.leases"),
			Stderr: cfg.Stderr,
			netns:  ns,
			iface:  iface,
		})
	}
	if p.Primary, err = start(confName, nsA, "v0"); err != nil {
		return nil, fmt.Errorf("primary: %w", err)
	}
	if p.Secondary, err = start("secondary.conf", nsB, "br0"); err != nil {
		return nil, fmt.Errorf("secondary: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, normalTimeout)
	defer cancel()
	if err := p.WaitNormal(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

// newNamespaceName returns a fresh namespace name of this process and
// records it for Close.
func (p *Pair) newNamespaceName() string {
	ns := fmt.Sprintf("%s%d-%d", nsPrefix, os.Getpid(), labCount.Add(1))
	p.mu.Lock()
	p.namespaces = append(p.namespaces, ns)
	p.mu.Unlock()
	return ns
}

// link makes the namespaces nsA (the primary's) and nsB (the
// secondary's) and the network between them.
func (p *Pair) link(ctx context.Context, nsA, nsB string) error {
	for _, ns := range []string{nsA, nsB} {
		if err := ipCmd(ctx, "netns", "add", ns); err != nil {
			return err
		}
		if err := ipCmd(ctx, "-n", ns, "link", "set", "lo", "up"); err != nil {
			return err
		}
	}
	steps := [][]string{
		{"-n", nsA, "link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", nsB},
		{"-n", nsA, "addr", "add", PrimaryIP + "/24", "dev", "v0"},
		{"-n", nsA, "link", "set", "v0", "up"},
		{"-n", nsB, "link", "add", "br0", "type", "bridge"},
		{"-n", nsB, "link", "set", "v1", "master", "br0"},
		{"-n", nsB, "addr", "add", SecondaryIP + "/24", "dev", "br0"},
		{"-n", nsB, "link", "set", "v1", "up"},
		{"-n", nsB, "link", "set", "br0", "up"},
	}
	for _, s := range steps {
		if err := ipCmd(ctx, s...); err != nil {
			return err
		}
	}
	return nil
}

// stateLine matches dhcpd's log of a failover state change, and of both
// peers being normal (which it says also when the partner's state was
// normal already, read from the leases file, and so did not change).
var stateLine = regexp.MustCompile(`failover peer \S+: (?:(I move|peer moves) from \S+ to (\S+)|(Both servers normal))`)

// FailoverStates returns the last failover states dhcpd logged for itself
// and for its partner ("" before dhcpd has said).
func (l *Lab) FailoverStates() (local, partner string) {
	for _, m := range stateLine.FindAllStringSubmatch(l.Log(), -1) {
		switch {
		case m[3] != "":
			local, partner = "normal", "normal"
		case m[1] == "I move":
			local = m[2]
		default:
			partner = m[2]
		}
	}
	return local, partner
}

// WaitNormal waits until both peers have logged that they and their
// partner are in state normal, or ctx ends. It reads dhcpd's log, not
// OMAPI, so that the lab does not depend on the client it tests.
func (p *Pair) WaitNormal(ctx context.Context) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		lp, pp := p.Primary.FailoverStates()
		ls, ps := p.Secondary.FailoverStates()
		if lp == "normal" && pp == "normal" && ls == "normal" && ps == "normal" {
			return nil
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return fmt.Errorf("failover peers not both normal (primary %s, partner %s; secondary %s, partner %s): %w\nprimary's log:\n%s\nsecondary's log:\n%s",
				orDash(lp), orDash(pp), orDash(ls), orDash(ps), ctx.Err(), logTail(p.Primary.Log(), 8), logTail(p.Secondary.Log(), 8))
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// SecondaryAddr returns the secondary's OMAPI address as seen from the
// primary's namespace: SecondaryIP with its omapi-port.
func (p *Pair) SecondaryAddr() string {
	_, port, _ := net.SplitHostPort(p.Secondary.Addr())
	return net.JoinHostPort(SecondaryIP, port)
}

// DialContext connects to addr from the primary's namespace, from where
// both p.Primary.Addr() and p.SecondaryAddr() are reachable.
func (p *Pair) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return p.Primary.DialContext(ctx, network, addr)
}

// Command returns a command that runs in the primary's namespace, from
// where both peers' OMAPI is reachable.
func (p *Pair) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	return p.Primary.Command(ctx, name, args...)
}

// WriteProfile writes an omapish configuration file (mode 0600) with the
// profiles "primary" (the default) and "secondary", as seen from the
// primary's namespace, both with the pair's key (in the file "secret" of
// the pair's directory).
func (p *Pair) WriteProfile(path string) error {
	secretFile := filepath.Join(p.dir, secretName)
	if err := writePrivate(secretFile, []byte(p.Primary.SecretBase64())); err != nil {
		return fmt.Errorf("lab: write profile: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# omapish profiles for the lab pair in network namespaces %s and %s\n",
		p.Primary.Namespace(), p.Secondary.Namespace())
	b.WriteString("default = \"primary\"\n")
	for _, s := range []struct{ name, addr string }{{"primary", p.Primary.Addr()}, {"secondary", p.SecondaryAddr()}} {
		fmt.Fprintf(&b, "\n[servers.%s]\naddress = %s\n", s.name, tomlString(s.addr))
		fmt.Fprintf(&b, "key_name = %s\n", tomlString(p.Primary.KeyName()))
		fmt.Fprintf(&b, "secret_file = %s\n", tomlString(secretFile))
		fmt.Fprintf(&b, "algorithm = %s\n", tomlString(p.Primary.Algorithm()))
		b.WriteString("timeout = \"5s\"\n")
	}
	if err := writePrivate(path, []byte(b.String())); err != nil {
		return fmt.Errorf("lab: write profile: %w", err)
	}
	return nil
}

// Dir returns the pair's own directory, holding the primary's dhcpd.conf
// and the secondary's secondary.conf as they started (each peer has a
// directory of its own too, with the files dhcpd uses).
func (p *Pair) Dir() string { return p.dir }

// SecretFile returns the path of the file holding the pair's secret in
// base64 (mode 0600), once WriteProfile has written it.
func (p *Pair) SecretFile() string { return filepath.Join(p.dir, secretName) }

// Summary returns the banner of the pair: each peer's summary, with the
// profile that reaches it.
func (p *Pair) Summary() string {
	var b strings.Builder
	for _, s := range []struct {
		name, addr string
		l          *Lab
	}{{"primary", p.Primary.Addr(), p.Primary}, {"secondary", p.SecondaryAddr(), p.Secondary}} {
		local, partner := s.l.FailoverStates()
		fmt.Fprintf(&b, "-- %s: profile %q, OMAPI at %s from the shell; failover %s, partner %s\n",
			s.name, s.name, s.addr, orDash(local), orDash(partner))
		b.WriteString(s.l.Summary())
	}
	return b.String()
}

// Client runs one DHCP client (busybox udhcpc) in a namespace of its own
// plugged into the pair's network, with the given MAC address and client
// hostname (none when ""), until it has a lease or ctx ends; it returns
// the address leased. The client's namespace is removed before Client
// returns. udhcpc (Debian: apt-get install udhcpc) must be installed.
func (p *Pair) Client(ctx context.Context, mac, hostname string) (string, error) {
	if _, err := net.ParseMAC(mac); err != nil {
		return "", fmt.Errorf("lab client: %w", err)
	}
	udhcpc, err := exec.LookPath("udhcpc")
	if err != nil {
		return "", errors.New("lab client: udhcpc not found: apt-get install udhcpc")
	}
	ns := p.newNamespaceName()
	port := "c" + ns[strings.LastIndexByte(ns, '-')+1:] // unique in the secondary's namespace
	defer func() {
		dctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = deleteNamespace(dctx, ns) // takes the veth, and its br0 port, with it
	}()
	steps := [][]string{
		{"netns", "add", ns},
		{"-n", ns, "link", "add", "eth0", "address", mac, "type", "veth", "peer", "name", port, "netns", p.Secondary.Namespace()},
		{"-n", ns, "link", "set", "eth0", "up"},
		{"-n", p.Secondary.Namespace(), "link", "set", port, "master", "br0"},
		{"-n", p.Secondary.Namespace(), "link", "set", port, "up"},
	}
	for _, s := range steps {
		if err := ipCmd(ctx, s...); err != nil {
			return "", fmt.Errorf("lab client: %w", err)
		}
	}
	// -s /bin/true: the lease is not configured on eth0; -q: exit once
	// bound; -n: fail after the tries (-t, -T seconds apart).
	args := []string{"netns", "exec", ns, udhcpc, "-i", "eth0", "-f", "-q", "-n", "-t", "10", "-T", "1", "-s", "/bin/true"}
	if hostname != "" {
		args = append(args, "-x", "hostname:"+hostname)
	}
	out, err := exec.CommandContext(ctx, "ip", args...).CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("lab client %s: udhcpc: %w: %s", mac, err, strings.TrimSpace(string(out)))
	}
	m := leaseObtained.FindSubmatch(out)
	if m == nil {
		return "", fmt.Errorf("lab client %s: udhcpc said no lease: %s", mac, strings.TrimSpace(string(out)))
	}
	return string(m[1]), nil
}

// leaseObtained matches udhcpc's "lease of 192.0.2.x obtained from ...".
var leaseObtained = regexp.MustCompile(`lease of ([0-9.]+) obtained`)

// Close stops both dhcpds and removes both namespaces, any client's left,
// and the pair's files. It may be called more than once.
func (p *Pair) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return p.closeErr
	}
	p.closed = true
	var errs []error
	for _, l := range []*Lab{p.Primary, p.Secondary} {
		if l != nil {
			if err := l.Close(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, ns := range p.namespaces {
		if _, err := os.Stat(filepath.Join(netnsDir, ns)); err == nil {
			if err := deleteNamespace(ctx, ns); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if p.dir != "" {
		if err := os.RemoveAll(p.dir); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		p.closeErr = fmt.Errorf("lab pair close: %w", errors.Join(errs...))
	}
	return p.closeErr
}

// pairConf returns the dhcpd.conf of the pair's primary or secondary.
func pairConf(primary bool, algorithm, secret, otherSecret string) string {
	s := Sample
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	me, peer, role := PrimaryIP, SecondaryIP, "primary"
	if !primary {
		me, peer, role = SecondaryIP, PrimaryIP, "secondary"
	}
	p("# omapish lab pair: the %s's dhcpd.conf (documentation addresses only)", role)
	confHead(p, algorithm, secret, otherSecret, true)
	// A short max-response-delay notices a dead partner within seconds;
	// only the primary has mclt and split.
	p("failover peer %q {", s.FailoverPeer)
	p("  %s;", role)
	p("  address %s;", me)
	p("  port 647;")
	p("  peer address %s;", peer)
	p("  peer port 647;")
	p("  max-response-delay 5;")
	p("  max-unacked-updates 10;")
	if primary {
		p("  mclt %d;", pairMCLT)
		p("  split 128;")
	}
	p("  load balance max seconds 3;")
	p("}")
	p("")
	p("subnet 192.0.2.0 netmask 255.255.255.0 {")
	p("  option routers %s;", PrimaryIP)
	p("  pool {")
	p("    failover peer %q;", s.FailoverPeer)
	p("    range %s %s;", s.FailoverRange[0], s.FailoverRange[1])
	p("  }")
	p("}")
	p("")
	p("group %q {", s.Group)
	p("  option domain-name %q;", s.GroupDomain)
	p("  %s", hostDecl(s.Grouped))
	p("}")
	for _, h := range []SampleHost{s.Static, s.NoIP, s.ByClientID} {
		p("%s", hostDecl(h))
	}
	return b.String()
}

// pairLeases returns the leases both peers start from: the sample's
// leases of the failover pool, and the partnership recorded as normal on
// both sides, so that the peers go back to normal as soon as they meet
// instead of through recover, which takes an MCLT and more.
func pairLeases(now time.Time) string {
	var leases []SampleLease
	for _, l := range Sample.Leases() {
		if l.Failover {
			leases = append(leases, l)
		}
	}
	at := leaseTime(now)
	return leasesFile(now, leases) + fmt.Sprintf(
		"failover peer %q state {\n  my state normal at %s;\n  partner state normal at %s;\n  mclt %s;\n}\n",
		Sample.FailoverPeer, at, at, strconv.Itoa(pairMCLT))
}

// RunPair is [Run] for a pair: `omapish lab --pair`. cmd runs in the
// primary's namespace, with $OMAPISH_CONFIG naming a profile file whose
// profiles "primary" (the default) and "secondary" reach both peers, and
// $OMAPISH_LAB the primary's namespace. Signals and the exit status are as
// with Run.
func RunPair(ctx context.Context, cfg PairConfig, cmd []string, stdin io.Reader, stdout, stderr io.Writer) (exitCode int, err error) {
	if len(cmd) == 0 {
		return 1, errors.New("lab: run: no command")
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)

	p, err := startInterruptible(ctx, sigs, func(ctx context.Context) (*Pair, error) { return StartPair(ctx, cfg) })
	if err != nil {
		if errors.Is(err, errInterrupted) {
			return 130, err
		}
		return 1, err
	}
	defer func() {
		if cerr := p.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}()
	profile := filepath.Join(p.Dir(), profileName)
	if err := p.WriteProfile(profile); err != nil {
		return 1, err
	}
	fmt.Fprintf(stderr, "omapish lab: a failover pair runs until %s exits\n%s%-10s %s ($OMAPISH_CONFIG: profiles primary, the default, and secondary)\n\n",
		filepath.Base(cmd[0]), p.Summary(), "profile", profile)
	return runCommand(ctx, p.Primary, profile, cmd, sigs, stdin, stdout, stderr)
}
