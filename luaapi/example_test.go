package luaapi_test

import (
	"fmt"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/luaapi"
)

// A script builds the OPEN of a host by name and looks at its signed
// bytes; with Options.Profiles (or an address) it would send it with
// conn:query.
func ExamplePreload() {
	L := lua.NewState()
	defer L.Close()
	luaapi.Preload(L, luaapi.Options{})
	defer luaapi.CloseAll(L)
	err := L.DoString(`
		local m = omapi.message.open("host")
		m:update_object{name = "probe1"}
		m.tid, m.authid = 0x6b8b456b, 1
		local dump = omapi.hexdump(m:bytes("c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"))
		print((dump:gsub("\n$", "")))
		print(m)`)
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// 00000000  00 00 00 01 00 00 00 10  00 00 00 01 00 00 00 00  |................|
	// 00000010  6b 8b 45 6b 00 00 00 00  00 04 74 79 70 65 00 00  |k.Ek......type..|
	// 00000020  00 04 68 6f 73 74 00 00  00 04 6e 61 6d 65 00 00  |..host....name..|
	// 00000030  00 06 70 72 6f 62 65 31  00 00 cb 40 96 97 82 31  |..probe1...@...1|
	// 00000040  2f af f6 e4 e7 85 c3 87  b6 73                    |/........s|
	// open handle=0 tid=1804289387 rid=0 authid=1 message={type="host"} object={name="probe1"}
}
