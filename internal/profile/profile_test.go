package profile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// file is a file a test writes next to the configuration.
type file struct {
	name, content string
	mode          os.FileMode
}

func TestLoadFile(t *testing.T) {
	tests := []struct {
		name   string
		config string      // "{{dir}}" is replaced by the configuration's directory
		mode   os.FileMode // of the configuration; 0600 when 0
		env    map[string]string
		files  []file

		want        map[string]Server // when wantErr is empty
		wantDefault string
		wantHistory string // "{{dir}}" and "{{home}}" replaced; unchecked when ""

		wantErr []string // substrings, in this order
		wantIs  []error
	}{
		{
			name:   "empty file",
			config: "",
			want:   map[string]Server{},
		},
		{
			name:   "address only",
			config: "[servers.a]\naddress = \"10.0.0.1\"\n",
			want: map[string]Server{
				"a": {Name: "a", Address: "10.0.0.1:7911", Algorithm: "hmac-md5", Timeout: 5 * time.Second},
			},
		},
		{
			name: "design sample",
			config: `default = "local"                    # profile used by omapi.connect() with no argument

[servers.local]
address = "127.0.0.1:7911"
key_name = "defomapi"
secret = "+bFQtBCta6j2vWkjPkNFtgA=="   # base64; or secret_file = "...", or secret_env = "VAR"
algorithm = "hmac-md5"
timeout = "5s"

[shell]
history_file = "~/.local/state/omapish/history"
`,
			want: map[string]Server{
				"local": {Name: "local", Address: "127.0.0.1:7911", KeyName: "defomapi", Algorithm: "hmac-md5",
					Secret:  Secret{0xf9, 0xb1, 0x50, 0xb4, 0x10, 0xad, 0x6b, 0xa8, 0xf6, 0xbd, 0x69, 0x23, 0x3e, 0x43, 0x45, 0xb6, 0x00},
					Timeout: 5 * time.Second},
			},
			wantDefault: "local",
			wantHistory: "{{home}}/.local/state/omapish/history",
		},
		{
			name: "every field",
			config: `[servers.b]
address = "dhcp.example.net:7912"
key_name = "omapi_key"
secret = "` + secretB64 + `"
algorithm = "HMAC-SHA256.SIG-ALG.REG.INT."
timeout = "1m30s"
`,
			want: map[string]Server{
				"b": {Name: "b", Address: "dhcp.example.net:7912", KeyName: "omapi_key", Algorithm: "hmac-sha256",
					Secret: mustDecode(t, secretB64), Timeout: 90 * time.Second},
			},
		},
		{
			name:   "secret_file relative to the config",
			config: "[servers.a]\naddress = \"h\"\nkey_name = \"k\"\nsecret_file = \"keys/omapi.key\"\n",
			mode:   0o644, // no inline secret: may be world-readable
			files:  []file{{"keys/omapi.key", otherB64 + "\n\n", 0o600}},
			want: map[string]Server{
				"a": {Name: "a", Address: "h:7911", KeyName: "k", Algorithm: "hmac-md5", Secret: Secret("secretsecretsecretsecret"), Timeout: 5 * time.Second},
			},
		},
		{
			name:   "secret_file absolute",
			config: "[servers.a]\naddress = \"h\"\nkey_name = \"k\"\nsecret_file = \"{{dir}}/k.b64\"\n",
			files:  []file{{"k.b64", "  " + otherB64 + " \t\r\n", 0o400}},
			want: map[string]Server{
				"a": {Name: "a", Address: "h:7911", KeyName: "k", Algorithm: "hmac-md5", Secret: Secret("secretsecretsecretsecret"), Timeout: 5 * time.Second},
			},
		},
		{
			name:   "secret_file with ~",
			config: "[servers.a]\naddress = \"h\"\nkey_name = \"k\"\nsecret_file = \"~/.omapi.key\"\n",
			files:  []file{{"~/.omapi.key", otherB64, 0o600}},
			want: map[string]Server{
				"a": {Name: "a", Address: "h:7911", KeyName: "k", Algorithm: "hmac-md5", Secret: Secret("secretsecretsecretsecret"), Timeout: 5 * time.Second},
			},
		},
		{
			name:   "secret_env",
			config: "[servers.a]\naddress = \"h\"\nkey_name = \"k\"\nsecret_env = \"MY_OMAPI_SECRET\"\nalgorithm = \"HMAC-SHA1\"\n",
			mode:   0o644,
			env:    map[string]string{"MY_OMAPI_SECRET": otherB64},
			want: map[string]Server{
				"a": {Name: "a", Address: "h:7911", KeyName: "k", Algorithm: "hmac-sha1", Secret: Secret("secretsecretsecretsecret"), Timeout: 5 * time.Second},
			},
		},
		{
			name:   "quoted profile name, IPv6, inline tables",
			config: "servers = { \"my dhcp\" = { address = \"::1\" }, v6 = { address = \"[fe80::1%eth0]:7000\" } }\n",
			want: map[string]Server{
				"my dhcp": {Name: "my dhcp", Address: "[::1]:7911", Algorithm: "hmac-md5", Timeout: 5 * time.Second},
				"v6":      {Name: "v6", Address: "[fe80::1%eth0]:7000", Algorithm: "hmac-md5", Timeout: 5 * time.Second},
			},
		},
		{
			name:        "history_file relative",
			config:      "[shell]\nhistory_file = \"hist\"\n",
			want:        map[string]Server{},
			wantHistory: "{{dir}}/hist",
		},
		{
			name:        "history_file empty turns history off",
			config:      "[shell]\nhistory_file = \"\"\n",
			want:        map[string]Server{},
			wantHistory: "-",
		},
		{
			name:        "history_file default from XDG_STATE_HOME",
			config:      "",
			env:         map[string]string{"XDG_STATE_HOME": "/var/state"},
			want:        map[string]Server{},
			wantHistory: "/var/state/omapish/history",
		},
		{
			name:        "history_file default ignores a relative XDG_STATE_HOME",
			config:      "",
			env:         map[string]string{"XDG_STATE_HOME": "state"},
			want:        map[string]Server{},
			wantHistory: "{{home}}/.local/state/omapish/history",
		},

		// Syntax.
		{
			name:    "syntax error",
			config:  "[servers.a]\naddress = \"h\"\n[servers.a\n",
			wantErr: []string{":3:11: "},
			wantIs:  []error{ErrBadConfig},
		},
		{
			name:    "syntax error in a secret does not show it",
			config:  "[servers.a]\naddress = \"h\"\nkey_name = \"k\"\nsecret = " + strings.TrimRight(otherB64, "=") + "Zm9v\n",
			wantErr: []string{":4:", "invalid TOML in the value of servers.a.secret (not shown: it is a secret)"},
		},
		{
			name:    "syntax error in a quoted secret does not show it",
			config:  "[servers.a]\naddress = \"h\"\nkey_name = \"k\"\nsecret = \"c2VjcmV0c2VjcmV0\\qc2VjcmV0c2VjcmV0\"\n",
			wantErr: []string{":4:", "(not shown: it is a secret)"},
		},
		{
			name:    "duplicate key",
			config:  "[servers.a]\naddress = \"h\"\naddress = \"i\"\n",
			wantErr: []string{":3:", "already been defined"},
		},

		// Unknown keys, each with its position.
		{
			name: "unknown keys",
			config: `default = "a"
colour = "blue"

[servers.a]
address = "h"
  adress = "h"
timeout = "1s"
[servers.a.nested]
x = 1

[shell]
histroy_file = "x"

[extra]
y = 2
`,
			wantErr: []string{
				":2:1: unknown key colour",
				":6:3: unknown key servers.a.adress; did you mean address?",
				":8:12: unknown key servers.a.nested",
				":12:1: unknown key shell.histroy_file; did you mean history_file?",
				":14:2: unknown key extra",
			},
		},
		{
			name:    "unknown key in an inline table",
			config:  "servers.a = { address = \"h\", \"time out\" = \"1s\" }\n",
			wantErr: []string{`:1:30: unknown key servers.a."time out"; did you mean timeout?`},
		},
		{
			name:    "unknown dotted key",
			config:  "[servers]\na.address = \"h\"\na.key.name = \"k\"\n",
			wantErr: []string{":3:3: unknown key servers.a.key"},
		},

		// Wrong types.
		{
			name:    "timeout as a number",
			config:  "[servers.a]\naddress = \"h\"\ntimeout = 5\n",
			wantErr: []string{`:3:1: servers.a.timeout: must be a string such as "5s", not an integer`},
		},
		{
			name:   "wrong types",
			config: "default = true\nshell = [1]\n[servers.a]\naddress = 7911\nkey_name = 1.5\nsecret = 1979-05-27 07:32:00\nalgorithm = { x = 1 }\n",
			wantErr: []string{
				":1:1: default: must be a string, not a boolean",
				":2:1: shell: must be a table, not an array",
				":4:1: servers.a.address: must be a string, not an integer",
				":5:1: servers.a.key_name: must be a string, not a float",
				":6:1: servers.a.secret: must be a string, not a date-time",
				":7:1: servers.a.algorithm: must be a string, not a table",
			},
		},
		{
			name:    "servers not a table",
			config:  "servers = \"a\"\n",
			wantErr: []string{":1:1: servers: must be a table, not a string"},
		},
		{
			name:    "profile not a table",
			config:  "[servers]\na = \"h\"\n",
			wantErr: []string{":2:1: servers.a: must be a table, not a string"},
		},

		// Bad values.
		{
			name:    "bad duration",
			config:  "[servers.a]\naddress = \"h\"\ntimeout = \"5 s\"\n[servers.b]\naddress = \"h\"\ntimeout = \"-1s\"\n",
			wantErr: []string{`:3:1: servers.a.timeout: invalid duration "5 s"`, `:6:1: servers.b.timeout: duration "-1s" is not positive`},
		},
		{
			name:    "bad base64 secret",
			config:  "[servers.a]\naddress = \"h\"\nkey_name = \"k\"\nsecret = \"c2VjcmV0c2V*jcmV0c2VjcmV0c2VjcmV0\"\n",
			wantErr: []string{":4:1: servers.a.secret: secret is not valid base64 (bad data at byte 11)"},
		},
		{
			name:    "empty secret",
			config:  "[servers.a]\naddress = \"h\"\nkey_name = \"k\"\nsecret = \"\"\n",
			wantErr: []string{":4:1: servers.a.secret: secret is empty"},
		},
		{
			name:    "unknown algorithm",
			config:  "[servers.a]\naddress = \"h\"\nalgorithm = \"hmac-foo\"\n",
			wantErr: []string{`:3:1: servers.a.algorithm: unknown algorithm "hmac-foo"; use one of hmac-md5, hmac-sha1`},
		},
		{
			name:    "default names a missing profile",
			config:  "default = \"nope\"\n[servers.a]\naddress = \"h\"\n",
			wantErr: []string{`:1:1: default: no profile "nope": there is no [servers.nope]`},
			wantIs:  []error{ErrNoProfile, ErrBadConfig},
		},
		{
			name:    "empty address",
			config:  "[servers.a]\naddress = \"\"\n",
			wantErr: []string{":2:1: servers.a.address: empty address"},
		},
		{
			name:    "missing address",
			config:  "[servers.a]\ntimeout = \"1s\"\n",
			wantErr: []string{":1:10: servers.a: address is missing"},
		},
		{
			name:    "bad port",
			config:  "[servers.a]\naddress = \"h:http\"\n",
			wantErr: []string{`:2:1: servers.a.address: invalid address "h:http": port "http" is not a number from 1 to 65535`},
		},
		{
			name:    "two secret sources",
			config:  "[servers.a]\naddress = \"h\"\nkey_name = \"k\"\nsecret_env = \"X\"\nsecret = \"" + secretB64 + "\"\nsecret_file = \"f\"\n",
			env:     map[string]string{"X": otherB64},
			wantErr: []string{":5:1: servers.a.secret: secret_env is already set; use only one of secret, secret_file and secret_env", ":6:1: servers.a.secret_file: secret_env is already set"},
		},
		{
			name:    "key_name without a secret",
			config:  "[servers.a]\naddress = \"h\"\nkey_name = \"k\"\n",
			mode:    0o644,
			wantErr: []string{":3:1: servers.a.key_name: no secret for the key; set secret, secret_file or secret_env"},
		},
		{
			name:    "secret without key_name",
			config:  "[servers.a]\naddress = \"h\"\nsecret = \"" + secretB64 + "\"\n",
			wantErr: []string{":3:1: servers.a.secret: a secret needs a key_name"},
		},
		{
			name:    "empty key_name",
			config:  "[servers.a]\naddress = \"h\"\nkey_name = \"\"\nsecret = \"" + secretB64 + "\"\n",
			wantErr: []string{":3:1: servers.a.key_name: empty key name"},
		},
		{
			name:    "secret_env not set",
			config:  "[servers.a]\naddress = \"h\"\nkey_name = \"k\"\nsecret_env = \"OMAPISH_TEST_UNSET\"\n",
			wantErr: []string{":4:1: servers.a.secret_env: environment variable OMAPISH_TEST_UNSET is not set"},
		},
		{
			name:    "secret_env not base64",
			config:  "[servers.a]\naddress = \"h\"\nkey_name = \"k\"\nsecret_env = \"X\"\n",
			env:     map[string]string{"X": "c2VjcmV0c2VjcmV0 c2VjcmV0c2VjcmV0"},
			wantErr: []string{":4:1: servers.a.secret_env: $X: secret is not valid base64"},
		},
		{
			name:    "secret_file missing",
			config:  "[servers.a]\naddress = \"h\"\nkey_name = \"k\"\nsecret_file = \"missing.key\"\n",
			wantErr: []string{":4:1: servers.a.secret_file: ", "missing.key: no such file or directory"},
			wantIs:  []error{fs.ErrNotExist},
		},
		{
			name:    "secret_file not base64",
			config:  "[servers.a]\naddress = \"h\"\nkey_name = \"k\"\nsecret_file = \"k\"\n",
			files:   []file{{"k", "key \"k\" { secret \"" + otherB64 + "\"; };\n", 0o600}},
			wantErr: []string{":4:1: servers.a.secret_file: ", "/k: secret is not valid base64"},
		},
		{
			name:    "secret_file empty",
			config:  "[servers.a]\naddress = \"h\"\nkey_name = \"k\"\nsecret_file = \"k\"\n",
			files:   []file{{"k", "\n", 0o600}},
			wantErr: []string{"/k: secret is empty"},
		},

		// Permissions.
		{
			name:    "config with a secret readable by others",
			config:  "[servers.a]\naddress = \"h\"\nkey_name = \"k\"\nsecret = \"" + secretB64 + "\"\n",
			mode:    0o644,
			wantErr: []string{"config.toml: holds a secret but is readable by others (mode 0644); run: chmod 600 {{dir}}/config.toml"},
			wantIs:  []error{ErrInsecure, ErrBadConfig},
		},
		{
			name:    "config with a secret readable by group",
			config:  "[servers.a]\naddress = \"h\"\nkey_name = \"k\"\nsecret = \"" + secretB64 + "\"\n",
			mode:    0o640,
			wantErr: []string{"holds a secret but is readable by group (mode 0640); run: chmod 600 "},
			wantIs:  []error{ErrInsecure},
		},
		{
			name:    "config with a secret writable by others",
			config:  "[servers.a]\naddress = \"h\"\nkey_name = \"k\"\nsecret = \"" + secretB64 + "\"\n",
			mode:    0o602,
			wantErr: []string{"holds a secret but is writable by others (mode 0602)"},
			wantIs:  []error{ErrInsecure},
		},
		{
			name:    "insecure even when the secret is invalid",
			config:  "[servers.a]\naddress = \"h\"\nsecret = 1\n",
			mode:    0o644,
			wantErr: []string{"holds a secret but is readable by others"},
			wantIs:  []error{ErrInsecure},
		},
		{
			name:    "secret_file readable by others",
			config:  "[servers.a]\naddress = \"h\"\nkey_name = \"k\"\nsecret_file = \"omapi.key\"\n",
			mode:    0o644,
			files:   []file{{"omapi.key", otherB64, 0o644}},
			wantErr: []string{":4:1: servers.a.secret_file: {{dir}}/omapi.key: holds a secret but is readable by others (mode 0644); run: chmod 600 {{dir}}/omapi.key"},
			wantIs:  []error{ErrInsecure, ErrBadConfig},
		},

		// Several problems are reported together, in file order.
		{
			name:    "errors in file order",
			config:  "[servers.z]\naddress = \"\"\n[servers.a]\nadress = \"h\"\ntimeout = 3\n",
			wantErr: []string{":2:1: servers.z.address", ":3:10: servers.a: address is missing", ":4:1: unknown key servers.a.adress", ":5:1: servers.a.timeout"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := isolate(t)
			home := filepath.Join(root, "home")
			dir := filepath.Join(root, "conf")
			expand := strings.NewReplacer("{{dir}}", dir, "{{home}}", home).Replace
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			for _, f := range tt.files {
				path := filepath.Join(dir, f.name)
				if rest, ok := strings.CutPrefix(f.name, "~/"); ok {
					path = filepath.Join(home, rest)
				}
				writeFile(t, path, f.content, f.mode)
			}
			mode := tt.mode
			if mode == 0 {
				mode = 0o600
			}
			path := writeFile(t, filepath.Join(dir, "config.toml"), expand(tt.config), mode)

			cfg, err := LoadFile(path)

			if err != nil {
				assertNoSecret(t, "error", err.Error(), testSecret, secretB64, otherB64)
			}
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("LoadFile succeeded; want an error with %q", tt.wantErr)
				}
				checkError(t, err, expand, tt.wantErr, tt.wantIs)
				if cfg != nil {
					t.Errorf("LoadFile returned a config with an error")
				}
				return
			}
			if err != nil {
				t.Fatalf("LoadFile: %v", err)
			}
			if cfg.Path != path || cfg.Default != tt.wantDefault {
				t.Errorf("Path, Default = %q, %q; want %q, %q", cfg.Path, cfg.Default, path, tt.wantDefault)
			}
			if !reflect.DeepEqual(cfg.Servers, tt.want) {
				t.Errorf("Servers:\n got %+v\nwant %+v", cfg.Servers, tt.want)
				for name, s := range cfg.Servers {
					if w := tt.want[name]; string(w.Secret) != string(s.Secret) {
						t.Errorf("Servers[%q].Secret = %x; want %x", name, []byte(s.Secret), []byte(w.Secret))
					}
				}
			}
			switch want := expand(tt.wantHistory); want {
			case "":
			case "-":
				if cfg.Shell.HistoryFile != "" {
					t.Errorf("HistoryFile = %q; want none", cfg.Shell.HistoryFile)
				}
			default:
				if cfg.Shell.HistoryFile != want {
					t.Errorf("HistoryFile = %q; want %q", cfg.Shell.HistoryFile, want)
				}
			}
		})
	}
}

