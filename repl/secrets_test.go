package repl

import (
	"encoding/base64"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// historySecret is a base64 secret as a user would paste it.
var historySecret = base64.StdEncoding.EncodeToString([]byte("a secret of 24 bytes!..."))

func TestHoldsSecret(t *testing.T) {
	for _, tt := range []struct {
		chunk string
		want  bool
	}{
		{`omapi.connect{address = "h:7911", key_name = "k", secret = "` + historySecret + `"}`, true},
		{`omapi.connect{secret="` + historySecret + `"}`, true},
		{`c = omapi.connect{ key_name = "k",` + "\n" + `  secret = "` + historySecret + `" }`, true},
		{`t = {["secret"] = "` + historySecret + `"}`, true},
		{`opts.SECRET = s`, true},
		{`m:bytes("` + historySecret + `")`, true},
		{`s = "` + historySecret + `"`, true},
		{`s = [[` + historySecret + `]]`, true},
		{`s = '` + strings.TrimRight(historySecret, "=") + `'`, true}, // unpadded
		{`k = "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"`, true},              // the README's sample secret
		{`s = "QUJDREVGR0hJSktMTU5PUA=="`, true},                      // 16 bytes, padded
		// Code, names, addresses and hex are kept.
		{`1+1`, false},
		{`conn = assert(omapi.connect())`, false},
		{`conn:lookup_by_failoverstate{name = "lab-failover"}`, false},
		{`conn:lookup_ip("00:11:22:33:44:55")`, false},
		{`omapi.unhex("0011223344556677aabbccddeeff0011")`, false},
		{`omapi.unhex("0011223344556677AABBCCDDEEFF0011")`, false},
		{`t = {connectionTimeout=5, LookupByHostName=1}`, false},
		{`for _, ip in ipairs{"192.0.2.150", "192.0.2.151"} do print(ip) end`, false},
		{`host = "printer-floor-2.example.com"`, false},
	} {
		if got := holdsSecret(tt.chunk); got != tt.want {
			t.Errorf("holdsSecret(%q) = %v, want %v", tt.chunk, got, tt.want)
		}
	}
}

// TestHistoryKeepsNoSecret types chunks holding a secret into the shell
// (line editor on a pipe, history file on): none reaches the file, in any
// form, while the other chunks do; the file has mode 0600.
func TestHistoryKeepsNoSecret(t *testing.T) {
	L := newTestState(t)
	hist := filepath.Join(t.TempDir(), "state", "history")
	chunks := []string{
		`x = 1`,
		`omapi.connect{address = "127.0.0.1:1", key_name = "k", secret = "` + historySecret + `"}`,
		`c = omapi.connect{secret="` + historySecret + `", key_name="k"}`,
		`t = {["secret"] =` + "\n" + `"` + historySecret + `"}`,
		`s = "` + historySecret + `"`,
		`m = omapi.message.open("host") ok = pcall(function() return m:bytes("` + historySecret + `") end)`,
		`y = 2`,
	}
	in := io.NopCloser(strings.NewReader(strings.Join(chunks, "\n") + "\n"))
	var out, errb strings.Builder
	if err := Run(t.Context(), Options{L: L, In: in, Out: &out, Err: &errb, Interactive: true, HistoryFile: hist}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(hist)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(historySecret)
	for _, form := range []string{historySecret, strings.TrimRight(historySecret, "="), string(raw), hex.EncodeToString(raw)} {
		if strings.Contains(string(data), form) {
			t.Errorf("history file holds the secret (%q):\n%s", form, data)
		}
	}
	if got, want := string(data), "x = 1\ny = 2\n"; got != want {
		t.Errorf("history file %q, want %q", got, want)
	}
	if fi, err := os.Stat(hist); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("history file mode: %v %v, want 0600", fi.Mode(), err)
	}
}
