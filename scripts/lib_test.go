package scripts

import (
	"strings"
	"testing"
)

// TestLibrary runs chunks that use the scripts' library (omapish.script)
// as a script would, and checks what they exit with and write.
func TestLibrary(t *testing.T) {
	const noServer = `omapi.connect = function() error("connect: no server named") end
		local script = require "omapish.script"`
	for _, tt := range []struct {
		name, src      string
		status         int
		stdout, stderr string
	}{
		{"usage error", `local S = require("omapish.script").new("demo", "USAGE\n")
			S:usage_error("bad")`, 2, "", "demo: bad\nTry 'omapish demo --help'.\n"},
		{"help", `local S = require("omapish.script").new("demo", "USAGE\n", { ok = 7 })
			S:getopt({ "--help" }, { x = "flag" })`, 7, "USAGE\n", ""},
		{"bad option", `local S = require("omapish.script").new("demo", "USAGE\n", { usage = 3 })
			S:getopt({ "--y" }, { x = "flag" })`, 3, "", "demo: unknown option --y\nTry 'omapish demo --help'.\n"},
		{"fail", `local S = require("omapish.script").new("demo", "")
			S:fail("gone", 5)`, 5, "", "demo: gone\n"},
		{"connect without a server", noServer + `
			script.new("demo", ""):connect()`, 1, "",
			"demo: cannot connect: connect: no server named (give omapish --server NAME|HOST[:PORT] before the script's name, or a configuration file with a default profile)\n"},
		{"connect, a script with --server", noServer + `
			local S = script.new("demo", "", { fail = 3 })
			S:getopt({}, { server = "string" })
			S:connect()`, 3, "",
			"demo: cannot connect: connect: no server named (give --server NAME|HOST[:PORT], or a configuration file with a default profile)\n"},
		{"connect to a named server", noServer + `
			print(select(2, script.new("demo", ""):try_connect("primary")))`, 0, "connect: no server named\n", ""},
		{"lease filter", `local S = require("omapish.script").new("demo", "")
			local keep = S:lease_filter({ state = { "active", "2" }, mac = "00-00-5E", hostname = "web*" })
			print(keep({ state = "active", mac = "00:00:5e:00:53:01", hostname = "Web1" }),
				keep({ state = "free", mac = "00:00:5e:00:53:01", hostname = "web1" }),
				keep({ state = "active", mac = "00:00:5f:00:53:01", hostname = "web1" }),
				keep({ state = "active", mac = "00:00:5e:00:53:01" }))`, 0, "true\tfalse\tfalse\tfalse\n", ""},
		{"unknown state", `require("omapish.script").new("demo", ""):state_set({ "none" })`, 2, "",
			"demo: --state none: unknown state (states: free, active, expired, released, abandoned, reset, backup)\nTry 'omapish demo --help'.\n"},
		{"ranges", `local S = require("omapish.script").new("demo", "")
			print(S:count_ranges({ "192.0.2.0/30", "192.0.2.9" }, 5, "smaller"))
			S:count_ranges({ "192.0.2.0/24" }, 5, "give smaller ranges")`, 2, "5\n",
			"demo: 256 addresses is more than 5: give smaller ranges\nTry 'omapish demo --help'.\n"},
		{"names", `local script = require "omapish.script"
			print(script.date(0), script.date(86400), script.lease_state(2), script.lease_state(99),
				script.failover_state(nil), script.failover_state(2))`, 0,
			"nil\t1970-01-02T00:00:00Z\tactive\tstate-99\t?\tnormal\n", ""},
		{"table", `require("omapish.script").print_rows("table", { "ip", "name" },
			{ { ip = "192.0.2.1", name = "" }, { ip = "10.0.0.1", name = "web" } })`, 0,
			"IP         NAME\n192.0.2.1  -\n10.0.0.1   web\n", ""},
		{"csv and json", `local script = require "omapish.script"
			script.print_rows("csv", { "ip", "name" }, { { ip = "192.0.2.1" } })
			script.print_rows("json", { "ip" }, {})`, 0, "ip,name\n192.0.2.1,\n[]\n", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			L := captureState(t)
			fn, err := L.LoadString(tt.src)
			if err != nil {
				t.Fatal(err)
			}
			status, stdout, stderr := runCaptured(t, L, fn)
			if status != tt.status || stdout != tt.stdout || stderr != tt.stderr {
				t.Errorf("exit %d, stdout %q, stderr %q\nwant %d, %q, %q", status, stdout, stderr,
					tt.status, tt.stdout, strings.TrimSpace(tt.stderr))
			}
		})
	}
}