// checkError checks that err's message holds each of want in that order and
// that err matches each of is.
func checkError(t *testing.T, err error, expand func(string) string, want []string, is []error) {
	t.Helper()
	msg := err.Error()
	rest := msg
	for _, w := range want {
		i := strings.Index(rest, expand(w))
		if i < 0 {
			t.Errorf("error lacks %q (or has it out of order):\n%s", expand(w), msg)
			continue
		}
		rest = rest[i+len(expand(w)):]
	}
	for _, target := range append([]error{ErrBadConfig}, is...) {
		if !errors.Is(err, target) {
			t.Errorf("errors.Is(err, %v) = false; err = %v", target, err)
		}
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Errorf("error is not an *Error: %T", err)
	}
}

func TestLookup(t *testing.T) {
	dir := isolate(t)
	path := writeFile(t, filepath.Join(dir, "config.toml"), `default = "b"
[servers.a]
address = "a"
[servers.b]
address = "b"
key_name = "k"
secret = "`+secretB64+`"
`, 0o600)
	cfg, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, want string
		wantErr    string
	}{
		{name: "", want: "b"},
		{name: "a", want: "a"},
		{name: "b", want: "b"},
		{name: "c", wantErr: `no profile "c" in ` + path + "; profiles: a, b"},
	} {
		s, err := cfg.Lookup(tt.name)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr || !errors.Is(err, ErrNoProfile) {
				t.Errorf("Lookup(%q) error = %v; want %q wrapping ErrNoProfile", tt.name, err, tt.wantErr)
			}
			continue
		}
		if err != nil || s.Name != tt.want {
			t.Errorf("Lookup(%q) = %q, %v; want %q", tt.name, s.Name, err, tt.want)
		}
	}

	// The copy's secret is its own.
	s, _ := cfg.Lookup("b")
	clear(s.Secret)
	if s2, _ := cfg.Lookup("b"); string(s2.Secret) != string(mustDecode(t, secretB64)) {
		t.Errorf("clearing a looked-up secret changed the config's")
	}

	cfg.Default = ""
	if _, err := cfg.Lookup(""); err == nil || !errors.Is(err, ErrNoProfile) || !strings.Contains(err.Error(), `set default = "a" in `+path) {
		t.Errorf(`Lookup("") without default: %v`, err)
	}

	empty, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"":  "no server named and no default profile: no configuration file found",
		"x": `no profile "x": no configuration file found`,
	} {
		if _, err := empty.Lookup(name); err == nil || err.Error() != want || !errors.Is(err, ErrNoProfile) {
			t.Errorf("empty config: Lookup(%q) = %v; want %q", name, err, want)
		}
	}
}

