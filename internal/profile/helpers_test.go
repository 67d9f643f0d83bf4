package profile

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Test secrets. testSecret is what pypureomapi and design.md show, with its
// excess "="; secretB64 is a well-formed one.
const (
	testSecret = "+bFQtBCta6j2vWkjPkNFtgA=="
	secretB64  = "9rG3xK2mQ+z/Wq8vLp0TnA=="
	otherB64   = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"
)

// writeFile writes content to path with exactly mode (os.WriteFile is
// subject to the umask and keeps the mode of an existing file), creating
// directories as needed.
func writeFile(tb testing.TB, path, content string, mode os.FileMode) string {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		tb.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		tb.Fatal(err)
	}
	return path
}

// isolate gives the test a fresh home directory and working directory and
// clears the environment variables this package reads. It returns the
// temporary directory holding both: dir/home and dir/work.
func isolate(tb testing.TB) string {
	tb.Helper()
	dir := isolateEnv(tb)
	if err := os.Mkdir(filepath.Join(dir, "work"), 0o700); err != nil {
		tb.Fatal(err)
	}
	tb.Chdir(filepath.Join(dir, "work"))
	return dir
}

// isolateEnv is isolate without the change of directory, for fuzz targets:
// the fuzzing engine reads testdata/fuzz from the working directory.
func isolateEnv(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "home"), 0o700); err != nil {
		tb.Fatal(err)
	}
	tb.Setenv("HOME", filepath.Join(dir, "home"))
	for _, env := range []string{"XDG_CONFIG_HOME", "XDG_STATE_HOME", EnvConfig, EnvSecret} {
		tb.Setenv(env, "")
	}
	return dir
}

// mustDecode decodes a base64 test secret.
func mustDecode(tb testing.TB, b64 string) Secret {
	tb.Helper()
	s, err := DecodeSecret(b64)
	if err != nil {
		tb.Fatalf("DecodeSecret: %v", err)
	}
	return s
}

// secretForms returns the ways a secret might show up in output: its
// base64 text and the decoded bytes raw, in hex and as a byte list.
func secretForms(tb testing.TB, b64 string) []string {
	tb.Helper()
	raw, err := base64.RawStdEncoding.DecodeString(strings.TrimRight(b64, "="))
	if err != nil {
		tb.Fatalf("bad test secret %q: %v", b64, err)
	}
	forms := []string{
		strings.TrimRight(b64, "="),
		string(raw),
		hex.EncodeToString(raw),
		strings.ToUpper(hex.EncodeToString(raw)),
		strings.Trim(fmt.Sprint(raw), "[]"),
		fmt.Sprintf("%q", raw),
	}
	// Long runs of the secret would leak it as well.
	if len(b64) >= 16 {
		forms = append(forms, b64[:12], b64[len(b64)-14:len(b64)-2])
	}
	return forms
}

// assertNoSecret fails when s holds any form of any of the secrets.
func assertNoSecret(tb testing.TB, what, s string, secrets ...string) {
	tb.Helper()
	for _, b64 := range secrets {
		for _, form := range secretForms(tb, b64) {
			if strings.Contains(s, form) {
				tb.Errorf("%s shows the secret (%q):\n%s", what, form, s)
			}
		}
	}
}
