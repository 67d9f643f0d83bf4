package lab

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Sentinel errors of [Start], for [errors.Is]. Their messages say what is
// missing and how to get it.
var (
	// ErrNotRoot means the process is not root; namespaces need it.
	ErrNotRoot = errors.New("omapish lab needs root")

	// ErrNoDHCPD means there is no dhcpd executable at /usr/sbin/dhcpd (or
	// at $OMAPISH_DHCPD when that is set).
	ErrNoDHCPD = errors.New("/usr/sbin/dhcpd not found: apt-get install isc-dhcp-server")

	// ErrNoIP means the ip command (iproute2) is not on $PATH.
	ErrNoIP = errors.New("ip (iproute2) not found: apt-get install iproute2")
)

// defaultDHCPD is where Debian's isc-dhcp-server installs dhcpd.
const defaultDHCPD = "/usr/sbin/dhcpd"

// Names of the files in a lab's directory.
const (
	confName    = "dhcpd.conf"
	leasesName  = "dhcpd.leases"
	pidName     = "dhcpd.pid"
	logName     = "dhcpd.log"
	secretName  = "secret"
	profileName = "omapish.toml"
)

// algorithms are the key algorithms dhcpd 4.4.3 accepts for OMAPI.
var algorithms = []string{"hmac-md5", "hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384", "hmac-sha512"}

// Config says what a lab runs. The zero value runs the built-in sample.
type Config struct {
	// Conf is the path of a dhcpd.conf to use instead of the sample; it is
	// copied into the lab's directory (files it includes are not).
	Conf string

	// Leases is the path of a dhcpd.leases to start from; it is copied.
	// Empty means the sample's leases with the sample, else an empty file.
	Leases string

	// Algorithm is the sample keys' algorithm: "hmac-md5" (the default),
	// "hmac-sha1", "hmac-sha224", "hmac-sha256", "hmac-sha384" or
	// "hmac-sha512". Only for the sample.
	Algorithm string

	// NoOMAPIKey leaves the omapi-key statement out of the sample, so that
	// dhcpd accepts unsigned requests. Its keys are still defined (and a
	// client may still sign with them). Only for the sample.
	NoOMAPIKey bool

	// Stderr receives dhcpd's own log as it is written, in addition to
	// the lab's log file. Nil means the log file only.
	Stderr io.Writer

	// netns is a namespace made by the caller (a pair's) for Start to use
	// instead of making one; it is deleted by Close all the same. iface is
	// the interface dhcpd serves on in it ("" for v0).
	netns, iface string
}

// Lab is a running dhcpd in a private network namespace. Its methods may be
// called from several goroutines.
type Lab struct {
	ns     string // namespace name
	dir    string // temp dir with the files
	cwd    string // dhcpd's working directory: where relative includes resolve
	dhcpd  string // dhcpd executable
	iface  string // the interface dhcpd serves on
	addr   string // OMAPI address inside the namespace
	stderr io.Writer

	keyName     string // the key to sign with, "" if none
	algorithm   string
	secret      []byte
	keyRequired bool // the conf has omapi-key
	otherName   string
	otherSecret []byte

	info    *confInfo         // what the conf declares
	warning string            // dhcpd's complaint about a given leases file
	sources map[string]string // lab file name -> the user's file it copies
	logFile *os.File

	mu       sync.Mutex
	proc     *proc // current dhcpd run, nil before the first
	nsMade   bool
	closed   bool
	closeErr error

	logMu    sync.Mutex
	finalLog string // the log as it was when Close removed the directory
}

// labCount numbers the labs of this process.
var labCount atomic.Uint64

// Start makes a network namespace, starts dhcpd in it and waits until OMAPI
// answers. It needs root, dhcpd (/usr/sbin/dhcpd, or $OMAPISH_DHCPD) and
// the ip command. Namespaces and directories left behind by lab processes
// that died are removed first. On any failure everything Start made is
// removed again; if dhcpd quit, the error holds the end of its log.
func Start(ctx context.Context, cfg Config) (_ *Lab, err error) {
	if os.Geteuid() != 0 {
		return nil, ErrNotRoot
	}
	dhcpd := dhcpdPath()
	if st, err := os.Stat(dhcpd); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		if dhcpd == defaultDHCPD {
			return nil, ErrNoDHCPD
		}
		return nil, fmt.Errorf("OMAPISH_DHCPD=%s is not an executable file (%w)", dhcpd, ErrNoDHCPD)
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return nil, ErrNoIP
	}

	l := &Lab{
		ns:      fmt.Sprintf("%s%d-%d", nsPrefix, os.Getpid(), labCount.Add(1)),
		dhcpd:   dhcpd,
		iface:   "v0",
		stderr:  cfg.Stderr,
		sources: map[string]string{},
	}
	defer func() {
		if err != nil {
			l.Close()
			err = fmt.Errorf("lab: %w", err)
		}
	}()

	if cfg.netns != "" {
		l.ns, l.iface = cfg.netns, cfg.iface
	}
	removeStale(ctx)
	if l.dir, err = os.MkdirTemp("", l.ns+"-"); err != nil {
		return nil, err
	}
	if err := l.writeFiles(cfg); err != nil {
		return nil, err
	}
	if l.logFile, err = os.OpenFile(l.path(logName), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); err != nil {
		return nil, err
	}
	l.nsMade = true
	if cfg.netns == "" {
		if err := createNamespace(ctx, l.ns, vethAddr(l.info)); err != nil {
			return nil, err
		}
	}
	if l.proc, err = l.startDHCPD(); err != nil {
		return nil, err
	}
	if err := l.waitReady(ctx, l.proc); err != nil {
		return nil, err
	}
	return l, nil
}