func TestApplyEnv(t *testing.T) {
	isolate(t)
	s := Server{Name: "a", Secret: Secret("old")}
	if err := s.ApplyEnv(); err != nil || string(s.Secret) != "old" {
		t.Errorf("ApplyEnv without %s: %v, secret changed: %v", EnvSecret, err, string(s.Secret) != "old")
	}
	t.Setenv(EnvSecret, otherB64)
	if err := s.ApplyEnv(); err != nil || string(s.Secret) != "secretsecretsecretsecret" {
		t.Errorf("ApplyEnv: %v, secret set: %v", err, string(s.Secret) == "secretsecretsecretsecret")
	}
	t.Setenv(EnvSecret, "not*base64"+otherB64)
	err := s.ApplyEnv()
	if err == nil || !strings.Contains(err.Error(), "$OMAPISH_SECRET: secret is not valid base64") || !errors.Is(err, ErrBadConfig) {
		t.Errorf("ApplyEnv with bad base64: %v", err)
	}
	if err != nil {
		assertNoSecret(t, "error", err.Error(), otherB64)
	}
}

// TestOrder: Config.Order lists the profiles in the order of the file,
// as omapi.servers() does, whatever the order of their names.
func TestOrder(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.toml")
	conf := "[servers.zeta]\naddress = \"10.0.0.1\"\n[servers.alpha]\naddress = \"10.0.0.2\"\n" +
		"[servers.mid]\naddress = \"10.0.0.3\"\n"
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cfg.Order, " "); got != "zeta alpha mid" {
		t.Errorf("Order = %q, want the file's order zeta alpha mid", got)
	}
}

