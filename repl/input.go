package repl

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/chzyer/readline"
)

// errInterrupt is what lineReader.ReadLine returns for Ctrl-C at the prompt.
var errInterrupt = errors.New("interrupt")

// lineReader is the loop's input and output (usql's rline.IO): a line
// editor on a terminal, a scripted fake in tests.
type lineReader interface {
	// ReadLine reads a line after prompt. It returns errInterrupt for
	// Ctrl-C (the line is dropped) and io.EOF for Ctrl-D on an empty line
	// or the end of the input.
	ReadLine(prompt string) (string, error)
	// AddHistory records a complete chunk as one history entry.
	AddHistory(chunk string) error
	// Stdout and Stderr are where data and messages go; they keep the
	// line being edited intact.
	Stdout() io.Writer
	Stderr() io.Writer
	// Close restores the terminal.
	Close() error
}

// historyLimit is how many entries the history keeps.
const historyLimit = 1000

// rlInput is the lineReader on chzyer/readline.
type rlInput struct {
	rl    *readline.Instance
	stdin *readline.CancelableStdin
	in    *endReader
	hist  *history
	out   io.Writer
	err   io.Writer
	once  sync.Once
}

// endReader records that the input ended: readline's reading goroutine
// stops then, and a later Readline would wait for ever.
type endReader struct {
	r     io.Reader
	ended atomic.Bool
}

func (e *endReader) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil {
		e.ended.Store(true)
	}
	return n, err
}

// terminal is raw-mode control of the terminal a file descriptor is on.
type terminal struct {
	fd    int
	mu    sync.Mutex
	saved *readline.State
}

func (t *terminal) makeRaw() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.saved != nil {
		return nil
	}
	st, err := readline.MakeRaw(t.fd)
	if err == nil {
		t.saved = st
	}
	return err
}

func (t *terminal) exitRaw() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.saved == nil {
		return nil
	}
	err := readline.Restore(t.fd, t.saved)
	t.saved = nil
	return err
}

// newReadline opens the line editor on o.In/o.Out/o.Err. Raw mode, the
// terminal test and the width use In's and Out's own file descriptors,
// not the process's standard ones, so the editor works on any terminal.
func newReadline(o *Options, comp *autoCompleter) (*rlInput, error) {
	in := &endReader{r: o.In}
	stdin := readline.NewCancelableStdin(in)
	// The editor (prompt, echo) draws on Out, or on Err when only that is
	// a terminal (omapish | tee log).
	screen := o.Out
	if !IsTerminal(o.Out) && IsTerminal(o.Err) {
		screen = o.Err
	}
	cfg := &readline.Config{
		Prompt:                 primaryPrompt,
		Stdin:                  stdin,
		Stdout:                 screen,
		Stderr:                 o.Err,
		AutoComplete:           comp,
		DisableAutoSaveHistory: true,
		HistoryLimit:           historyLimit,
		InterruptPrompt:        "^C",
		EOFPrompt:              "\n",
		FuncIsTerminal:         func() bool { return false },
		FuncMakeRaw:            func() error { return nil },
		FuncExitRaw:            func() error { return nil },
		FuncGetWidth:           func() int { return 80 },
		FuncOnWidthChanged:     onWidthChanged,
	}
	if IsTerminal(o.In) {
		t := &terminal{fd: int(o.In.(*os.File).Fd())}
		cfg.FuncIsTerminal = func() bool { return true }
		cfg.FuncMakeRaw = t.makeRaw
		cfg.FuncExitRaw = t.exitRaw
		widthFd := t.fd
		if IsTerminal(screen) {
			widthFd = int(screen.(*os.File).Fd())
		}
		cfg.FuncGetWidth = func() int {
			if w := termWidth(widthFd); w > 0 {
				return w
			}
			return 80
		}
	}
	rl, err := readline.NewEx(cfg)
	if err != nil {
		stdin.Close()
		return nil, fmt.Errorf("repl: line editor: %w", err)
	}
	comp.setBuffer = rl.Operation.SetBuffer
	r := &rlInput{rl: rl, stdin: stdin, in: in, out: o.Out, err: o.Err}
	if o.HistoryFile != "" {
		h, err := openHistory(o.HistoryFile, historyLimit)
		if err != nil {
			fmt.Fprintf(o.Err, "omapish: history not saved: %v\n", err)
		}
		r.hist = h
		r.loadHistory()
	}
	return r, nil
}

// ReadLine implements lineReader.
func (r *rlInput) ReadLine(prompt string) (string, error) {
	if r.in.ended.Load() {
		return "", io.EOF
	}
	r.rl.SetPrompt(prompt)
	line, err := r.rl.Readline()
	if errors.Is(err, readline.ErrInterrupt) {
		return "", errInterrupt
	}
	return line, err
}

// AddHistory implements lineReader: the chunk is one entry in memory
// (Up recalls it whole) and in the file.
func (r *rlInput) AddHistory(chunk string) error {
	if r.hist == nil {
		r.hist = &history{limit: historyLimit}
	}
	err := r.hist.add(chunk)
	if err != nil && r.hist.path != "" {
		fmt.Fprintf(r.err, "omapish: history not saved: %v\n", err)
		r.hist.path = "" // say it once
	}
	r.loadHistory()
	return err
}

// loadHistory replaces readline's in-memory history by ours. Doing it
// after each entry also resets readline's position in the history, which
// would otherwise save the line last recalled instead of the chunk.
func (r *rlInput) loadHistory() {
	r.rl.ResetHistory()
	for _, e := range r.hist.entries {
		r.rl.SaveHistory(displayForm(e))
	}
}

