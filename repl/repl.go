// Package repl is omapish's interactive Lua loop: line editing on
// chzyer/readline, multi-line chunks, completion, history, autoprint of
// the values an expression returns, help() and Ctrl-C that stops a running
// chunk. When the input is not a terminal it runs the input as a script.
//
// The loop is built like usql's handler and yaegi's REPL: the line editor
// hides behind a small interface (input.go), the chunk buffer decides when
// the input is complete (chunk.go), and each chunk runs with its own
// context, cancelled by Ctrl-C, set on the LState with SetContext so that
// both Lua loops and OMAPI I/O stop.
package repl

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"
)

// Prompts.
const (
	primaryPrompt      = "omapi> "
	continuationPrompt = ">> "
)

// Options configure Run.
type Options struct {
	// L is the Lua state, with the omapi module loaded. Run sets the
	// globals print (writing to Out) and help. Only the goroutine that
	// calls Run touches L while Run runs (the completer reads it while the
	// loop waits for a line).
	L *lua.LState
	// In, Out and Err default to os.Stdin, os.Stdout and os.Stderr. Data
	// (printed values, print) go to Out, messages and errors to Err.
	In  io.ReadCloser
	Out io.Writer
	Err io.Writer
	// Interactive selects the shell: prompts, line editing, completion,
	// history, autoprint, and errors that do not stop the loop. When false
	// the whole input is one chunk named "stdin" (as `lua -` reads it):
	// no prompt, no colour; values it returns are printed; a syntax or
	// runtime error is written to Err as "stdin:LINE: message" and Run
	// returns an error that matches ErrReported.
	Interactive bool
	// HistoryFile is where the shell keeps past chunks, one entry per
	// chunk however many lines it has; "" keeps none. A leading "~/" is
	// the home directory. The file is created with mode 0600 and its
	// directory with mode 0700. Chunks that may hold a secret (that say
	// "secret", or hold something that looks like a base64 key) are not
	// written to it.
	HistoryFile string
	// Color turns on ANSI colour in printed values, prompts and errors;
	// the caller decides (a terminal, and no NO_COLOR).
	Color bool
	// Module is the Lua module's documentation for help() and its words
	// for completion (luaapi.Shell{}); nil: none.
	Module Module
	// Banner is written to Err when the shell starts.
	Banner string
	// Traceback adds Lua's stack traceback to runtime error messages.
	Traceback bool
}

// ErrReported is matched (errors.Is) by the errors Run returns after it
// has written the message to Options.Err itself; the caller should exit
// with status 1 without printing it again.
var ErrReported = errors.New("repl: error reported")

// reportedError is an error already written to Err.
type reportedError struct{ msg string }

func (e *reportedError) Error() string        { return e.msg }
func (e *reportedError) Is(target error) bool { return target == ErrReported }

// Run runs the shell (o.Interactive) or the script on o.In. It returns nil
// at the end of the input (Ctrl-D, or exit or quit typed alone),
// *ExitError when a chunk called exit(n) or os.exit(n), ctx.Err() when ctx
// is cancelled, an error matching ErrReported when a script failed (also
// by returning nil and a message), and other errors when the terminal or
// the input fail.
func Run(ctx context.Context, o Options) error {
	if err := o.defaults(); err != nil {
		return err
	}
	s := newSession(&o)
	if !o.Interactive {
		return s.script(ctx)
	}
	comp := &autoCompleter{c: newCompleter(o.L, o.Module), mu: &s.mu, pending: s.pendingText}
	in, err := newReadline(&o, comp)
	if err != nil {
		return err
	}
	defer in.Close()
	stop := context.AfterFunc(ctx, in.stop)
	defer stop()
	return s.loop(ctx, in)
}

func (o *Options) defaults() error {
	if o.L == nil {
		return errors.New("repl: Options.L is nil")
	}
	if o.In == nil {
		o.In = os.Stdin
	}
	if o.Out == nil {
		o.Out = os.Stdout
	}
	if o.Err == nil {
		o.Err = os.Stderr
	}
	if !o.Interactive {
		o.Color = false
	}
	return nil
}