func TestParseAddress(t *testing.T) {
	for _, tt := range []struct{ in, want, err string }{
		{in: "127.0.0.1", want: "127.0.0.1:7911"},
		{in: "127.0.0.1:7912", want: "127.0.0.1:7912"},
		{in: " dhcp.example.net ", want: "dhcp.example.net:7911"},
		{in: "localhost:1", want: "localhost:1"},
		{in: "::1", want: "[::1]:7911"},
		{in: "[::1]", want: "[::1]:7911"},
		{in: "[2001:db8::1]:65535", want: "[2001:db8::1]:65535"},
		{in: "[127.0.0.1]:7911", want: "127.0.0.1:7911"},
		{in: "", err: "empty address"},
		{in: "h:", err: `invalid address "h:": missing port after ':'`},
		{in: ":7911", err: `invalid address ":7911": missing host`},
		{in: "h:0", err: `port "0" is not a number from 1 to 65535`},
		{in: "h:65536", err: `port "65536" is not a number`},
		{in: "h:-1", err: `port "-1" is not a number`},
		{in: "h:1:2", err: "write an IPv6 address with a port as [::1]:7911"},
		{in: "198.51.100.2:7911:7911", err: `invalid address "198.51.100.2:7911:7911": a port given twice; write 198.51.100.2:PORT once`},
		{in: "dhcp.example:7911:7912", err: "a port given twice"},
		{in: "::1:7911x", err: "write an IPv6 address with a port as [::1]:7911"},
		{in: "[::1", err: "missing ']'"},
		{in: "[::1]x", err: `unexpected "x" after ']'`},
		{in: "[::1]:", err: "missing port"},
		{in: "[host]:1", err: `"host" is not an IP address`},
		{in: "a b", err: `"a b" is not a host name`},
		{in: "user@h", err: "is not a host name"},
	} {
		got, err := ParseAddress(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseAddress(%q) = %q, %v; want error %q", tt.in, got, err, tt.err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseAddress(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestNormalizeAlgorithm(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"", "hmac-md5"},
		{"hmac-md5", "hmac-md5"},
		{"HMAC-MD5.SIG-ALG.REG.INT.", "hmac-md5"},
		{"hmac-md5.sig-alg.reg.int", "hmac-md5"},
		{"HMAC-SHA1", "hmac-sha1"},
		{"hmac-sha224", "hmac-sha224"},
		{" Hmac-Sha256 ", "hmac-sha256"},
		{"hmac-sha384", "hmac-sha384"},
		{"HMAC-SHA512.SIG-ALG.REG.INT.", "hmac-sha512"},
		{"md5", ""},
		{"hmac-sha3", ""},
		{"hmac-md5.sig-alg.reg.int.x", ""},
	} {
		got, err := NormalizeAlgorithm(tt.in)
		if tt.want == "" {
			if err == nil || !strings.Contains(err.Error(), "unknown algorithm") {
				t.Errorf("NormalizeAlgorithm(%q) = %q, %v; want an error", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeAlgorithm(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
