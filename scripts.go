package main

import (
	"fmt"
	"io"

	"github.com/omapish/omapish/scripts"
)

const scriptsUsage = `Usage: omapish scripts [NAME]

Lists the saved scripts shipped in the binary, or prints the source of one
(to read it, or to copy and adapt it). Run one with "omapish NAME ARGS";
"omapish NAME --help" shows its usage.
`

// runScripts is `omapish scripts [NAME]`.
func runScripts(args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help"):
		fmt.Fprint(stdout, scriptsUsage)
		return exitOK
	case len(args) == 1:
		_, body, ok := scripts.Lookup(args[0])
		if !ok {
			fmt.Fprintf(stderr, "omapish scripts: no saved script %q (omapish scripts lists them)\n", args[0])
			return exitUsage
		}
		stdout.Write(body)
		return exitOK
	case len(args) > 1:
		fmt.Fprint(stderr, scriptsUsage)
		return exitUsage
	}
	list := scripts.List()
	w := 0
	for _, s := range list {
		w = max(w, len(s.Name))
	}
	for _, s := range list {
		fmt.Fprintf(stdout, "%-*s  %s\n", w, s.Name, s.Summary)
	}
	fmt.Fprintln(stdout, "\nRun one with: omapish NAME ARGS (omapish NAME --help shows its usage).")
	return exitOK
}