// Stdout implements lineReader. The loop writes only while no line is
// being edited, so this is the plain writer: readline's own Stdout()
// redraws the prompt after each write if its reader has not yet noticed
// that the line ended.
func (r *rlInput) Stdout() io.Writer { return r.out }

// Stderr implements lineReader.
func (r *rlInput) Stderr() io.Writer { return r.err }

// Close implements lineReader.
func (r *rlInput) Close() error {
	var err error
	r.once.Do(func() {
		r.stdin.Close() // first, so that a read in progress returns
		err = r.rl.Close()
	})
	return err
}

// stop makes a ReadLine in progress return io.EOF (used when the
// context of Run is cancelled).
func (r *rlInput) stop() {
	r.in.ended.Store(true)
	r.stdin.Close()
}

// displayForm is a history entry as the line editor shows it: a
// multi-line chunk on one line, its lines joined by spaces, when that
// means the same to Lua (no comment, long bracket or escaped newline that
// a newline ends or belongs to); else as it is.
func displayForm(e string) string {
	if !strings.Contains(e, "\n") || strings.Contains(e, "--") || strings.Contains(e, "[[") ||
		strings.Contains(e, "[=") || strings.Contains(e, "\\\n") {
		return e
	}
	lines := strings.Split(e, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.Join(lines, " ")
}

// secretWord and keyMaterial find chunks that may hold a secret; they
// are kept in memory for Up but never written to the history file.
// secretWord is any mention of a secret: secret = "...", ["secret"] = ...,
// LAB.secret. keyMaterial is a run of 16 or more base64 characters with
// upper- and lower-case letters and a digit, "+" or "/" (or "=" padding
// that ends a string): what a base64 secret looks like wherever it is
// typed (s = "...", m:bytes("...")), and what names and addresses seldom
// are.
var (
	secretWord  = regexp.MustCompile(`(?i)secret`)
	keyMaterial = regexp.MustCompile(`([A-Za-z0-9+/]{16,})(=*)(["'\]]?)`)
)

// holdsSecret reports whether a chunk must stay out of the history file.
func holdsSecret(chunk string) bool {
	if secretWord.MatchString(chunk) {
		return true
	}
	for _, m := range keyMaterial.FindAllStringSubmatch(chunk, -1) {
		run, padded := m[1], m[2] != "" && m[3] != ""
		if strings.ContainsAny(run, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") &&
			strings.ContainsAny(run, "abcdefghijklmnopqrstuvwxyz") &&
			(padded || strings.ContainsAny(run, "0123456789+/")) {
			return true
		}
	}
	return false
}

// history is the list of past chunks and the file they persist in. In
// the file each entry is one line; a chunk of several lines has each
// newline written as a backslash and a newline (as zsh does), and an entry
// ending in a backslash gets a space after it, so reading is unambiguous.
// The file is created with mode 0600 in a directory created with mode
// 0700, and tightened to 0600 when found readable by others: chunks may
// hold addresses and key names.
type history struct {
	path    string
	limit   int
	entries []string
}

// openHistory reads the history file at path ("~/" is the home
// directory), creating its directory. When the file holds more than limit
// entries it is rewritten with the last limit ones.
func openHistory(path string, limit int) (*history, error) {
	h := &history{limit: limit}
	if strings.HasPrefix(path, "~/") {
		home, err := os.UserHomeDir()
		if err != nil {
			return h, err
		}
		path = filepath.Join(home, path[2:])
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return h, err
	}
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return h, err
	}
	h.entries = decodeHistory(data)
	if err == nil {
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(path, 0o600); err != nil {
				return h, err
			}
		}
	}
	if len(h.entries) > limit {
		h.entries = h.entries[len(h.entries)-limit:]
		if err := h.rewrite(path); err != nil {
			return h, err
		}
	}
	h.path = path
	return h, nil
}

// add appends an entry, unless it repeats the last one.
func (h *history) add(chunk string) error {
	if chunk == "" || len(h.entries) > 0 && h.entries[len(h.entries)-1] == chunk {
		return nil
	}
	h.entries = append(h.entries, chunk)
	if h.limit > 0 && len(h.entries) > h.limit {
		h.entries = h.entries[len(h.entries)-h.limit:]
	}
	if h.path == "" || holdsSecret(chunk) {
		return nil
	}
	f, err := os.OpenFile(h.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	_, err = io.WriteString(f, encodeEntry(chunk)+"\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func (h *history) rewrite(path string) error {
	var b bytes.Buffer
	for _, e := range h.entries {
		if !holdsSecret(e) {
			b.WriteString(encodeEntry(e) + "\n")
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".history-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path) // CreateTemp made it 0600
}

// encodeEntry writes a chunk as one history-file entry.
func encodeEntry(s string) string {
	s = strings.ReplaceAll(s, "\n", "\\\n")
	if strings.HasSuffix(s, `\`) {
		s += " "
	}
	return s
}

// decodeHistory reads the entries of a history file.
func decodeHistory(data []byte) []string {
	var out []string
	var cur []string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasSuffix(l, `\`) {
			cur = append(cur, l[:len(l)-1])
			continue
		}
		cur = append(cur, l)
		if e := strings.Join(cur, "\n"); e != "" {
			out = append(out, e)
		}
		cur = cur[:0]
	}
	return out
}

// IsTerminal reports whether f is a file on a terminal.
func IsTerminal(f any) bool {
	fd, ok := f.(interface{ Fd() uintptr })
	return ok && readline.IsTerminal(int(fd.Fd()))
}

// termWidth returns the width in columns of the terminal on fd, or 0.
func termWidth(fd int) int {
	w, _, err := readline.GetSize(fd)
	if err != nil {
		return 0
	}
	return w
}
