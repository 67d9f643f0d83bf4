package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/omapish/omapish/internal/profile"
)

var errHelp = errors.New("help shown")

const usage = `Usage:
  omapish [flags]                      interactive shell
  omapish [flags] FILE.lua [ARGS...]   run a script; ARGS in the Lua table arg (arg[0] = FILE)
  omapish [flags] -e CODE              run CODE; values it returns are printed
  omapish --each [flags] FILE|-e CODE  run it on every server at once, lines labelled by server
  omapish lab [--conf FILE] [--leases FILE] [-- CMD [ARGS...]]
                                       start a real dhcpd sandbox and run the shell (or CMD) inside it
  omapish lab --pair [-- CMD [ARGS...]]
                                       the same with two dhcpds in a failover pair
  omapish bench [--n N]                measure omapish against a lab dhcpd, omshell as baseline

A FILE that does not exist is looked up among the saved scripts shipped in
the binary ("omapish scripts" lists them), so "omapish lease-scan
192.0.2.0/24" runs scripts/lease-scan.lua.

Flags:
`

const usageTail = `
Secrets never come from the command line: the configuration file
(secret, secret_file or secret_env), --secret-file, or $OMAPISH_SECRET.
Exit status: 0 success; 1 a script error, or a chunk that returned nil and a
message (as the omapi functions fail); 2 bad usage or bad configuration;
exit(n) or os.exit(n) in a chunk: n.
`

// options are the parsed command line.
type options struct {
	config, keyName, secretFile       string
	servers                           serverFlags
	each                              bool
	timeout                           time.Duration
	json, trace, interactive, version bool
	code                              string
	script                            string
	args                              []string
}

// parseFlags parses the command line; --help writes the usage to stdout
// (help that was asked for) and returns errHelp.
func parseFlags(args []string, stdout io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("omapish", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are reported once, by the caller
	fs.StringVar(&o.config, "config", "", "configuration `FILE` (default $OMAPISH_CONFIG, then ~/.config/omapish/config.toml, then ./config.toml)")
	fs.Var(&o.servers, "server", "profile `NAME` or address HOST[:PORT]; repeat for several (omapi.servers()), the first is omapi.connect()'s default")
	fs.StringVar(&o.keyName, "key-name", "", "OMAPI key `NAME` (with --secret-file or $OMAPISH_SECRET)")
	fs.StringVar(&o.secretFile, "secret-file", "", "`FILE` holding the base64 secret (mode 0600)")
	fs.Var((*durationFlag)(&o.timeout), "timeout", "time limit for connecting and for each request, a `DURATION` such as 2s (default 5s)")
	fs.BoolVar(&o.json, "json", false, "print returned values as JSON, one document per value")
	fs.BoolVar(&o.trace, "trace", false, "show every message sent and received on stderr, decoded and hex-dumped")
	fs.BoolVar(&o.each, "each", false, "run FILE or -e CODE on every server (--server, repeated, or the configuration's profiles) at once, each line labelled with its server")
	fs.BoolVar(&o.interactive, "i", false, "enter the shell after running FILE or -e CODE")
	fs.StringVar(&o.code, "e", "", "run `CODE` and print the values it returns")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.Usage = func() {} // a bad flag gets one line; --help the whole text
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage)
			printFlags(stdout, fs)
			fmt.Fprint(stdout, usageTail)
			return nil, errHelp
		}
		// The flag package names flags with one dash ("for flag -timeout"):
		// say them as they are typed.
		msg := strings.Replace(err.Error(), "for flag -", "for --", 1)
		return nil, fmt.Errorf("%s (omapish --help shows the flags)", msg)
	}
	rest := fs.Args()
	if o.code == "" && len(rest) > 0 {
		o.script, rest = rest[0], rest[1:]
	}
	o.args = rest
	if o.timeout < 0 {
		return nil, fmt.Errorf("--timeout %v: must not be negative", o.timeout)
	}
	return o, nil
}

// durationFlag is a time.Duration flag whose error says what it wants
// (the flag package's says "parse error").
type durationFlag time.Duration

func (d *durationFlag) String() string { return time.Duration(*d).String() }

func (d *durationFlag) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return errors.New("a duration like 2s or 500ms expected")
	}
	*d = durationFlag(v)
	return nil
}

// servers is what the command line makes of the configuration for
// omapi.servers() and omapi.connect("host[:port]").
type servers struct {
	// names are the servers --server named, in order, as profile names
	// (an address is a profile of its own, named by the address); without
	// --server, the configuration's profiles in file order.
	names []string
	// addrKey holds the key (and timeout) from --key-name, --secret-file
	// and $OMAPISH_SECRET for an address that no profile describes; nil
	// when none of them is given.
	addrKey *profile.Server
}