// writeFiles writes dhcpd.conf and dhcpd.leases into the lab's directory
// and takes the OMAPI address and the keys from the conf.
func (l *Lab) writeFiles(cfg Config) error {
	var conf, leases []byte
	if cfg.Conf == "" {
		alg := strings.ToLower(cfg.Algorithm)
		if alg == "" {
			alg = "hmac-md5"
		}
		if !slices.Contains(algorithms, alg) {
			return fmt.Errorf("unknown key algorithm %q (want one of %s)", cfg.Algorithm, strings.Join(algorithms, ", "))
		}
		conf = []byte(sampleConf(alg, randomSecret(), randomSecret(), !cfg.NoOMAPIKey))
		leases = []byte(sampleLeases(time.Now()))
	} else {
		if cfg.Algorithm != "" || cfg.NoOMAPIKey {
			return errors.New("the Algorithm and NoOMAPIKey options apply to the sample only, not to a given dhcpd.conf")
		}
		var err error
		if conf, err = os.ReadFile(cfg.Conf); err != nil {
			return err
		}
		l.sources[confName] = cfg.Conf
	}
	if cfg.Leases != "" {
		var err error
		if leases, err = os.ReadFile(cfg.Leases); err != nil {
			return err
		}
		l.sources[leasesName] = cfg.Leases
		l.warning = checkLeasesSyntax(cfg.Leases, leases)
	}
	if err := os.WriteFile(l.path(confName), conf, 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(l.path(leasesName), leases, 0o600); err != nil {
		return err
	}

	// dhcpd opens an included file by the path as written, relative to
	// its working directory: the lab's for the sample, and for a given
	// conf the directory omapish lab runs in, as if dhcpd were started
	// there.
	l.cwd = l.dir
	var read func(string) (string, error)
	if cfg.Conf != "" {
		var err error
		if l.cwd, err = os.Getwd(); err != nil {
			return err
		}
		read = func(path string) (string, error) {
			b, err := os.ReadFile(path)
			return string(b), err
		}
	}
	info, syntaxErr := parseConfFiles(string(conf), read)
	l.info = info
	if info.includeErr != nil {
		return fmt.Errorf("%s: %w (dhcpd could not start either)", confPath(cfg), info.includeErr)
	}
	port := info.port
	if port == 0 {
		if syntaxErr == nil {
			return fmt.Errorf("%s has no omapi-port statement: the lab talks to dhcpd over OMAPI; add one, e.g. \"omapi-port %d;\" (and, to require signed requests, a key and \"omapi-key NAME;\")", confPath(cfg), Sample.Port)
		}
		port = Sample.Port // dhcpd will say what is wrong with the file
	}
	l.addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	return l.setKeys(cfg)
}

// setKeys takes the key to sign with and another key from the conf.
func (l *Lab) setKeys(cfg Config) error {
	info := l.info
	l.keyRequired = info.omapiKey != ""
	l.keyName = info.omapiKey
	if cfg.Conf == "" {
		l.keyName = Sample.KeyName
	}
	if k, ok := info.key(l.keyName); ok {
		l.keyName, l.algorithm = k.name, k.algorithm
		s, err := decodeSecret(k.secret)
		if err != nil {
			return fmt.Errorf("key %s in %s: %w", k.name, confPath(cfg), err)
		}
		l.secret = s
	}
	for _, k := range info.keys {
		if !strings.EqualFold(k.name, l.keyName) {
			l.otherName = k.name
			l.otherSecret, _ = decodeSecret(k.secret)
			break
		}
	}
	return nil
}

// confPath names the conf in messages.
func confPath(cfg Config) string {
	if cfg.Conf == "" {
		return "the sample dhcpd.conf"
	}
	return cfg.Conf
}

// vethAddr is the address v0 gets: the first host of the conf's first
// subnet, so that dhcpd serves on v0; 192.0.2.1/24 when there is none.
func vethAddr(info *confInfo) netip.Prefix {
	if info.subnet.IsValid() && info.subnet.Bits() < 32 {
		return netip.PrefixFrom(info.subnet.Addr().Next(), info.subnet.Bits())
	}
	return netip.MustParsePrefix(Sample.ServerIP + "/24")
}

// randomSecret returns a fresh base64 secret of 16 to 32 random bytes.
func randomSecret() string {
	var n [1]byte
	rand.Read(n[:])
	b := make([]byte, 16+int(n[0])%17)
	rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// path returns the path of a file in the lab's directory.
func (l *Lab) path(name string) string { return filepath.Join(l.dir, name) }

// Close stops dhcpd (SIGTERM, then SIGKILL after a short grace), kills
// anything else still running in the namespace, deletes the namespace and
// removes the lab's directory. It may be called more than once; later calls
// return the first call's result.
func (l *Lab) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return l.closeErr
	}
	l.closed = true
	if l.proc != nil {
		l.proc.stop()
	}
	var errs []error
	if l.nsMade {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := os.Stat(filepath.Join(netnsDir, l.ns)); err == nil {
			if err := deleteNamespace(ctx, l.ns); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if l.logFile != nil {
		l.logFile.Close()
	}
	if l.dir != "" {
		b, _ := os.ReadFile(l.path(logName))
		l.logMu.Lock()
		l.finalLog = string(b)
		l.logMu.Unlock()
		if err := os.RemoveAll(l.dir); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		l.closeErr = fmt.Errorf("lab close: %w", errors.Join(errs...))
	}
	return l.closeErr
}

// Stop kills dhcpd the way Close does but keeps the namespace and the
// files, to test what clients do when the server dies. [Lab.Restart]
// starts it again.
func (l *Lab) Stop(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errors.New("lab: stop: lab is closed")
	}
	if l.proc != nil {
		l.proc.stop()
	}
	return ctx.Err()
}

// Restart stops dhcpd if it runs, starts it again with the same files
// (the leases file as dhcpd last wrote it) and waits until OMAPI answers.
func (l *Lab) Restart(ctx context.Context) error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return errors.New("lab: restart: lab is closed")
	}
	if l.proc != nil {
		l.proc.stop()
	}
	fmt.Fprintf(l.logFile, "--- omapish lab: restarting dhcpd at %s ---\n", time.Now().UTC().Format(time.RFC3339))
	p, err := l.startDHCPD()
	if err != nil {
		l.mu.Unlock()
		return fmt.Errorf("lab: restart: %w", err)
	}
	l.proc = p
	l.mu.Unlock()
	if err := l.waitReady(ctx, p); err != nil {
		return fmt.Errorf("lab: restart: %w", err)
	}
	return nil
}

