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
	if err := os.WriteFile(filepath.Join(dir, "omapi_key.secret"), []byte("c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := LoadFile("../../config.toml")
	if err != nil {
		t.Fatalf("config.toml: %v", err)
	}
	s, err := cfg.Lookup("")
	if err != nil || s.KeyName != "omapi_key" || len(s.Secret) == 0 {
		t.Fatalf("default profile: %+v, %v", s, err)
	}
}
