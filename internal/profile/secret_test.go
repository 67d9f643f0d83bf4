package profile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretNeverPrinted(t *testing.T) {
	dir := isolate(t)
	path := writeFile(t, filepath.Join(dir, "config.toml"), `default = "a"
[servers.a]
address = "h"
key_name = "k"
secret = "`+secretB64+`"
[servers.b]
address = "h"
key_name = "k"
secret = "`+testSecret+`"
`, 0o600)
	cfg, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := cfg.Lookup("")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Secret) == 0 {
		t.Fatal("no secret loaded")
	}
	values := map[string]any{
		"Secret":    s.Secret,
		"*Secret":   &s.Secret,
		"[]Secret":  []Secret{s.Secret},
		"Server":    s,
		"*Server":   &s,
		"Config":    *cfg,
		"*Config":   cfg,
		"[]Server":  []Server{s},
		"map":       map[string]any{"s": s.Secret},
		"anonymous": struct{ S Secret }{s.Secret},
	}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "% x", "%d", "%o", "%c", "%U", "%10.3v", "%-20s", "%T"}
	for name, v := range values {
		for _, verb := range verbs {
			assertNoSecret(t, name+" "+verb, fmt.Sprintf(verb, v), secretB64, testSecret)
		}
		assertNoSecret(t, name+" Sprint", fmt.Sprint(v), secretB64, testSecret)
		assertNoSecret(t, name+" Sprintln", fmt.Sprintln(v), secretB64, testSecret)
		j, err := json.Marshal(v)
		if err != nil {
			t.Errorf("json.Marshal(%s): %v", name, err)
		}
		assertNoSecret(t, name+" JSON", string(j), secretB64, testSecret)
		var buf bytes.Buffer
		slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "v", v)
		slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "v", v)
		assertNoSecret(t, name+" slog", buf.String(), secretB64, testSecret)
	}
	for _, verb := range []string{"%v", "%s", "%#v", "%x", "%d"} {
		if got := fmt.Sprintf(verb, s.Secret); got != "[redacted]" {
			t.Errorf("Sprintf(%q, secret) = %q; want [redacted]", verb, got)
		}
	}
	if got := fmt.Sprintf("%+v", s); !strings.Contains(got, "Secret:[redacted]") {
		t.Errorf("Sprintf(%%+v, server) = %q; want Secret:[redacted] in it", got)
	}
}

func TestDecodeSecret(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string // hex; "" for an error
		err  string
	}{
		{in: "MDEyMzQ1Njc4OWFiY2RlZg==", want: "30313233343536373839616263646566"},
		{in: "MDEyMzQ1Njc4OWFiY2RlZg", want: "30313233343536373839616263646566"},
		{in: "MDEyMzQ1Njc4OWFiY2RlZg===", want: "30313233343536373839616263646566"},
		{in: " \tMDEyMzQ1Njc4OWFiY2RlZg==\n", want: "30313233343536373839616263646566"},
		{in: testSecret, want: "f9b150b410ad6ba8f6bd69233e4345b600"},
		{in: "", err: "secret is empty"},
		{in: " \n", err: "secret is empty"},
		{in: "==", err: "secret is not valid base64"},
		{in: "MDEyMzQ1-jc4OWFiY2RlZg==", err: "secret is not valid base64 (bad data at byte 8)"},
		{in: "MDEyMzQ1 Njc4OWFiY2RlZg==", err: "secret is not valid base64"},
		{in: "A", err: "secret is not valid base64"},
	} {
		s, err := DecodeSecret(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err && !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("DecodeSecret(%q) = %v; want error %q", tt.in, err, tt.err)
			}
			if err != nil && len(tt.in) > 4 && strings.Contains(err.Error(), strings.TrimSpace(tt.in)[:4]) {
				t.Errorf("DecodeSecret(%q) error shows the input: %v", tt.in, err)
			}
			continue
		}
		if err != nil || fmt.Sprintf("%x", []byte(s)) != tt.want {
			t.Errorf("DecodeSecret(%q) = %x, %v; want %s", tt.in, []byte(s), err, tt.want)
		}
	}
}

func TestReadSecretFile(t *testing.T) {
	dir := isolate(t)
	for _, tt := range []struct {
		name    string
		content string
		mode    os.FileMode
		err     string
		is      error
	}{
		{name: "ok", content: otherB64 + "\n", mode: 0o600},
		{name: "owner read only", content: otherB64, mode: 0o400},
		{name: "owner all", content: otherB64, mode: 0o700},
		{name: "world readable", content: otherB64, mode: 0o644, err: "holds a secret but is readable by others (mode 0644); run: chmod 600 ", is: ErrInsecure},
		{name: "group readable", content: otherB64, mode: 0o640, err: "readable by group (mode 0640)", is: ErrInsecure},
		{name: "group writable", content: otherB64, mode: 0o620, err: "writable by group (mode 0620)", is: ErrInsecure},
		{name: "others execute", content: otherB64, mode: 0o601, err: "accessible by others (mode 0601)", is: ErrInsecure},
		{name: "with space's", content: otherB64, mode: 0o666, err: `run: chmod 600 '` + dir + `/with space'\''s'`, is: ErrInsecure},
		{name: "bad", content: "not base64!", mode: 0o600, err: "/bad: secret is not valid base64"},
		{name: "big", content: strings.Repeat("A", maxSecretFile+4), mode: 0o600, err: "file is larger than 65536 bytes"},
	} {
		path := writeFile(t, filepath.Join(dir, tt.name), tt.content, tt.mode)
		s, err := ReadSecretFile(path)
		if tt.err == "" {
			if err != nil || string(s) != "secretsecretsecretsecret" {
				t.Errorf("%s: ReadSecretFile = %v", tt.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.HasPrefix(err.Error(), path+": ") {
			t.Errorf("%s: ReadSecretFile error = %v; want %q", tt.name, err, tt.err)
		}
		if tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%s: errors.Is(%v, %v) = false", tt.name, err, tt.is)
		}
		if err != nil {
			assertNoSecret(t, "error", err.Error(), otherB64)
		}
	}
	if _, err := ReadSecretFile(dir); err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Errorf("ReadSecretFile(dir) = %v", err)
	}
}