// Namespace returns the name of the lab's network namespace (as `ip netns`
// shows it).
func (l *Lab) Namespace() string { return l.ns }

// Addr returns dhcpd's OMAPI address, reachable only inside the namespace:
// "127.0.0.1:7911", with the port of the conf's omapi-port.
func (l *Lab) Addr() string { return l.addr }

// KeyName returns the name of the key to sign with: the conf's omapi-key,
// or with the sample always its key (also under NoOMAPIKey, where dhcpd
// accepts it without requiring it). "" when there is none.
func (l *Lab) KeyName() string { return l.keyName }

// KeyRequired reports whether the conf has an omapi-key, i.e. dhcpd
// refuses unsigned requests.
func (l *Lab) KeyRequired() bool { return l.keyRequired }

// Algorithm returns the key's algorithm, e.g. "hmac-md5" ("" without a key).
func (l *Lab) Algorithm() string { return l.algorithm }

// Secret returns a copy of the key's secret (decoded); nil without a key.
func (l *Lab) Secret() []byte { return slices.Clone(l.secret) }

// SecretBase64 returns the key's secret in base64, as dhcpd.conf holds it.
func (l *Lab) SecretBase64() string {
	if l.secret == nil {
		return ""
	}
	return base64.StdEncoding.EncodeToString(l.secret)
}

// OtherKey returns a key that the conf defines but that is not the one
// KeyName names (with the sample: "other-key", which is not the omapi-key,
// so dhcpd refuses it). name is "" when there is no such key.
func (l *Lab) OtherKey() (name string, secret []byte) {
	return l.otherName, slices.Clone(l.otherSecret)
}

// Dir returns the lab's directory: dhcpd.conf, dhcpd.leases, dhcpd.pid,
// dhcpd.log and, after WriteProfile, the secret.
func (l *Lab) Dir() string { return l.dir }

// LeasesFile returns the path of the leases file dhcpd writes.
func (l *Lab) LeasesFile() string { return l.path(leasesName) }

// Log returns what dhcpd has logged so far (also after Close).
func (l *Lab) Log() string {
	b, err := os.ReadFile(l.path(logName))
	if err == nil {
		return string(b)
	}
	l.logMu.Lock()
	defer l.logMu.Unlock()
	return l.finalLog
}

// PID returns dhcpd's process id, or 0 when it is not running.
func (l *Lab) PID() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.proc == nil || l.proc.exited() {
		return 0
	}
	return l.proc.cmd.Process.Pid
}

// DialContext connects to addr from inside the lab's namespace, e.g. to
// l.Addr(). The returned connection is an ordinary one of this process;
// only its socket lives in the namespace. addr's host must be an IP
// address.
func (l *Lab) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return dialInNamespace(ctx, filepath.Join(netnsDir, l.ns), network, addr)
}

// Command returns a command that runs name with args inside the lab's
// namespace (through `ip netns exec`). ctx kills it as in
// [exec.CommandContext].
func (l *Lab) Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", l.ns, name}, args...)...)
}