// session is one run of the loop.
type session struct {
	o   *Options
	L   *lua.LState
	out io.Writer // data
	err io.Writer // messages

	// mu is held while the loop uses L, so that the completer, which
	// runs on readline's goroutine, never reads it at the same time.
	mu      sync.Mutex
	pending string // lines of the unfinished chunk, guarded by mu

	cancelMu sync.Mutex
	cancel   context.CancelFunc // of the running chunk, or nil
}

func newSession(o *Options) *session {
	return &session{o: o, L: o.L, out: o.Out, err: o.Err}
}

// pendingText returns the lines typed so far of an unfinished chunk; the
// caller holds mu.
func (s *session) pendingText() string { return s.pending }

// install sets the globals print, help, exit and quit, and os.exit.
func (s *session) install() {
	s.L.SetGlobal("print", s.L.NewFunction(s.print))
	install(s.L, newHelper(s.o.Module, s.out, s.err, s.o.Interactive))
}

// print is Lua's print writing to the session's output.
func (s *session) print(L *lua.LState) int {
	var b strings.Builder
	for i := 1; i <= L.GetTop(); i++ {
		if i > 1 {
			b.WriteByte('\t')
		}
		b.WriteString(L.ToStringMeta(L.Get(i)).String())
	}
	b.WriteByte('\n')
	io.WriteString(s.out, b.String())
	return 0
}

// message writes a message line to Err, in red with colour.
func (s *session) message(msg string) {
	if s.o.Color {
		msg = ansiRed + msg + ansiReset
	}
	fmt.Fprintln(s.err, msg)
}

// interruptOnSignal makes SIGINT interrupt the running chunk, until the
// function it returns is called. Ctrl-C while a chunk runs arrives so:
// the terminal is out of raw mode then; at the prompt readline gets it
// as a key.
func (s *session) interruptOnSignal() (stop func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-sig:
				s.interrupt()
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(sig)
		close(done)
	}
}

// prompt returns the prompt for the next line of buf's chunk, and notes
// the chunk so far for completion.
func (s *session) prompt(buf *buffer) string {
	prompt := primaryPrompt
	if !buf.Empty() {
		prompt = continuationPrompt
	}
	if s.o.Color {
		prompt = ansiCyan + prompt + ansiReset
	}
	s.mu.Lock()
	s.pending = buf.String()
	s.mu.Unlock()
	return prompt
}

// endUnfinished is Ctrl-D in an unfinished chunk: as in lua.c, it says
// what is missing and goes back to the first prompt.
func (s *session) endUnfinished(buf *buffer) {
	src := buf.String()
	_, _, cerr := compile(src, chunkName)
	buf.Reset()
	if cerr != nil {
		s.message(errorMessage(cerr, chunkName, src))
	}
}

