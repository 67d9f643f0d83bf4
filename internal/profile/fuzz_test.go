package profile

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		"",
		"default = \"local\"\n[servers.local]\naddress = \"127.0.0.1:7911\"\nkey_name = \"defomapi\"\nsecret = \"+bFQtBCta6j2vWkjPkNFtgA==\"\nalgorithm = \"hmac-md5\"\ntimeout = \"5s\"\n[shell]\nhistory_file = \"~/.local/state/omapish/history\"\n",
		"[servers.a]\naddress = \"::1\"\nkey_name = \"k\"\nsecret_env = \"NOPE\"\n",
		"[servers.a]\naddress = \"h\"\nkey_name = \"k\"\nsecret_file = \"k\"\nsecret = \"9rG3xK2mQ+z/Wq8vLp0TnA==\"\n",
		"servers = { a = { address = \"h\", timeout = 5 }, \"b c\" = { adress = 1 } }\n",
		"[servers.a]\nsecret = \"9rG3xK2mQ+z/Wq8vLp0TnA==\"\nalgorithm = \"hmac-sha7\"\n",
		"[servers.a]\nsecret = 9rG3xK2mQ+z/Wq8vLp0TnA==\n",
		"a = \"\"\"\n[x]\n\"\"\"\nb = '''y'''\n[[c]]\nd = 1979-05-27 07:32:00\n\"e\\u00e9\" . f = [1, {g = 2}]\n",
		"[servers]\na.address = \"h\"\na.key.name = 1\n",
	} {
		f.Add([]byte(seed))
	}
	dir := isolateEnv(f)
	path := filepath.Join(dir, "config.toml")
	f.Fuzz(func(t *testing.T, data []byte) {
		writeFile(t, path, string(data), 0o600)

		cfg, err := LoadFile(path)

		if (cfg == nil) == (err == nil) {
			t.Fatalf("LoadFile = %v, %v; want exactly one of them", cfg, err)
		}
		if err != nil && !errors.Is(err, ErrBadConfig) {
			t.Errorf("error does not match ErrBadConfig: %v", err)
		}
		var m map[string]any
		if _, derr := toml.Decode(string(data), &m); derr != nil {
			return
		}
		checkAllKeysFound(t, string(data), m, scanKeys(string(data)))
		for _, secret := range literalSecrets(string(data), m) {
			if err != nil && strings.Contains(err.Error(), secret) {
				t.Errorf("error shows the secret %q: %v", secret, err)
			}
			if cfg != nil {
				blank := withoutSecrets(cfg)
				for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x"} {
					// A secret that the rest of the configuration holds
					// anyway (a path, a name) shows without being leaked.
					if strings.Contains(fmt.Sprintf(verb, blank), secret) {
						continue
					}
					if out := fmt.Sprintf(verb, cfg); strings.Contains(out, secret) {
						t.Errorf("Sprintf(%q, config) shows the secret %q: %s", verb, secret, out)
					}
				}
			}
		}
	})
}

// withoutSecrets returns a copy of cfg with every secret removed.
func withoutSecrets(cfg *Config) *Config {
	c := *cfg
	c.Servers = make(map[string]Server, len(cfg.Servers))
	for name, s := range cfg.Servers {
		s.Secret = nil
		c.Servers[name] = s
	}
	return &c
}

// literalSecrets returns the secret values in the decoded configuration m
// that would be recognisable in output: long enough, valid base64 with a
// letter and a non-letter, written once in src (so that nothing else in the
// file, echoed by a message, holds it).
func literalSecrets(src string, m map[string]any) []string {
	var secrets []string
	servers, _ := m["servers"].(map[string]any)
	for _, v := range servers {
		t, _ := v.(map[string]any)
		s, _ := t["secret"].(string)
		s = strings.TrimSpace(s)
		if len(s) < 8 || strings.Count(src, s) != 1 {
			continue
		}
		if _, err := DecodeSecret(s); err != nil {
			continue
		}
		if strings.IndexFunc(s, isLetter) >= 0 && strings.IndexFunc(s, func(r rune) bool { return !isLetter(r) }) >= 0 {
			secrets = append(secrets, s)
		}
	}
	return secrets
}

func isLetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }
