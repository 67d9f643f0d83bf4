package profile

import (
	"errors"
	"fmt"
	"maps"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/omapish/omapish/omapi"
)

// Defaults for what a profile leaves out.
const (
	DefaultPort      = 7911            // dhcpd's OMAPI port
	DefaultAlgorithm = "hmac-md5"      // what dhcpd.conf keys mostly use
	DefaultTimeout   = 5 * time.Second // for connecting and for each request
)

// EnvSecret names the environment variable [Server.ApplyEnv] takes a base64
// secret from.
const EnvSecret = "OMAPISH_SECRET"

const maxConfigFile = 1 << 20 // bytes of configuration read at most

// Algorithms returns the names of the HMAC algorithms a profile may use, in
// their normalised spelling, for help texts and completion: the omapi
// package's.
func Algorithms() []string { return omapi.Algorithms() }

// Config is a loaded configuration file.
type Config struct {
	Path    string            // the file it came from; "" when none was found
	Default string            // profile to use when none is named; may be ""
	Servers map[string]Server // profiles by name; never nil
	Order   []string          // the profiles' names in the order of the file
	Shell   Shell             // settings of the interactive shell
}

// Server is a server profile, a [servers.NAME] table.
type Server struct {
	Name      string        // the profile's name, NAME in [servers.NAME]
	Address   string        // host:port, the port defaulting to 7911
	KeyName   string        // OMAPI key name; "" for an unsigned connection
	Algorithm string        // HMAC algorithm, normalised, e.g. "hmac-md5"
	Secret    Secret        // key material; empty when KeyName is ""
	Timeout   time.Duration // for connecting and for each request; default 5s
}

// Shell holds the settings of the interactive shell, the [shell] table.
type Shell struct {
	// HistoryFile is where the shell keeps its history, "~" expanded,
	// relative paths taken from the configuration file's directory. It
	// defaults to $XDG_STATE_HOME/omapish/history (or
	// ~/.local/state/omapish/history); history_file = "" turns history off.
	HistoryFile string
}

// The keys each table may hold.
var (
	topKeys    = []string{"default", "servers", "shell"}
	serverKeys = []string{"address", "key_name", "secret", "secret_file", "secret_env", "algorithm", "timeout"}
	shellKeys  = []string{"history_file"}
)

func emptyConfig(path string) *Config {
	return &Config{Path: path, Servers: map[string]Server{}, Shell: Shell{HistoryFile: defaultHistoryFile()}}
}

