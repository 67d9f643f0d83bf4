package main

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/omapish/omapish/internal/lab/labtest"
)

// TestMain lets the test binary act as the omapish command in scripts
// (testscript re-executes it under that name).
func TestMain(m *testing.M) {
	os.Exit(testscript.RunMain(m, map[string]func() int{
		"omapish": func() int { return run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr) },
	}))
}

// TestScripts runs testdata/script/*.txtar: the built command end to end.
// Each script gets its own lab dhcpd ($LABNS, with $OMAPISH_CONFIG
// pointing at its profile) and runs omapish inside that namespace with
// the `lab` command: lab EXIT [ARGS...] runs omapish ARGS in the lab and
// expects exit status EXIT. After each script, dhcpd's leases file must
// read back cleanly (labtest).
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// labtest closes the lab after the script and its deferred
			// functions, checking its leases file first.
			l := labtest.Start(env.T().(testing.TB))
			profile := env.WorkDir + "/lab.toml"
			if err := l.WriteProfile(profile); err != nil {
				return err
			}
			env.Setenv("LABNS", l.Namespace())
			env.Setenv("OMAPISH_CONFIG", profile)
			env.Setenv("LABSECRET_FILE", l.Dir()+"/secret")
			env.Setenv("LABDIR", l.Dir())
			env.Setenv("LABKEY", l.KeyName())
			env.Setenv("NO_COLOR", "1")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"lab": labCmd,
		},
	})
}

// runCmd runs cmd (the built command, or one that runs it) and returns
// its exit status and output; a command that cannot run fails tb.
func runCmd(tb testing.TB, cmd *exec.Cmd) (status int, stdout, stderr string) {
	tb.Helper()
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		status = ee.ExitCode()
	case err != nil:
		tb.Fatalf("%s: %v", cmd, err)
	}
	return status, out.String(), errb.String()
}

// labCmd is `lab EXIT ARGS...`: run omapish ARGS inside the script's lab
// namespace and check its exit status.
func labCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 1 {
		ts.Fatalf("usage: lab EXIT [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("lab: exit status %q is not a number", args[0])
	}
	err = ts.Exec("ip", append([]string{"netns", "exec", ts.Getenv("LABNS"), "omapish"}, args[1:]...)...)
	got := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		got = ee.ExitCode()
	} else if err != nil {
		ts.Fatalf("lab: %v", err)
	}
	if got != want {
		ts.Fatalf("omapish exited %d, want %d", got, want)
	}
}
