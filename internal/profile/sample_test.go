package profile

import (
	"os"
	"path/filepath"
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
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, sample, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "other_key.secret"), []byte("c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadFile(path)
	if err != nil {
		t.Fatalf("config.toml: %v", err)
	}
	if s, err := cfg.Lookup(""); err != nil || s.Address != "127.0.0.1:7911" {
		t.Fatalf("default profile: %+v, %v", s, err)
	}
	if s, err := cfg.Lookup("other"); err != nil || s.KeyName != "other_key" || len(s.Secret) == 0 || s.Algorithm != "hmac-sha256" {
		t.Fatalf("other profile: %+v, %v", s, err)
	}
}
