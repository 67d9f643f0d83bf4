//go:build !unix

package repl

import "github.com/chzyer/readline"

// onWidthChanged is readline's own where there is no SIGWINCH.
var onWidthChanged = readline.DefaultOnWidthChanged
