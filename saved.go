package main

import (
	"bytes"
	"io"

	"github.com/omapish/omapish/scripts"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// savedScript returns a script shipped in the binary by its name, with or
// without ".lua".
func savedScript(name string) (chunk string, body []byte, ok bool) {
	return scripts.Lookup(name)
}
