package main

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/omapish/omapish/internal/lab/labtest"
	"github.com/omapish/omapish/omapi/omapitest"
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

// TestExitClosesConnections: a chunk that ends with os.exit (or exit)
// leaves through the command's clean-up, which closes its connections:
// the server sees the connection end as soon as the command returns.
func TestExitClosesConnections(t *testing.T) {
	for _, code := range []string{"os.exit(5)", "exit(5)", "pcall(os.exit, 5)", "coroutine.wrap(function() os.exit(5) end)()"} {
		t.Run(code, func(t *testing.T) {
			closed := make(chan error, 1)
			addr := omapitest.Serve(t, func(p *omapitest.Peer) {
				if err := p.Handshake(); err != nil {
					closed <- err
					return
				}
				_, err := p.Read() // no request comes: this ends when the client closes
				closed <- err
			})
			args := append(faultArgs(t, addr, false), "-e", "conn = assert(omapi.connect()); "+code+"; print('not reached')")
			status, stdout, stderr := runCLI(args...)
			if status != 5 || stdout != "" {
				t.Fatalf("status %d, stdout %q, stderr %q; want 5 and nothing", status, stdout, stderr)
			}
			select {
			case err := <-closed:
				if !errors.Is(err, io.EOF) {
					t.Errorf("the server's read ended with %v, want EOF (the client closed)", err)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the connection is still open after the command returned")
			}
		})
	}
}
