package repl_test

import (
	"fmt"
	"os"

	lua "github.com/yuin/gopher-lua"

	"github.com/omapish/omapish/luaapi"
	"github.com/omapish/omapish/repl"
)

// Print shows a lease's state and times with their meaning.
func ExamplePrint() {
	L := lua.NewState()
	defer L.Close()
	if err := L.DoString(`lease = {state = 2, ["ip-address"] = "10.0.0.5", ends = 1764201600,
		["hardware-address"] = "00:11:22:33:44:55", ["dhcp-client-identifier"] = "\1\0\17\34"}`); err != nil {
		panic(err)
	}
	repl.Print(os.Stdout, L, []lua.LValue{L.GetGlobal("lease")}, false)
	// Output:
	// {
	//   ["dhcp-client-identifier"] = omapi.unhex"01:00:11:22",
	//   ends = 1764201600 (2025-11-27T00:00:00Z),
	//   ["hardware-address"] = "00:11:22:33:44:55",
	//   ["ip-address"] = "10.0.0.5",
	//   state = 2 (active),
	// }
}

// Complete offers attribute names as table keys, from the module's words.
func ExampleComplete() {
	L := lua.NewState()
	defer L.Close()
	line := `conn:open("host", {hard`
	fmt.Println(repl.Complete(L, luaapi.Shell{}, line, len(line)))
	line = `conn:open("ho`
	fmt.Println(repl.Complete(L, luaapi.Shell{}, line, len(line)))
	// Output:
	// [["hardware-address"]= ["hardware-type"]=]
	// [host]
}
