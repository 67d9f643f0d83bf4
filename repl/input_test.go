package repl

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestHistoryFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := filepath.Join(dir, "history")
	h, err := openHistory(path, 3)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []string{"1+1", "1+1", "function f()\n return 1\nend", `omapi.connect{secret = "abc"}`, "f()"} {
		if err := h.add(e); err != nil {
			t.Fatal(err)
		}
	}
	// In memory: no repeat, the secret kept (for Up), the last 3.
	if want := []string{"function f()\n return 1\nend", `omapi.connect{secret = "abc"}`, "f()"}; !reflect.DeepEqual(h.entries, want) {
		t.Errorf("entries %q, want %q", h.entries, want)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(data), "1+1\nfunction f()\\\n return 1\\\nend\nf()\n"; got != want {
		t.Errorf("file %q, want %q", got, want)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v", fi.Mode())
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v", fi.Mode())
	}

	// Reopened with a lower limit: trimmed, and the file rewritten.
	os.Chmod(path, 0o644)
	h, err = openHistory(path, 2)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"function f()\n return 1\nend", "f()"}; !reflect.DeepEqual(h.entries, want) {
		t.Errorf("reopened %q, want %q", h.entries, want)
	}
	data, _ = os.ReadFile(path)
	if strings.Count(string(data), "\n") != 4 {
		t.Errorf("rewritten file %q", data)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode after reopening %v", fi.Mode())
	}
}

func TestHistoryHome(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	h, err := openHistory("~/.local/state/omapish/history", 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.add("x"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(home, ".local/state/omapish/history")); err != nil {
		t.Error(err)
	}
}

// TestHistoryUnwritable: a history file whose directory cannot be made
// is an error. The parent is a regular file, which stops root too (a
// read-only directory would not).
func TestHistoryUnwritable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := openHistory(filepath.Join(file, "sub", "history"), 10); err == nil {
		t.Error("no error for a directory that cannot be made")
	}
}