// loadConfig loads the configuration and applies the flags and
// $OMAPISH_SECRET: each --server becomes a profile (a profile named, or an
// address), the first of them the default, and --key-name, --secret-file,
// $OMAPISH_SECRET and --timeout apply to each, or to the default profile
// when no --server is given.
func loadConfig(o *options) (*profile.Config, servers, error) {
	cfg, err := profile.Load(o.config)
	if err != nil {
		return nil, servers{}, err
	}
	set := servers{names: cfg.Order}
	keyGiven := o.keyName != "" || o.secretFile != "" || os.Getenv(profile.EnvSecret) != ""
	if len(o.servers) == 0 && !keyGiven && o.timeout == 0 {
		return cfg, set, nil
	}
	// The flags' key, checked once, applied to each server below.
	fk := flagKey{keyName: o.keyName, timeout: o.timeout}
	if o.secretFile != "" {
		if fk.secret, err = profile.ReadSecretFile(o.secretFile); err != nil {
			return nil, servers{}, fmt.Errorf("--secret-file: %w", err)
		}
	}
	addr := profile.Server{Algorithm: profile.DefaultAlgorithm, Timeout: profile.DefaultTimeout}
	var addrErr error // why the flags give no key for an address
	if keyGiven || o.timeout > 0 {
		// $OMAPISH_SECRET alone may be meant for the default profile's
		// key: it fails only a run that names an address.
		k, err := fk.apply(addr)
		if err == nil {
			set.addrKey = &k
		}
		addrErr = err
	}
	if len(o.servers) == 0 {
		if cfg.Default != "" {
			s, err := fk.apply(cfg.Servers[cfg.Default])
			if err != nil {
				return nil, servers{}, fmt.Errorf("profile %s: %w", cfg.Default, err)
			}
			cfg.Servers[cfg.Default] = s
		}
		return cfg, set, nil
	}
	if set.names, err = fk.servers(cfg, o.servers, addr, addrErr); err != nil {
		return nil, servers{}, err
	}
	cfg.Default = set.names[0]
	return cfg, set, nil
}

// flagKey is what the command line says of the key and the timeout.
type flagKey struct {
	keyName string
	secret  profile.Secret
	timeout time.Duration
}

// apply gives s the flags' key and timeout, and the environment's secret.
func (fk flagKey) apply(s profile.Server) (profile.Server, error) {
	if fk.keyName != "" {
		s.KeyName = fk.keyName
	}
	if fk.secret != nil {
		s.Secret = fk.secret
	}
	if err := s.ApplyEnv(); err != nil {
		return s, err
	}
	if fk.timeout > 0 {
		s.Timeout = fk.timeout
	}
	if s.KeyName != "" && len(s.Secret) == 0 {
		return s, fmt.Errorf("key %s has no secret: give --secret-file or set $%s", s.KeyName, profile.EnvSecret)
	}
	if s.KeyName == "" && len(s.Secret) > 0 {
		return s, errors.New("a secret without a key name: give --key-name")
	}
	return s, nil
}

// servers makes a profile in cfg of each --server, a profile's name or an
// address (addr with the flags' key, or addrErr when they give none), and
// returns their names in order.
func (fk flagKey) servers(cfg *profile.Config, flags []string, addr profile.Server, addrErr error) ([]string, error) {
	var names []string
	for _, name := range flags {
		s, isProfile := cfg.Servers[name]
		if !isProfile {
			a, err := profile.ParseAddress(name)
			if err != nil {
				return nil, fmt.Errorf("--server %s: not a profile in %s and not an address: %w", name, orNone(cfg.Path), err)
			}
			if addrErr != nil {
				return nil, fmt.Errorf("--server %s: %w", name, addrErr)
			}
			s = addr
			s.Name, s.Address = a, a
		}
		if slices.Contains(names, s.Name) {
			return nil, fmt.Errorf("--server %s: given twice", name)
		}
		s, err := fk.apply(s)
		if err != nil {
			return nil, fmt.Errorf("--server %s: %w", name, err)
		}
		cfg.Servers[s.Name] = s
		names = append(names, s.Name)
	}
	return names, nil
}

// serverFlags is the repeatable --server flag.
type serverFlags []string

func (f *serverFlags) String() string { return strings.Join(*f, ",") }

func (f *serverFlags) Set(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New("a profile name or an address expected")
	}
	*f = append(*f, strings.TrimSpace(s))
	return nil
}

func orNone(path string) string {
	if path == "" {
		return "(no configuration file)"
	}
	return strings.TrimSpace(path)
}

// parseSubcommand parses the flags of a subcommand (omapish lab, omapish
// bench) whose --help prints usage, then the flags. ok is false when the
// command must end now, with status exit: after --help (0, the usage on
// stdout) or a bad flag (2, the flag package has said what was wrong on
// stderr, followed by the usage).
func parseSubcommand(fs *flag.FlagSet, args []string, usage string, stdout, stderr io.Writer) (exit int, ok bool) {
	fs.SetOutput(stderr)
	fs.Usage = func() {}
	printUsage := func(w io.Writer) {
		fmt.Fprint(w, usage+"\n\nFlags:\n")
		printFlags(w, fs)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printUsage(stdout)
			return exitOK, false
		}
		printUsage(stderr)
		return exitUsage, false
	}
	return 0, true
}

// printFlags lists flags as users type them: --name (and -e, -i).
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		arg, text := flag.UnquoteUsage(f)
		if arg != "" {
			arg = " " + arg
		}
		fmt.Fprintf(w, "  %-24s %s\n", dash+f.Name+arg, text)
	})
}
