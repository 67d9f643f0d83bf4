package profile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSampleConfig: the commented sample at the repository root loads.
func TestSampleConfig(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	dir := filepath.Join(home, ".config", "omapish")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	sample, err := os.ReadFile("../../config.toml")
	if err != nil {
		t.Fatal(err)
	}
	// As shipped it loads anywhere (it is ./config.toml in the repository).
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, sample, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadFile(path)
	if err != nil {
		t.Fatalf("config.toml: %v", err)
	}
	if s, err := cfg.Lookup(""); err != nil || s.Address != "127.0.0.1:7911" {
		t.Fatalf("default profile: %+v, %v", s, err)
	}
	// With its commented key lines taken in, the keyed profiles load too.
	uncommented := strings.NewReplacer("# key_name", "key_name", "# secret_file", "secret_file",
		"# [servers.other]", "[servers.other]", "# address", "address", "# algorithm", "algorithm").Replace(string(sample))
	if err := os.WriteFile(path, []byte(uncommented), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{filepath.Join(dir, "omapi_key.secret"), filepath.Join(dir, "other_key.secret")} {
		if err := os.WriteFile(f, []byte("c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if cfg, err = LoadFile(path); err != nil {
		t.Fatalf("config.toml with its keys: %v", err)
	}
	if s, err := cfg.Lookup("other"); err != nil || s.KeyName != "other_key" || len(s.Secret) == 0 || s.Algorithm != "hmac-sha256" {
		t.Fatalf("other profile: %+v, %v", s, err)
	}
}
