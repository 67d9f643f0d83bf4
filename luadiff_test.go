package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The differential test of omapish's Lua against the reference Lua 5.1:
//
//   - testdata/luadiff/*.lua must print the same under both;
//   - testdata/luadiff/dialect/NAME.lua are the known differences: omapish
//     must print NAME.omapish, and lua5.1 something else (when a difference
//     goes away, move the program to testdata/luadiff);
//   - the files of gopher-lua's own Lua 5.1 test suite that its harness
//     runs (third_party/gopher-lua/script_test.go, luaTests) must print the
//     same too, except those with a testdata/luadiff/lua5.1-tests/NAME.omapish.
//
// "Print" is the standard output and whether the program failed (a
// non-zero exit status), as luaRun renders them. Both run as a user runs
// them (`lua5.1 FILE a b`, `omapish FILE a b`) in the file's directory,
// with TZ=UTC and the C locale.

// luaDiffArgs are the script arguments both get, for `...` and arg.
var luaDiffArgs = []string{"a", "b"}

func TestLuaDiff(t *testing.T) {
	lua51, omapish := luaDiffCommands(t)
	files, err := filepath.Glob("testdata/luadiff/*.lua")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/luadiff/*.lua: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			want := luaRun(t, lua51, file)
			if got := luaRun(t, omapish, file); got != want {
				t.Errorf("omapish (got) and lua5.1 (want) differ on %s:\n%s", file, lineDiff(want, got))
			}
		})
	}
}

func TestLuaDiffDialect(t *testing.T) {
	lua51, omapish := luaDiffCommands(t)
	files, err := filepath.Glob("testdata/luadiff/dialect/*.lua")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/luadiff/dialect/*.lua: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			expectDifference(t, lua51, omapish, file, strings.TrimSuffix(file, ".lua")+".omapish", nil)
		})
	}
}

// luaSuiteNormalize hides what the suite prints that changes from run to
// run: sort.lua's timings and its count of comparisons (which depends on
// the sort algorithm and on the unseeded random numbers it sorts), and the
// clock files.lua prints.
var luaSuiteNormalize = regexp.MustCompile(`[0-9]+\.[0-9]+ sec|with [0-9]+ comparisons|test done on [0-9/]+, at [0-9:]+`)

func TestLuaDiffSuite(t *testing.T) {
	lua51, omapish := luaDiffCommands(t)
	names := gopherLuaSuite(t)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join("third_party/gopher-lua/_lua5.1-tests", name)
			expected := filepath.Join("testdata/luadiff/lua5.1-tests", strings.TrimSuffix(name, ".lua")+".omapish")
			if _, err := os.Stat(expected); err == nil {
				expectDifference(t, lua51, omapish, file, expected, luaSuiteNormalize)
				return
			}
			want := luaSuiteNormalize.ReplaceAllString(luaRun(t, lua51, file), "X")
			got := luaSuiteNormalize.ReplaceAllString(luaRun(t, omapish, file), "X")
			if got != want {
				t.Errorf("omapish (got) and lua5.1 (want) differ on %s:\n%s", file, lineDiff(want, got))
			}
		})
	}
}

// expectDifference checks that omapish prints the content of expected for
// file, and lua5.1 something else.
func expectDifference(t *testing.T, lua51, omapish, file, expected string, normalize *regexp.Regexp) {
	t.Helper()
	b, err := os.ReadFile(expected)
	if err != nil {
		t.Fatalf("a known difference needs omapish's output in %s: %v", expected, err)
	}
	norm := func(s string) string {
		if normalize == nil {
			return s
		}
		return normalize.ReplaceAllString(s, "X")
	}
	want := norm(string(b))
	if got := norm(luaRun(t, omapish, file)); got != want {
		t.Errorf("omapish's output for %s changed (want %s):\n%s", file, expected, lineDiff(want, got))
	}
	if ref := norm(luaRun(t, lua51, file)); ref == want {
		t.Errorf("lua5.1 now prints what omapish does for %s: the difference is gone; move it to testdata/luadiff", file)
	}
}

// luaDiffCommands finds the reference Lua and the omapish under test: the
// test binary itself, which testscript.RunMain (TestMain) puts on $PATH as
// omapish for the whole test run.
func luaDiffCommands(t *testing.T) (lua51, omapish string) {
	t.Helper()
	lua51, err := exec.LookPath("lua5.1")
	if err != nil {
		t.Fatalf("the differential test needs the reference Lua (apt-get install lua5.1, as .ci/setup does): %v", err)
	}
	omapish, err = exec.LookPath("omapish")
	if err != nil {
		t.Fatalf("no omapish on $PATH (TestMain puts the test binary there): %v", err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if a, b := fileSize(omapish), fileSize(self); a != b {
		t.Fatalf("omapish on $PATH is %s (%d bytes), not this test binary (%d bytes)", omapish, a, b)
	}
	return lua51, omapish
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return -1
	}
	return fi.Size()
}

// luaRun runs file under the interpreter cmd, in the file's directory, and
// returns its standard output, followed by "[error]" when it failed.
func luaRun(t *testing.T, cmd, file string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := exec.CommandContext(ctx, cmd, append([]string{filepath.Base(file)}, luaDiffArgs...)...)
	c.Dir = filepath.Dir(file)
	c.Env = append(os.Environ(), "TZ=UTC", "LC_ALL=C", "NO_COLOR=1")
	var stdout, stderr bytes.Buffer
	c.Stdout, c.Stderr = &stdout, &stderr
	err := c.Run()
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("%s %s: did not finish in time", cmd, file)
	case errors.As(err, &ee):
		t.Logf("%s %s failed: %s", filepath.Base(cmd), file, firstLine(stderr.String()))
		return stdout.String() + "[error]\n"
	case err != nil:
		t.Fatalf("%s %s: %v", cmd, file, err)
	}
	return stdout.String()
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// lineDiff shows the lines where want and got first differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl == gl {
			continue
		}
		b.WriteString("line " + strconv.Itoa(i+1) + ":\n  want: " + wl + "\n  got:  " + gl + "\n")
		if shown++; shown == 10 {
			b.WriteString("...\n")
			break
		}
	}
	return b.String()
}

// gopherLuaSuite lists the files of _lua5.1-tests that gopher-lua's own
// harness runs (its luaTests), read from its script_test.go so the list
// stays what upstream claims to pass.
func gopherLuaSuite(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("third_party/gopher-lua/script_test.go")
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile(`(?s)var luaTests \[\]string = \[\]string\{(.*?)\}`).FindSubmatch(src)
	if block == nil {
		t.Fatal("third_party/gopher-lua/script_test.go: no luaTests list")
	}
	var names []string
	for _, m := range regexp.MustCompile(`"([a-z0-9_.]+\.lua)"`).FindAllSubmatch(block[1], -1) {
		names = append(names, string(m[1]))
	}
	if len(names) == 0 {
		t.Fatal("third_party/gopher-lua/script_test.go: luaTests is empty")
	}
	return names
}
