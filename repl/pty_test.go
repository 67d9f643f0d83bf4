//go:build !windows

package repl

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	lua "github.com/yuin/gopher-lua"
)

// The pseudo-terminal tests run the shell in a child process, this test
// binary started again with helperEnv set, on a pty that is its
// controlling terminal: Ctrl-C then reaches it as SIGINT from the
// terminal's line discipline, as it does for a user.
const (
	helperEnv        = "OMAPISH_REPL_HELPER"
	helperHistoryEnv = "OMAPISH_REPL_HISTORY"
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		os.Exit(helperMain())
	}
	os.Exit(m.Run())
}

// helperMain runs the shell on the process's terminal with the fake module.
func helperMain() int {
	L := lua.NewState()
	defer L.Close()
	if err := installFakeModule(L); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	err := Run(context.Background(), Options{
		L:           L,
		Interactive: true,
		HistoryFile: os.Getenv(helperHistoryEnv),
		Module:      testModule{docs: testDocs},
		Banner:      "omapish test shell",
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "Run:", err)
		return 1
	}
	return 0
}

// ptyShell is the shell in a child process on a pseudo-terminal.
type ptyShell struct {
	tb   testing.TB
	cmd  *exec.Cmd
	pty  *os.File
	mu   sync.Mutex
	out  []byte // everything the terminal showed
	mark int    // out[:mark] has been matched
	more chan struct{}
	exit chan error
}

const ptyTimeout = 10 * time.Second

func startShell(tb testing.TB, historyFile string) *ptyShell {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=1", helperHistoryEnv+"="+historyFile, "TERM=xterm")
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 200})
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("no pseudo-terminal: %v", err) // CI must run these
		}
		tb.Skipf("no pseudo-terminal: %v", err)
	}
	s := &ptyShell{tb: tb, cmd: cmd, pty: f, more: make(chan struct{}, 1), exit: make(chan error, 1)}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := f.Read(buf)
			s.mu.Lock()
			s.out = append(s.out, buf[:n]...)
			s.mu.Unlock()
			select {
			case s.more <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	go func() { s.exit <- cmd.Wait() }()
	tb.Cleanup(func() {
		cmd.Process.Kill()
		f.Close()
	})
	return s
}

// send types keys.
func (s *ptyShell) send(keys string) {
	s.tb.Helper()
	if _, err := s.pty.WriteString(keys); err != nil {
		s.tb.Fatalf("typing %q: %v", keys, err)
	}
}

// expect waits until the output after the last match matches re, and
// moves past the match.
func (s *ptyShell) expect(re string) {
	s.tb.Helper()
	rx := regexp.MustCompile(re)
	deadline := time.After(ptyTimeout)
	for {
		s.mu.Lock()
		rest := s.out[s.mark:]
		if loc := rx.FindIndex(rest); loc != nil {
			s.mark += loc[1]
			s.mu.Unlock()
			return
		}
		s.mu.Unlock()
		select {
		case <-s.more:
		case <-deadline:
			s.mu.Lock()
			defer s.mu.Unlock()
			s.tb.Fatalf("no %q in the output after %v:\n%q\n(all output: %q)", re, ptyTimeout, s.out[s.mark:], s.out)
		}
	}
}

// prompt waits for the primary prompt.
func (s *ptyShell) prompt() {
	s.tb.Helper()
	s.expect(regexp.QuoteMeta(primaryPrompt))
}

// wait waits for the shell to exit.
func (s *ptyShell) wait() error {
	s.tb.Helper()
	select {
	case err := <-s.exit:
		return err
	case <-time.After(ptyTimeout):
		s.tb.Fatalf("the shell did not exit; output %q", s.out)
		return nil
	}
}

