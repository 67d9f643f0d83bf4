package labtest_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omapish/omapish/internal/lab"
	"github.com/omapish/omapish/internal/lab/labtest"
)

// fatalTB records Fatalf instead of failing the real test.
type fatalTB struct {
	*testing.T
	msg string
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	panic(f) // stop like FailNow, without failing the real test
}

func TestStart(t *testing.T) {
	l := labtest.Start(t)
	if l.PID() == 0 {
		t.Fatal("no dhcpd")
	}
}

func TestStartFailsTheTest(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "bad.conf")
	os.WriteFile(conf, []byte("omapi-port 7911;\nthis is not dhcpd.conf;\n"), 0o600)
	f := &fatalTB{T: t}
	func() {
		defer func() {
			if r := recover(); r != nil && r != any(f) {
				panic(r)
			}
		}()
		labtest.Start(f, lab.Config{Conf: conf})
	}()
	if !strings.Contains(f.msg, "cannot start the dhcpd lab") || !strings.Contains(f.msg, "this") {
		t.Errorf("Fatalf message = %q", f.msg)
	}
}

// errTB records Errorf instead of failing the real test.
type errTB struct {
	*testing.T
	errs []string
}

func (e *errTB) Errorf(format string, args ...any) {
	e.errs = append(e.errs, fmt.Sprintf(format, args...))
}

// An expected complaint that dhcpd does not make fails the test: the
// check at the end of Start cannot pass by being told to expect one.
func TestExpectedComplaintMissing(t *testing.T) {
	var rec *errTB
	t.Run("clean lab", func(t *testing.T) {
		rec = &errTB{T: t}
		l := labtest.Start(rec)
		labtest.ExpectLeasesComplaint(rec, l, "expecting left brace.")
	})
	if len(rec.errs) != 1 || !strings.Contains(rec.errs[0], "reads it cleanly") {
		t.Fatalf("errors at the end of the test: %q", rec.errs)
	}
}
