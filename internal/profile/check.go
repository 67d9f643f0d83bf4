package profile

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/omapish/omapish/internal/spell"
)

// checker turns decoded TOML into a Config, collecting every problem with
// its position.
type checker struct {
	path string // configuration file
	dir  string // its directory, for relative paths
	pos  keyPositions
	errs errorList
}

// fail records an error about key.
func (c *checker) fail(key []string, cause error, format string, args ...any) {
	c.errs.add(c.path, c.pos.find(key), cause, format, args...)
}

// failKey records an error about key's value, prefixing the key path.
func (c *checker) failKey(key []string, cause error, format string, args ...any) {
	c.fail(key, cause, "%s: %s", keyString(key), fmt.Sprintf(format, args...))
}

func (c *checker) config(raw map[string]any) *Config {
	cfg := emptyConfig(c.path)
	for _, k := range sortedKeys(raw) {
		key := []string{k}
		switch k {
		case "default":
			cfg.Default, _ = c.str(key, raw[k], "")
		case "servers":
			servers, _ := c.table(key, raw[k])
			for _, name := range sortedKeys(servers) {
				if t, ok := c.table(child(key, name), servers[name]); ok {
					cfg.Servers[name] = c.server(name, t)
				}
			}
		case "shell":
			if t, ok := c.table(key, raw[k]); ok {
				c.shell(&cfg.Shell, t)
			}
		default:
			c.unknown(key, topKeys)
		}
	}
	cfg.Order = slices.SortedStableFunc(maps.Keys(cfg.Servers), func(a, b string) int {
		pa, pb := c.pos.find([]string{"servers", a}), c.pos.find([]string{"servers", b})
		if pa.Line != pb.Line {
			return pa.Line - pb.Line
		}
		if pa.Col != pb.Col {
			return pa.Col - pb.Col
		}
		return strings.Compare(a, b)
	})
	if cfg.Default != "" {
		servers, _ := raw["servers"].(map[string]any)
		if _, ok := servers[cfg.Default]; !ok {
			c.failKey([]string{"default"}, ErrNoProfile, "no profile %q: there is no [servers.%s]", cfg.Default, keyString([]string{cfg.Default}))
		}
	}
	return cfg
}

// server checks the table of the profile called name.
func (c *checker) server(name string, t map[string]any) Server {
	key := []string{"servers", name}
	s := Server{Name: name, Algorithm: DefaultAlgorithm, Timeout: DefaultTimeout}
	var sources [][]string // keys of secret sources given
	for _, k := range sortedKeys(t) {
		fk, v := child(key, k), t[k]
		switch k {
		case "address":
			if a, ok := c.str(fk, v, ""); ok {
				addr, err := ParseAddress(a)
				if err != nil {
					c.failKey(fk, err, "%v", err)
				}
				s.Address = addr
			}
		case "key_name":
			if kn, ok := c.str(fk, v, ""); ok {
				if kn == "" {
					c.failKey(fk, nil, "empty key name; leave key_name out for an unsigned connection")
				}
				s.KeyName = kn
			}
		case "secret", "secret_file", "secret_env":
			sources = append(sources, fk)
		case "algorithm":
			if a, ok := c.str(fk, v, ""); ok {
				alg, err := NormalizeAlgorithm(a)
				if err != nil {
					c.failKey(fk, err, "%v", err)
				} else {
					s.Algorithm = alg
				}
			}
		case "timeout":
			if d, ok := c.str(fk, v, ` such as "5s"`); ok {
				s.Timeout = c.duration(fk, d)
			}
		default:
			c.unknown(fk, serverKeys)
		}
	}
	if _, ok := t["address"]; !ok {
		c.fail(key, nil, "%s: address is missing", keyString(key))
	}
	// Sort the sources in file order, to complain about the later ones.
	slices.SortFunc(sources, func(a, b []string) int {
		pa, pb := c.pos.find(a), c.pos.find(b)
		return cmp.Or(cmp.Compare(pa.Line, pb.Line), cmp.Compare(pa.Col, pb.Col))
	})
	for _, fk := range sources[min(1, len(sources)):] {
		c.failKey(fk, nil, "%s is already set; use only one of secret, secret_file and secret_env", sources[0][2])
	}
	_, hasKeyName := t["key_name"]
	switch {
	case len(sources) > 0 && !hasKeyName:
		c.failKey(sources[0], nil, "a secret needs a key_name")
	case len(sources) == 0 && hasKeyName:
		c.failKey(child(key, "key_name"), nil, "no secret for the key; set secret, secret_file or secret_env")
	case len(sources) == 1:
		s.Secret = c.secret(sources[0], t[sources[0][2]])
	}
	return s
}

// secret reads the secret given by key, one of secret, secret_file or
// secret_env. Messages never show the secret.
func (c *checker) secret(key []string, v any) Secret {
	str, ok := c.str(key, v, "")
	if !ok {
		return nil
	}
	s, err := LoadSecret(key[len(key)-1], str, c.dir)
	if err != nil {
		c.failKey(key, err, "%v", err)
	}
	return s
}

func (c *checker) shell(sh *Shell, t map[string]any) {
	for _, k := range sortedKeys(t) {
		fk := []string{"shell", k}
		switch k {
		case "history_file":
			p, ok := c.str(fk, t[k], "")
			switch {
			case !ok:
			case p == "":
				sh.HistoryFile = ""
			default:
				path, err := resolve(p, c.dir)
				if err != nil {
					c.failKey(fk, err, "%v", err)
				}
				sh.HistoryFile = path
			}
		default:
			c.unknown(fk, shellKeys)
		}
	}
}

// duration parses a timeout.
func (c *checker) duration(key []string, s string) time.Duration {
	d, err := time.ParseDuration(s)
	switch {
	case err != nil:
		c.failKey(key, err, "invalid duration %q; write e.g. \"5s\", \"1m30s\" or \"500ms\"", s)
	case d <= 0:
		c.failKey(key, nil, "duration %q is not positive", s)
	default:
		return d
	}
	return DefaultTimeout
}

// str returns v when it is a string, else records an error; hint follows
// "must be a string" in it.
func (c *checker) str(key []string, v any, hint string) (string, bool) {
	s, ok := v.(string)
	if !ok {
		c.failKey(key, nil, "must be a string%s, not %s", hint, typeName(v))
	}
	return s, ok
}

// table returns v when it is a table, else records an error.
func (c *checker) table(key []string, v any) (map[string]any, bool) {
	t, ok := v.(map[string]any)
	if !ok {
		c.failKey(key, nil, "must be a table, not %s", typeName(v))
	}
	return t, ok
}

// unknown records an unknown key, suggesting the known one it is closest to.
func (c *checker) unknown(key []string, known []string) {
	msg := "unknown key " + keyString(key)
	if s := spell.Closest(key[len(key)-1], known, 2); s != "" {
		msg += "; did you mean " + s + "?"
	}
	c.fail(key, nil, "%s", msg)
}

// typeName describes the TOML type of a decoded value.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case time.Time:
		return "a date-time"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("a %T", v)
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

// child returns key extended by k, without sharing key's array.
func child(key []string, k string) []string { return append(slices.Clip(key), k) }