func TestPTY(t *testing.T) {
	dir := t.TempDir()
	histFile := filepath.Join(dir, "state", "omapish", "history")
	sh := startShell(t, histFile)
	sh.expect("omapish test shell")
	sh.prompt()

	// Autoprint.
	sh.send("1+1\r")
	sh.expect(`\n2\r\n`)
	sh.prompt()

	// A multi-line chunk.
	sh.send("function f()\r")
	sh.expect(regexp.QuoteMeta(continuationPrompt))
	sh.send(" return 3\r")
	sh.expect(regexp.QuoteMeta(continuationPrompt))
	sh.send("end\r")
	sh.prompt()
	sh.send("f()\r")
	sh.expect(`\n3\r\n`)
	sh.prompt()

	// Tab: the common prefix, then the only candidate, then run it.
	sh.send("omapi.lo\t")
	sh.expect("okup_")
	sh.send("i\t")
	sh.expect(`p\(`)
	sh.send(`"aa")` + "\r")
	sh.expect(`\n"10\.0\.0\.1"\r\n`)
	sh.prompt()

	// Tab twice lists the candidates; Ctrl-C leaves the list, then the line.
	sh.send("conn:lookup_\t\t")
	sh.expect(`(?s)lookup_host\(.*lookup_ip\(.*lookup_mac\(`)
	sh.send("\x03\x03")
	sh.expect(`\^C`)
	sh.prompt()

	// A table key that is not a Lua name becomes ["name"]=.
	sh.send("t = {hardware-a\t")
	sh.expect(regexp.QuoteMeta(`t = {["hardware-address"]=`))
	sh.send(`"x"}` + "\r")
	sh.prompt()
	sh.send("t\r")
	sh.expect(regexp.QuoteMeta(`["hardware-address"] = "x",`))
	sh.prompt()

	// Ctrl-C stops a running chunk; the shell goes on.
	sh.send("print('looping') while true do end\r")
	sh.expect(`\nlooping`)
	sh.send("\x03")
	sh.expect("interrupted")
	sh.prompt()
	sh.send("1+1\r")
	sh.expect(`\n2\r\n`)
	sh.prompt()

	// Ctrl-C in an unfinished chunk drops it.
	sh.send("function g()\r")
	sh.expect(regexp.QuoteMeta(continuationPrompt))
	sh.send("\x03")
	sh.prompt()
	sh.send("g\r")
	sh.expect(`\nnil\r\n`)
	sh.prompt()

	// Ctrl-D on an empty line exits with status 0.
	sh.send("\x04")
	if err := sh.wait(); err != nil {
		t.Fatalf("exit: %v; output %q", err, sh.out)
	}

	fi, err := os.Stat(histFile)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		t.Errorf("history file mode %o, want 600", m)
	}
	if di, err := os.Stat(filepath.Dir(histFile)); err != nil || di.Mode().Perm() != 0o700 {
		t.Errorf("history directory: %v %v", di.Mode(), err)
	}
	data, err := os.ReadFile(histFile)
	if err != nil {
		t.Fatal(err)
	}
	hist := string(data)
	if !strings.Contains(hist, "1+1\nfunction f()\\\n return 3\\\nend\nf()\n") {
		t.Errorf("history file:\n%s", hist)
	}
	if strings.Contains(hist, "function g()") {
		t.Errorf("the dropped chunk is in the history:\n%s", hist)
	}
	if got := decodeHistory(data); len(got) < 2 || got[1] != "function f()\n return 3\nend" {
		t.Errorf("history entries %q", got)
	}
}

// TestPTYHistoryRecall: Up recalls a multi-line chunk from the file as
// one line, and it runs.
func TestPTYHistoryRecall(t *testing.T) {
	histFile := filepath.Join(t.TempDir(), "history")
	if err := os.WriteFile(histFile, []byte("function h()\\\n  return 7\\\nend\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sh := startShell(t, histFile)
	sh.prompt()
	sh.send("\x1b[A")
	sh.expect(regexp.QuoteMeta("function h() return 7 end"))
	sh.send("\r")
	sh.prompt()
	sh.send("h()\r")
	sh.expect(`\n7\r\n`)
	sh.prompt()
	sh.send("\x04")
	if err := sh.wait(); err != nil {
		t.Fatalf("exit: %v", err)
	}
	fi, err := os.Stat(histFile)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("history file mode not tightened to 600: %v %v", fi.Mode(), err)
	}
}
