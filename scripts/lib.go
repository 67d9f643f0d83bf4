package scripts

import (
	_ "embed"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// library is the Lua module omapish.script: what the saved scripts share
// (usage errors, connecting or exiting with the right status, filters,
// formatting), for scripts of users too.
//
//go:embed lib/script.lua
var library string

// LibraryName is the name scripts require the library by.
const LibraryName = "omapish.script"

// Preload makes require("omapish.script") load the scripts' library in L.
// It expects the omapi module there (luaapi.Preload).
func Preload(L *lua.LState) {
	L.PreloadModule(LibraryName, func(L *lua.LState) int {
		fn, err := L.Load(strings.NewReader(library), "omapish/script.lua")
		if err != nil {
			// The library is part of the binary and compiled by the tests.
			L.RaiseError("%s: %v", LibraryName, err)
		}
		L.Push(fn)
		L.Call(0, 1)
		return 1
	})
}
