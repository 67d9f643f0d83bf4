package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/omapish/omapish/internal/lab"
)

// runLab is `omapish lab [--conf FILE] [--leases FILE] [-- CMD ARGS]`.
func runLab(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("omapish lab", flag.ContinueOnError)
	var cfg lab.Config
	fs.StringVar(&cfg.Conf, "conf", "", "dhcpd.conf `FILE` to run instead of the built-in sample")
	fs.StringVar(&cfg.Leases, "leases", "", "leases `FILE` to start from (copied; the original is not changed)")
	fs.StringVar(&cfg.Algorithm, "algorithm", "", "key algorithm of the sample config (hmac-md5 ... hmac-sha512)")
	pair := fs.Bool("pair", false, "two dhcpds in a failover pair (profiles primary and secondary)")
	if code, ok := parseSubcommand(fs, args, "Usage: omapish lab [--conf FILE] [--leases FILE] [-- CMD [ARGS...]]\n"+
		"       omapish lab --pair [-- CMD [ARGS...]]\n\n"+
		"Starts ISC dhcpd in a private network namespace and runs the shell (or CMD)\n"+
		"inside it, with $OMAPISH_CONFIG pointing at a profile for that dhcpd. Needs root\n"+
		"and /usr/sbin/dhcpd (Debian: apt-get install isc-dhcp-server). Everything is\n"+
		"removed when the shell or CMD exits. CMD finds this omapish first on its PATH.\n"+
		"With --pair, two dhcpds in a failover partnership, each in its own namespace,\n"+
		"joined by a veth pair; both are normal when the shell starts, in the primary's\n"+
		"namespace, with profiles primary (the default) and secondary.", stdout, stderr); !ok {
		return code
	}
	if *pair && (cfg.Conf != "" || cfg.Leases != "") {
		fmt.Fprintln(stderr, "omapish lab: --pair runs its own sample pair; --conf and --leases are for a single dhcpd")
		return exitUsage
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "omapish lab:", err)
		return exitFail
	}
	cmd := fs.Args()
	if len(cmd) == 0 {
		cmd = []string{self}
	}
	// CMD finds this omapish first on its PATH, built or installed.
	os.Setenv("PATH", filepath.Dir(self)+string(os.PathListSeparator)+os.Getenv("PATH"))
	var code int
	if *pair {
		code, err = lab.RunPair(context.Background(), lab.PairConfig{Algorithm: cfg.Algorithm}, cmd, stdin, stdout, stderr)
	} else {
		code, err = lab.Run(context.Background(), cfg, cmd, stdin, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintln(stderr, "omapish lab:", err)
		if errors.Is(err, lab.ErrNotRoot) || errors.Is(err, lab.ErrNoDHCPD) || errors.Is(err, lab.ErrNoIP) {
			return exitUsage
		}
		if code == 0 {
			code = exitFail
		}
	}
	return code
}