// loop is the interactive read-eval-print loop.
func (s *session) loop(ctx context.Context, in lineReader) error {
	s.out, s.err = in.Stdout(), in.Stderr()
	s.mu.Lock()
	s.install()
	s.mu.Unlock()
	if s.o.Banner != "" {
		fmt.Fprintln(s.err, s.o.Banner)
	}

	defer s.interruptOnSignal()()

	var buf buffer
	for {
		line, err := in.ReadLine(s.prompt(&buf))
		if ctx.Err() != nil {
			return ctx.Err()
		}
		switch {
		case errors.Is(err, errInterrupt):
			buf.Reset()
			continue
		case errors.Is(err, io.EOF):
			if buf.Empty() {
				return nil
			}
			s.endUnfinished(&buf)
			continue
		case err != nil:
			return err
		}
		if buf.Empty() && strings.TrimSpace(line) == "" {
			continue
		}
		if buf.Empty() && isExitWord(line) {
			return nil
		}
		buf.Append(line)
		src := buf.String()
		c, st, cerr := compile(src, chunkName)
		if st == incomplete {
			continue
		}
		buf.Reset()
		in.AddHistory(src)
		if st == invalid {
			s.message(errorMessage(cerr, chunkName, src))
			continue
		}
		if err := s.exec(ctx, c); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// interrupt cancels the running chunk, if any.
func (s *session) interrupt() {
	s.cancelMu.Lock()
	if s.cancel != nil {
		s.cancel()
	}
	s.cancelMu.Unlock()
}

// isExitWord reports whether a line is the word exit or quit alone, which
// leaves the shell as Ctrl-D does (as in python and sqlite3's shells).
func isExitWord(line string) bool {
	w := strings.TrimSpace(line)
	return w == "exit" || w == "quit"
}

// exec runs a chunk under a context that Ctrl-C cancels and prints what
// it returns; errors are reported and the loop goes on. It returns
// *ExitError when the chunk called exit.
func (s *session) exec(ctx context.Context, c compiled) error {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.cancelMu.Lock()
	s.cancel = cancel
	s.cancelMu.Unlock()
	defer func() {
		s.cancelMu.Lock()
		s.cancel = nil
		s.cancelMu.Unlock()
	}()

	s.mu.Lock()
	defer s.mu.Unlock()
	vals, err := Call(cctx, s.L, s.L.NewFunctionFromProto(c.proto))
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee
	}
	if err != nil {
		msg := s.errorText(err)
		if cctx.Err() != nil && ctx.Err() == nil {
			msg = "interrupted"
		}
		s.message(msg)
		return nil
	}
	if c.assigned != "" {
		s.assignedFailure(c.assigned, vals)
		return nil
	}
	// A chunk that returns after Ctrl-C (a pcall caught the interruption,
	// a request returned nil, "canceled") shows what it returned.
	Print(s.out, s.L, vals, s.o.Color)
	return nil
}

// assignedFailure shows the failure a chunk `x = f(...)` would swallow:
// when f returned nil, message[, code], x is nil and the message said
// nowhere. vals is what the chunk returned: a table of f's results.
func (s *session) assignedFailure(name string, vals []lua.LValue) {
	if len(vals) != 1 {
		return
	}
	t, ok := vals[0].(*lua.LTable)
	if !ok {
		return
	}
	msg, failed := Failure([]lua.LValue{t.RawGetInt(1), t.RawGetInt(2)})
	if !failed {
		return
	}
	if code, ok := t.RawGetInt(3).(lua.LString); ok {
		msg += " (" + string(code) + ")"
	}
	s.message(name + " is nil: " + msg)
}

// errorText returns a runtime error as "stdin:LINE: message", using the
// error value's __tostring when it has one, and the traceback when asked.
func (s *session) errorText(err error) string {
	msg := ErrorText(s.L, err)
	var ae *lua.ApiError
	if errors.As(err, &ae) && s.o.Traceback && ae.StackTrace != "" {
		msg += "\n" + ae.StackTrace
	}
	return msg
}

// ErrorText is a Lua error as the shell shows it: "chunk:LINE: message",
// the error value's __tostring when it has one, or "(error object is a
// table value)"; without gopher-lua's stack traceback.
func ErrorText(L *lua.LState, err error) string {
	msg := luaErrorText(err)
	var ae *lua.ApiError
	if errors.As(err, &ae) {
		switch ae.Object.(type) {
		case *lua.LTable, *lua.LUserData:
			if t, ok := (&printer{L: L}).tostring(ae.Object); ok {
				msg = t
			}
		}
	}
	return strings.TrimSpace(msg)
}

// script runs the whole input as one chunk.
func (s *session) script(ctx context.Context) error {
	s.install()
	data, err := io.ReadAll(s.o.In)
	if err != nil {
		return fmt.Errorf("repl: reading the script: %w", err)
	}
	src := StripShebang(string(data))
	c, st, cerr := compile(src, chunkName)
	if st == complete && c.assigned != "" {
		// As written: the shell's watch of x = f() is not for scripts.
		c.assigned = ""
		c.proto, cerr = compileString(src, chunkName)
	}
	if st != complete || cerr != nil {
		msg := errorMessage(cerr, chunkName, src)
		s.message(msg)
		return &reportedError{msg}
	}
	cctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	err = RunChunk(cctx, s.L, s.L.NewFunctionFromProto(c.proto), ChunkRun{
		Name: chunkName, Out: s.out, Message: s.message, Traceback: s.o.Traceback, Print: true,
	})
	var ee *ExitError
	if !errors.As(err, &ee) && ctx.Err() != nil {
		return ctx.Err() // the caller stopped the run: not the script's failure
	}
	return err
}
