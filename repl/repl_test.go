package repl

import (
	"context"
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// runFake runs the loop on a scripted input.
func runFake(tb testing.TB, ctx context.Context, L *lua.LState, f *fakeInput) (*session, error) {
	tb.Helper()
	o := Options{L: L, Interactive: true, Module: testModule{docs: testDocs}, Out: io.Discard, Err: io.Discard}
	if err := o.defaults(); err != nil {
		tb.Fatal(err)
	}
	s := newSession(&o)
	return s, s.loop(ctx, f)
}

func TestLoop(t *testing.T) {
	L := newTestState(t)
	f := &fakeInput{lines: []string{
		"1+1",
		"",
		"function f()",
		"  return 3",
		"end",
		"f()",
		"error('boom')",
		"nosuch.field = 1",
		"foo bar",
		"print('a', 1, nil)",
		`omapi.lookup_ip("00:11:22:33:44:55")`,
		"x = 5",
		"x",
		"function g()",
		"^C", // drops the unfinished chunk
		"g",
		"{state = 2, ends = 1764201600, ['ip-address'] = '10.0.0.5'}",
		"=x * 2",
		"local y = 1",
		"y", // a local dies with its chunk, as in lua.c
		"if x then",
	}} // then EOF: Ctrl-D in an unfinished chunk reports it; EOF again exits
	_, err := runFake(t, t.Context(), L, f)
	if err != nil {
		t.Fatalf("loop: %v", err)
	}
	wantOut := "2\n3\na\t1\tnil\n\"10.0.0.1\"\n5\nnil\n" +
		"{\n  ends = 1764201600 (2025-11-27T00:00:00Z),\n  [\"ip-address\"] = \"10.0.0.5\",\n  state = 2 (active),\n}\n" +
		"10\nnil\n"
	if got := f.out.String(); got != wantOut {
		t.Errorf("stdout:\n%s\nwant:\n%s", got, wantOut)
	}
	wantErr := "stdin:1: boom\n" +
		"stdin:1: attempt to index a non-table object(nil) with key 'field'\n" +
		"stdin:1: parse error near 'bar'\n" +
		"stdin:1: syntax error near <eof>\n"
	if got := f.err.String(); got != wantErr {
		t.Errorf("stderr:\n%s\nwant:\n%s", got, wantErr)
	}
	wantPrompts := []string{"omapi> ", "omapi> ", "omapi> ", ">> ", ">> ", "omapi> "}
	if !reflect.DeepEqual(f.prompts[:6], wantPrompts) {
		t.Errorf("prompts %q, want %q", f.prompts[:6], wantPrompts)
	}
	if p := f.prompts[14]; p != ">> " { // the ^C
		t.Errorf("prompt before ^C %q", p)
	}
	if p := f.prompts[15]; p != "omapi> " {
		t.Errorf("prompt after ^C %q", p)
	}
	wantHist := []string{"1+1", "function f()\n  return 3\nend", "f()", "error('boom')"}
	if !reflect.DeepEqual(f.history[:4], wantHist) {
		t.Errorf("history %q, want %q", f.history[:4], wantHist)
	}
	for _, h := range f.history {
		if strings.HasPrefix(h, "function g()") || strings.HasPrefix(h, "if x") || h == "" {
			t.Errorf("history holds %q", h)
		}
	}
}

func TestLoopHelp(t *testing.T) {
	L := newTestState(t)
	f := &fakeInput{lines: []string{
		"help()",
		"help(omapi.connect)",
		`help("conn:lookup_ip")`,
		"help(conn.lookup_mac)",
		`help("lookup_ip")`,
		"help(omapi.nosuch)",
		`help("nosuch")`,
		"help(print)",
		"help(conn)",
		"help(omapi.message)",
	}}
	if _, err := runFake(t, t.Context(), L, f); err != nil {
		t.Fatal(err)
	}
	out := f.out.String()
	for _, want := range []string{
		// the index
		"omapi.connect([profile | \"host:port\" | {...}]) -> conn  Open an authenticated connection.\n",
		"  conn:lookup_ip(mac) -> ip",
		"Keys: Tab completes",
		// help(omapi.connect)
		"omapi.connect([profile | \"host:port\" | {...}]) -> conn\n  Open an authenticated connection.\n\n  With no argument, the default profile.\n\n  Returns nil, message, code on failure.\n",
		// help("conn:lookup_ip")
		"conn:lookup_ip(mac) -> ip\n  The IP of a lease by MAC.\n",
		// help(conn.lookup_mac): a method found through its metatable
		"conn:lookup_mac(ip) -> mac\n  The MAC of a lease by IP.\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("help output lacks %q:\n%s", want, out)
		}
	}
	// help(conn) lists the conn methods, help(omapi.message) its functions.
	if !strings.HasSuffix(out, "\n  omapi.message.open(type) -> m  A new OPEN message.\n") {
		t.Errorf("help(omapi.message):\n%s", out)
	}
	if n := strings.Count(out, "conn:lookup_mac(ip) -> mac  "); n != 2 { // help() and help(conn)
		t.Errorf("help(conn): %d listings of conn:lookup_mac\n%s", n, out)
	}
	// help("lookup_ip") matches omapi.lookup_ip and conn:lookup_ip: both listed.
	if strings.Count(out, "Fake lookup for tests.") != 2 {
		t.Errorf("ambiguous name not listed:\n%s", out)
	}
	errs := f.err.String()
	for _, want := range []string{"help: the argument is nil", `help: nothing about "nosuch"`, "is not a function of the omapi module"} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
}

