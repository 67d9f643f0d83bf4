package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

	"github.com/omapish/omapish/internal/bench"
	"github.com/omapish/omapish/internal/lab"
)

// runBench is `omapish bench [--n N] [--rounds R]`: figures against a fresh lab dhcpd,
// with omshell as the baseline.
func runBench(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("omapish bench", flag.ContinueOnError)
	n := fs.Int("n", 20000, "lease lookups per phase")
	rounds := fs.Int("rounds", 3, "runs of every phase, interleaved; each reports its median")
	if code, ok := parseSubcommand(fs, args, "Usage: omapish bench [--n N] [--rounds R]\n\n"+
		"Starts a lab dhcpd (root, /usr/sbin/dhcpd) and measures lookups one at a time\n"+
		"and pipelined through the Lua API, pipelined through the Go library alone,\n"+
		"add+delete pairs and cold start, each with a ratio to omshell fed the same\n"+
		"lease lookups from a file, and dhcpd's CPU use.\n"+
		"The phases run in turn, R times over; each reports its median run.", stdout, stderr); !ok {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	self, _ := os.Executable()
	if _, err := bench.Run(ctx, bench.Options{N: *n, Rounds: *rounds, Binary: self}, stdout); err != nil {
		fmt.Fprintln(stderr, "omapish bench:", err)
		if errors.Is(err, lab.ErrNotRoot) || errors.Is(err, lab.ErrNoDHCPD) || errors.Is(err, lab.ErrNoIP) {
			return exitUsage
		}
		return exitFail
	}
	return exitOK
}
