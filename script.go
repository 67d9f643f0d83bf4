package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/repl"
)

// scriptNotFound is a script that is neither a file nor a saved script.
type scriptNotFound struct{ name string }

func (e *scriptNotFound) Error() string {
	return fmt.Sprintf("%s: no such file, and no saved script of that name", e.name)
}

// loadScript compiles the script at path or, when there is no such
// file, the saved script of that name embedded in the binary.
func loadScript(L *lua.LState, path string) (*lua.LFunction, error) {
	src, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if name, body, ok := savedScript(path); ok {
			return repl.Load(L, string(body), name, false)
		}
		return nil, &scriptNotFound{path}
	}
	if err != nil {
		return nil, err
	}
	if len(src) > 1 && src[0] == '#' && src[1] == '!' {
		// Keep line numbers: blank out a #! line rather than dropping it.
		for i := range src {
			if src[i] == '\n' {
				break
			}
			src[i] = ' '
		}
	}
	return repl.Load(L, string(src), path, false)
}
