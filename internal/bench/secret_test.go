package bench

import (
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/omapish/omapish/internal/lab/labtest"
)

// TestOmshellArgsHoldNoSecret runs the omshell baseline while watching
// every process's arguments: omshell (which gets its key on stdin, from a
// 0600 file) and dhcpd (which reads it from its config file) never have
// the secret on their command line, in base64, hex or raw form.
func TestOmshellArgsHoldNoSecret(t *testing.T) {
	l := labtest.Start(t)
	secret := l.Secret()
	forms := []string{base64.StdEncoding.EncodeToString(secret), base64.RawStdEncoding.EncodeToString(secret),
		hex.EncodeToString(secret), strings.ToUpper(hex.EncodeToString(secret)), string(secret)}
	b := &bencher{l: l, n: 1500}
	done := make(chan error, 1)
	go func() {
		_, err := b.omshell(t.Context())
		done <- err
	}()
	var sawOmshell, sawDHCPD atomic.Bool
	scan := func() {
		entries, _ := os.ReadDir("/proc")
		for _, e := range entries {
			raw, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
			if err != nil || len(raw) == 0 {
				continue
			}
			args := strings.Split(strings.TrimRight(string(raw), "\x00"), "\x00")
			switch filepath.Base(args[0]) {
			case "omshell":
				sawOmshell.Store(true)
			case "dhcpd":
				sawDHCPD.Store(true)
			}
			line := strings.Join(args, " ")
			for _, f := range forms {
				if strings.Contains(line, f) {
					t.Errorf("process %s has the secret in its arguments: %q", e.Name(), line)
				}
			}
		}
	}
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			if !sawOmshell.Load() || !sawDHCPD.Load() {
				t.Fatalf("never saw the processes to check (omshell %v, dhcpd %v)", sawOmshell.Load(), sawDHCPD.Load())
			}
			return
		default:
			scan()
			time.Sleep(2 * time.Millisecond)
		}
	}
}