func TestLoopHelpWithoutDocs(t *testing.T) {
	L := newTestState(t)
	f := &fakeInput{lines: []string{"help()"}}
	o := Options{L: L, Interactive: true, Module: testModule{}} // classes, no docs
	o.defaults()
	if err := newSession(&o).loop(t.Context(), f); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"omapi.connect\n", "omapi.message.open\n", "conn:lookup_ip\n", "obj:attrs\n"} {
		if !strings.Contains(f.out.String(), want) {
			t.Errorf("help() without docs lacks %q:\n%s", want, f.out.String())
		}
	}
}

// TestLoopInterrupt sends the process a real SIGINT while a chunk loops
// for ever — also inside a pcall, which catches the interruption but not
// the next instruction: the chunk stops, "interrupted" is reported, the
// loop goes on.
func TestLoopInterrupt(t *testing.T) {
	for _, chunk := range []string{"while true do end", "pcall(function() while true do end end) x = 1"} {
		t.Run(chunk, func(t *testing.T) {
			L := newTestState(t)
			var s *session
			f := &fakeInput{lines: []string{chunk, "1+1"}}
			f.onRead = func(i int) {
				if i != 0 {
					return
				}
				go func() {
					for {
						s.cancelMu.Lock()
						running := s.cancel != nil
						s.cancelMu.Unlock()
						if running {
							break
						}
						time.Sleep(time.Millisecond)
					}
					p, _ := os.FindProcess(os.Getpid())
					p.Signal(os.Interrupt)
				}()
			}
			o := Options{L: L, Interactive: true}
			o.defaults()
			s = newSession(&o)
			if err := s.loop(t.Context(), f); err != nil {
				t.Fatal(err)
			}
			if got := f.err.String(); got != "interrupted\n" {
				t.Errorf("stderr %q", got)
			}
			if got := f.out.String(); got != "2\n" {
				t.Errorf("stdout %q", got)
			}
			if L.Context() != nil {
				t.Error("context left on the LState")
			}
		})
	}
}

// TestLoopCancel: cancelling Run's context stops a running chunk and the loop.
func TestLoopCancel(t *testing.T) {
	L := newTestState(t)
	ctx, cancel := context.WithCancel(t.Context())
	f := &fakeInput{lines: []string{"while true do end", "1+1"}}
	f.onRead = func(int) { time.AfterFunc(20*time.Millisecond, cancel) }
	_, err := runFake(t, ctx, L, f)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("loop returned %v", err)
	}
	if got := f.out.String(); got != "" {
		t.Errorf("stdout %q", got)
	}
}

func TestLoopColorAndTraceback(t *testing.T) {
	L := newTestState(t)
	f := &fakeInput{lines: []string{"error('x')", "'s'"}}
	o := Options{L: L, Interactive: true, Color: true, Traceback: true}
	o.defaults()
	if err := newSession(&o).loop(t.Context(), f); err != nil {
		t.Fatal(err)
	}
	if got := f.err.String(); !strings.HasPrefix(got, ansiRed+"stdin:1: x\nstack traceback:") {
		t.Errorf("stderr %q", got)
	}
	if got := f.out.String(); got != ansiGreen+`"s"`+ansiReset+"\n" {
		t.Errorf("stdout %q", got)
	}
	if f.prompts[0] != ansiCyan+primaryPrompt+ansiReset {
		t.Errorf("prompt %q", f.prompts[0])
	}
}