// LoadFile reads and checks the configuration file at path.
//
// Checking is strict: invalid TOML, unknown keys, values of the wrong type
// and invalid values are all errors, reported together, each at its line and
// column. A file holding a secret that group or others may read is refused
// (the error wraps ErrInsecure), as are secret files with such permissions.
// Secrets from secret_file and secret_env are read now.
func LoadFile(path string) (*Config, error) {
	data, mode, err := readFile(path, maxConfigFile)
	if err != nil {
		return nil, err
	}
	var raw map[string]any
	if _, err := toml.Decode(string(data), &raw); err != nil {
		return nil, syntaxError(path, string(data), err)
	}
	if hasInlineSecret(raw) {
		if err := checkPrivate(path, mode); err != nil {
			return nil, err
		}
	}
	c := &checker{path: path, dir: filepath.Dir(path), pos: scanKeys(string(data))}
	cfg := c.config(raw)
	if err := c.errs.err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// Lookup returns a copy of the profile called name, or of the default profile
// when name is "". The error wraps ErrNoProfile when there is no such
// profile, or no default.
func (c *Config) Lookup(name string) (Server, error) {
	in := ""
	if c.Path != "" {
		in = " in " + c.Path
	}
	if name == "" {
		if c.Default == "" {
			msg := "no server named and no default profile"
			switch {
			case c.Path == "":
				msg += ": no configuration file found"
			case len(c.Servers) > 0:
				msg += fmt.Sprintf("; set default = %q%s", slices.Sorted(maps.Keys(c.Servers))[0], in)
			}
			return Server{}, &Error{Msg: msg, Err: ErrNoProfile}
		}
		name = c.Default
	}
	s, ok := c.Servers[name]
	if !ok {
		msg := fmt.Sprintf("no profile %q%s", name, in)
		if names := slices.Sorted(maps.Keys(c.Servers)); len(names) > 0 {
			msg += "; profiles: " + strings.Join(names, ", ")
		} else if c.Path == "" {
			msg += ": no configuration file found"
		}
		return Server{}, &Error{Msg: msg, Err: ErrNoProfile}
	}
	s.Secret = slices.Clone(s.Secret)
	return s, nil
}

// ApplyEnv sets s.Secret from the environment variable OMAPISH_SECRET (base64)
// when it is set and not empty; the variable overrides the profile's secret.
// It leaves s alone otherwise.
func (s *Server) ApplyEnv() error {
	v := os.Getenv(EnvSecret)
	if v == "" {
		return nil
	}
	secret, err := DecodeSecret(v)
	if err != nil {
		return &Error{Msg: "$" + EnvSecret + ": " + err.Error(), Err: err}
	}
	s.Secret = secret
	return nil
}

// ParseAddress checks a server address, host or host:port, and returns it as
// host:port, the port defaulting to 7911. An IPv6 address may be given bare
// (::1) or in brackets ([::1] or [::1]:7911).
func ParseAddress(s string) (string, error) {
	addr := strings.TrimSpace(s)
	bad := func(format string, args ...any) (string, error) {
		return "", &Error{Msg: fmt.Sprintf("invalid address %q: ", s) + fmt.Sprintf(format, args...)}
	}
	if addr == "" {
		return "", &Error{Msg: "empty address"}
	}
	host, port := addr, ""
	switch {
	case strings.HasPrefix(addr, "["):
		end := strings.IndexByte(addr, ']')
		if end < 0 {
			return bad("missing ']'")
		}
		host = addr[1:end]
		if _, err := netip.ParseAddr(host); err != nil {
			return bad("%q is not an IP address", host)
		}
		rest := addr[end+1:]
		if rest != "" {
			if rest[0] != ':' {
				return bad("unexpected %q after ']'", rest)
			}
			port = rest[1:]
			if port == "" {
				return bad("missing port after ':'")
			}
		}
	case strings.Count(addr, ":") > 1:
		if h, _, _ := strings.Cut(addr, ":"); strings.Contains(h, ".") {
			// 192.0.2.1:7911:7911, or host.example:7911:7911.
			return bad("a port given twice; write %s:PORT once", h)
		}
		if _, err := netip.ParseAddr(addr); err != nil {
			return bad("write an IPv6 address with a port as [::1]:%d", DefaultPort)
		}
	default:
		if h, p, ok := strings.Cut(addr, ":"); ok {
			host, port = h, p
			if port == "" {
				return bad("missing port after ':'")
			}
		}
		if host == "" {
			return bad("missing host")
		}
		if strings.ContainsAny(host, " \t\r\n/\\?#@[]") {
			return bad("%q is not a host name", host)
		}
	}
	if port == "" {
		port = strconv.Itoa(DefaultPort)
	} else if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
		return bad("port %q is not a number from 1 to 65535", port)
	}
	return net.JoinHostPort(host, port), nil
}

// NormalizeAlgorithm returns the canonical, lower-case name of an HMAC
// algorithm: any case is accepted, as is the ".SIG-ALG.REG.INT." suffix of
// dhcpd's HMAC-MD5.SIG-ALG.REG.INT., and "" means hmac-md5. The names are
// listed by [Algorithms].
func NormalizeAlgorithm(s string) (string, error) {
	a, err := omapi.NormalizeAlgorithm(s)
	if err != nil {
		return "", &Error{Msg: fmt.Sprintf("unknown algorithm %q; use one of %s", s, strings.Join(omapi.Algorithms(), ", "))}
	}
	return a, nil
}

// syntaxError turns a TOML decoding error into an *Error at its position.
// When the error lies in a secret's value the TOML message, which may quote
// part of the value, is replaced.
func syntaxError(path, data string, err error) error {
	var pe toml.ParseError
	if !errors.As(err, &pe) {
		return &Error{Path: path, Msg: err.Error()}
	}
	msg := pe.Message
	if key := strings.Split(pe.LastKey, "."); isSecretKey(key[len(key)-1]) {
		msg = fmt.Sprintf("invalid TOML in the value of %s (not shown: it is a secret); write it as a quoted string, as in secret = \"BASE64\"", pe.LastKey)
	}
	// The parser counts an unexpected newline on the next line; the byte
	// offset is right.
	p := position{Line: pe.Position.Line, Col: pe.Position.Col}
	if off := pe.Position.Start; off >= 0 && off <= len(data) {
		if q := offsetPosition(data, off); q.Line == p.Line || q.Line == p.Line-1 {
			p = q
		}
	}
	return &Error{Path: path, Line: p.Line, Col: p.Col, Msg: msg}
}

// isSecretKey reports whether a key may hold secret material: secret, or a
// misspelling of it (but not secret_file or secret_env).
func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	return strings.Contains(k, "secret") && k != "secret_file" && k != "secret_env"
}

// hasInlineSecret reports whether some profile has a secret key.
func hasInlineSecret(raw map[string]any) bool {
	servers, _ := raw["servers"].(map[string]any)
	for _, v := range servers {
		if t, ok := v.(map[string]any); ok {
			if _, ok := t["secret"]; ok {
				return true
			}
		}
	}
	return false
}
