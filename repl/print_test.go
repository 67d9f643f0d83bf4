package repl

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

func TestPrint(t *testing.T) {
	tests := []struct {
		name string
		expr string // a Lua expression list
		want string
	}{
		{"nil", "nil", "nil\n"},
		{"scalars", `1, 2.5, true, "a"`, "1\t2.5\ttrue\t\"a\"\n"},
		{"big integer", "1764201600", "1764201600\n"},
		{"escapes", `"a\"b\\c\nd\te"`, `"a\"b\\c\nd\te"` + "\n"},
		{"utf8", `"héllo"`, `"héllo"` + "\n"},
		{"bytes as hex", `"\0\17\34\51\68\85"`, `omapi.unhex"00:11:22:33:44:55"` + "\n"},
		{"invalid utf8", `"\255a"`, `omapi.unhex"ff:61"` + "\n"},
		{"empty table", "{}", "{}\n"},
		{"array compact", "{1, 2, 3}", "{1, 2, 3}\n"},
		{"array of strings", `{"a", "b"}`, `{"a", "b"}` + "\n"},
		{"array of tables", "{{1}, {2}}", "{\n  {1},\n  {2},\n}\n"},
		{"long array", "{" + strings.Repeat(`"xxxxxxxxxx", `, 8) + "}", "{\n" + strings.Repeat("  \"xxxxxxxxxx\",\n", 8) + "}\n"},
		{"sorted keys", `{b = 2, a = 1, [3] = "x", ["with space"] = true}`,
			"{\n  [3] = \"x\",\n  a = 1,\n  b = 2,\n  [\"with space\"] = true,\n}\n"},
		{"array then keys", `{"x", n = 1}`, "{\n  \"x\",\n  n = 1,\n}\n"},
		{"nested", `{ip = "10.0.0.1", opts = {create = true, list = {1, 2}}}`,
			"{\n  ip = \"10.0.0.1\",\n  opts = {\n    create = true,\n    list = {1, 2},\n  },\n}\n"},
		{"keyword key", `{["end"] = 1}`, "{\n  [\"end\"] = 1,\n}\n"},
		{"lease", `{state = 2, ["ip-address"] = "10.0.0.5", ends = 1764201600, starts = 1764115200, tstp = 2147483647, ["hardware-address"] = "00:11:22:33:44:55"}`,
			"{\n" +
				"  ends = 1764201600 (2025-11-27T00:00:00Z),\n" +
				"  [\"hardware-address\"] = \"00:11:22:33:44:55\",\n" +
				"  [\"ip-address\"] = \"10.0.0.5\",\n" +
				"  starts = 1764115200 (2025-11-26T00:00:00Z),\n" +
				"  state = 2 (active),\n" +
				"  tstp = 2147483647 (never),\n" +
				"}\n"},
		{"lease states", `{state = 1, ends = 0}, {state = 5, ["ip-address"] = "x"}`,
			"{\n  ends = 0 (unset),\n  state = 1 (free),\n}\t{\n  [\"ip-address\"] = \"x\",\n  state = 5 (abandoned),\n}\n"},
		{"state of a non-lease", `{state = 2}`, "{\n  state = 2,\n}\n"},
		{"failover", `{name = "peer", ["local-state"] = 2, ["partner-state"] = 4, ["local-stos"] = 1764201600}`,
			"{\n  [\"local-state\"] = 2 (normal),\n  [\"local-stos\"] = 1764201600 (2025-11-27T00:00:00Z),\n  name = \"peer\",\n  [\"partner-state\"] = 4 (partner-down),\n}\n"},
		{"time as text is left alone", `{ends = "2025-11-27T00:00:00Z"}`, "{\n  ends = \"2025-11-27T00:00:00Z\",\n}\n"},
		{"unknown state number", `{state = 99, ends = 1}`, "{\n  ends = 1 (1970-01-01T00:00:01Z),\n  state = 99,\n}\n"},
		{"raw bytes in a table", `{["dhcp-client-identifier"] = "\1\0\17"}`, "{\n  [\"dhcp-client-identifier\"] = omapi.unhex\"01:00:11\",\n}\n"},
		{"text id that reads as hex", `{["dhcp-client-identifier"] = "01:02", hashstring = "ab", ["hardware-address"] = "00:11:22:33:44:55"}`,
			"{\n  [\"dhcp-client-identifier\"] = \"01:02\" (5 bytes of text: omapi.raw to send them back as they are),\n  [\"hardware-address\"] = \"00:11:22:33:44:55\",\n  hashstring = \"ab\",\n}\n"},
		{"userdata tostring", "conn", "omapi.conn(127.0.0.1:7911)\n"},
		{"table tostring", `setmetatable({}, {__tostring = function() return "T!" end})`, "T!\n"},
		{"failing tostring", `setmetatable({}, {__tostring = function() error("no", 0) end})`, ""}, // checked below
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			L := newTestState(t)
			vals := eval(t, L, tt.expr)
			var b strings.Builder
			Print(&b, L, vals, false)
			if tt.name == "failing tostring" {
				if !strings.Contains(b.String(), "__tostring failed: no") {
					t.Errorf("got %q", b.String())
				}
				return
			}
			if b.String() != tt.want {
				t.Errorf("Print(%s):\n got %q\nwant %q", tt.expr, b.String(), tt.want)
			}
		})
	}
}

func TestPrintCycleAndColor(t *testing.T) {
	L := newTestState(t)
	vals := eval(t, L, `(function() local t = {n = 1}; t.self = t; return t end)()`)
	var b strings.Builder
	Print(&b, L, vals, false)
	if !strings.Contains(b.String(), "self = <cycle table: ") {
		t.Errorf("cycle: %q", b.String())
	}

	b.Reset()
	Print(&b, L, eval(t, L, `"s", 1, {state = 2, ends = 1}`), true)
	for _, want := range []string{ansiGreen + `"s"` + ansiReset, ansiYellow + "1" + ansiReset, ansiDim + "(active)" + ansiReset} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("colour output %q lacks %q", b.String(), want)
		}
	}
	b.Reset()
	Print(&b, L, nil, true)
	if b.Len() != 0 {
		t.Errorf("no values printed %q", b.String())
	}
}

// eval returns the values of a Lua expression list.
func eval(tb testing.TB, L *lua.LState, expr string) []lua.LValue {
	tb.Helper()
	fn, err := L.LoadString("return " + expr)
	if err != nil {
		tb.Fatal(err)
	}
	base := L.GetTop()
	L.Push(fn)
	if err := L.PCall(0, lua.MultRet, nil); err != nil {
		tb.Fatal(err)
	}
	var vals []lua.LValue
	for i := base + 1; i <= L.GetTop(); i++ {
		vals = append(vals, L.Get(i))
	}
	L.SetTop(base)
	return vals
}