func TestErrorObjects(t *testing.T) {
	L := newTestState(t)
	f := &fakeInput{lines: []string{
		"error({})",
		"error(setmetatable({}, {__tostring = function() return 'custom' end}))",
		"error(42)",
		"error('plain', 0)",
	}}
	if _, err := runFake(t, t.Context(), L, f); err != nil {
		t.Fatal(err)
	}
	want := "(error object is a table value)\ncustom\n42\nplain\n"
	if got := f.err.String(); got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}

func TestScript(t *testing.T) {
	tests := []struct {
		name, in, out, err string
		fail               bool
	}{
		{"statements", "local x = 1\nprint(x + 1)\n", "2\n", "", false},
		{"an expression", "1+1\n", "2\n", "", false},
		{"returned values", "local t = {1}\nreturn #t, 'a'\n", "1\t\"a\"\n", "", false},
		{"runtime error", "x = 1\nprint(x)\nerror('bad')\nprint('not reached')\n", "1\n", "stdin:3: bad\n", true},
		{"syntax error", "x = 1\nx = = 2\n", "", "stdin:2: syntax error near '='\n", true},
		{"unfinished", "function f()\n", "", "stdin:2: syntax error near <eof>\n", true},
		{"shebang", "#!/usr/bin/env omapish\nprint('hi')\nerror('line 3')\n", "hi\n", "stdin:3: line 3\n", true},
		{"empty", "", "", "", false},
		{"no colour", "error('x')", "", "stdin:1: x\n", true},
		// A chunk that fails the module's way fails as assert would.
		{"returned failure", "print(1)\nreturn nil, 'boom', 'io'\n", "1\n", "stdin: boom\n", true},
		{"returned nil", "return nil\n", "nil\n", "", false},
		{"returned nil, nil", "return nil, nil\n", "nil\tnil\n", "", false},
		{"help", "help('omapi.connect')", "omapi.connect([profile | \"host:port\" | {...}]) -> conn\n  Open an authenticated connection.\n\n  With no argument, the default profile.\n\n  Returns nil, message, code on failure.\n", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			L := newTestState(t)
			var out, errb strings.Builder
			err := Run(t.Context(), Options{L: L, In: io.NopCloser(strings.NewReader(tt.in)), Out: &out, Err: &errb, Color: true, Module: testModule{docs: testDocs}})
			if (err != nil) != tt.fail {
				t.Fatalf("Run: %v", err)
			}
			if err != nil && !errors.Is(err, ErrReported) {
				t.Errorf("error %v does not match ErrReported", err)
			}
			if out.String() != tt.out {
				t.Errorf("stdout %q, want %q", out.String(), tt.out)
			}
			if errb.String() != tt.err {
				t.Errorf("stderr %q, want %q", errb.String(), tt.err)
			}
		})
	}
}

func TestRunNeedsState(t *testing.T) {
	if err := Run(t.Context(), Options{}); err == nil {
		t.Error("Run without L succeeded")
	}
}

// TestReadlinePipe runs the shell's line editor on input that is not a
// terminal and ends, in the middle of a chunk: Run must not wait for ever.
func TestReadlinePipe(t *testing.T) {
	L := newTestState(t)
	var out, errb strings.Builder
	in := io.NopCloser(strings.NewReader("1+1\nfunction f()\n  return 1\nend\nf()\nif x then\n"))
	done := make(chan error, 1)
	go func() {
		done <- Run(t.Context(), Options{L: L, In: in, Out: &out, Err: &errb, Interactive: true, Banner: "hello"})
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return at the end of the input")
	}
	if got, want := out.String(), "2\n1\n"; got != want {
		t.Errorf("stdout %q, want %q", got, want)
	}
	if got, want := errb.String(), "hello\nstdin:1: syntax error near <eof>\n"; got != want {
		t.Errorf("stderr %q, want %q", got, want)
	}
}

// TestRunCancelAtPrompt: cancelling the context while the shell waits for
// a line ends Run.
func TestRunCancelAtPrompt(t *testing.T) {
	L := newTestState(t)
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, Options{L: L, In: pr, Out: io.Discard, Err: io.Discard, Interactive: true})
	}()
	pw.Write([]byte("x = 1\n")) // returns once the line editor has read it
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

// TestExit: exit and quit typed alone leave the shell as Ctrl-D does;
// exit(n), quit() and os.exit(n) end the shell or the script with status
// n (Run returns *ExitError), also from inside a pcall, and nothing after
// them runs.
func TestExit(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		code  int // -1: Run returns nil
	}{
		{"exit typed", []string{"exit"}, -1},
		{"quit typed", []string{"  quit "}, -1},
		{"exit()", []string{"exit()"}, 0},
		{"quit()", []string{"quit()"}, 0},
		{"exit(3)", []string{"x = 1", "exit(3)"}, 3},
		{"exit(false)", []string{"exit(false)"}, 1},
		{"os.exit(4)", []string{"os.exit(4)"}, 4},
		{"pcall(os.exit, 5)", []string{"pcall(os.exit, 5); print('not reached')"}, 5},
		{"exit in a loop", []string{"for i = 1, 10 do if i == 2 then pcall(exit, 6) end print(i) end"}, 6},
		{"exit in a coroutine", []string{"coroutine.wrap(function() exit(8) end)()"}, 8},
	}
	for _, tt := range tests {
		for _, interactive := range []bool{true, false} {
			if interactive != (tt.code == -1) && tt.code == -1 {
				continue // the words are the shell's, not Lua
			}
			name := tt.name + map[bool]string{true: " in the shell", false: " in a script"}[interactive]
			t.Run(name, func(t *testing.T) {
				L := newTestState(t)
				lines := append(tt.lines, "print('after')")
				var err error
				var out, errb string
				if interactive {
					f := &fakeInput{lines: lines}
					_, err = runFake(t, t.Context(), L, f)
					out, errb = f.out.String(), f.err.String()
				} else {
					var o, e strings.Builder
					in := io.NopCloser(strings.NewReader(strings.Join(lines, "\n")))
					err = Run(t.Context(), Options{L: L, In: in, Out: &o, Err: &e})
					out, errb = o.String(), e.String()
				}
				var ee *ExitError
				switch {
				case tt.code == -1 && err != nil:
					t.Fatalf("Run: %v, want nil", err)
				case tt.code >= 0 && (!errors.As(err, &ee) || ee.Code != tt.code):
					t.Fatalf("Run: %v, want exit %d", err, tt.code)
				}
				if strings.Contains(out, "after") || strings.Contains(out, "not reached") || strings.Contains(out, "2") {
					t.Errorf("ran on after exit: %q", out)
				}
				if errb != "" {
					t.Errorf("stderr %q", errb)
				}
			})
		}
	}
}

func TestExitBadArgument(t *testing.T) {
	L := newTestState(t)
	f := &fakeInput{lines: []string{"exit('x')", "print('still here')"}}
	if _, err := runFake(t, t.Context(), L, f); err != nil {
		t.Fatalf("loop: %v", err)
	}
	if want := "stdin:1: bad argument #1 to 'exit' (number or boolean expected, got string)\n"; f.err.String() != want {
		t.Errorf("stderr %q, want %q", f.err.String(), want)
	}
	if f.out.String() != "still here\n" {
		t.Errorf("stdout %q", f.out.String())
	}
}

// TestAssignedFailure: the shell shows the failure that `x = f()` would
// swallow when f returns nil, message[, code]; the assignment is made as
// written.
func TestAssignedFailure(t *testing.T) {
	tests := []struct {
		line, err string
	}{
		{"x = fails()", "x is nil: boom (io)\n"},
		{"x = fails_nocode()", "x is nil: boom\n"},
		{"local y = fails()", "y is nil: boom (io)\n"},
		{"t.conn = fails()", "t.conn is nil: boom (io)\n"},
		{"t[1] = fails()", "the variable is nil: boom (io)\n"},
		{"x = conn:lookup_ip('00:11:22:33:44:55')", ""},
		{"x = two()", ""},
		{"ok, err = fails()", ""}, // the message is kept
		{"x = (fails())", ""},     // one value asked for
		{"x = fails() y = 1", ""}, // not a lone assignment
		{"x = error('e')", "stdin:1: e\n"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			L := newTestState(t)
			if err := L.DoString(`
				function fails() return nil, "boom", "io" end
				function fails_nocode() return nil, "boom" end
				function two() return 1, 2 end
				t = {}`); err != nil {
				t.Fatal(err)
			}
			f := &fakeInput{lines: []string{tt.line, "return x, t.conn"}}
			if _, err := runFake(t, t.Context(), L, f); err != nil {
				t.Fatalf("loop: %v", err)
			}
			if f.err.String() != tt.err {
				t.Errorf("stderr %q, want %q", f.err.String(), tt.err)
			}
			want := "nil\tnil\n"
			switch tt.line {
			case "x = conn:lookup_ip('00:11:22:33:44:55')":
				want = "\"10.0.0.1\"\tnil\n"
			case "x = two()":
				want = "1\tnil\n"
			}
			if f.out.String() != want {
				t.Errorf("stdout %q, want %q", f.out.String(), want)
			}
		})
	}
}
