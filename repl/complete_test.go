package repl

import (
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/omapish/omapish/omapi"
)

func TestComplete(t *testing.T) {
	L := newTestState(t)
	L.SetGlobal("printer_x", L.NewTable()) // a table global, no "("
	connMethods := []string{"close(", "lookup_host(", "lookup_ip(", "lookup_mac(", "open("}
	objectMethods := []string{"attrs(", "refresh("}
	allMethods := append(append([]string(nil), connMethods...), objectMethods...)
	slices.Sort(allMethods)

	tests := []struct {
		line string
		pos  int // -1: end of line
		want []string
	}{
		// globals and keywords
		{"pri", -1, []string{"print(", "printer_x"}},
		{"x = pri", -1, []string{"print(", "printer_x"}},
		{"wh", -1, []string{"while"}},
		{"om", -1, []string{"omapi"}},
		{"omapi", -1, []string{"omapi"}},
		{"zzz", -1, nil},
		{"12", -1, nil},
		// fields of tables
		{"omapi.lo", -1, []string{"lookup_host(", "lookup_ip(", "lookup_mac("}},
		{"omapi.", -1, []string{"OPEN", "connect(", "hexdump(", "lookup_host(", "lookup_ip(", "lookup_mac(", "message"}},
		{"omapi.message.", -1, []string{"new(", "open("}},
		{"omapi.message.o", -1, []string{"open("}},
		{"string.up", -1, []string{"upper("}},
		{"print(omapi.co", -1, []string{"connect("}},
		{"nosuch.x", -1, nil},
		{`("a").x`, -1, nil},
		{"a .. om", -1, []string{"omapi"}},
		// methods
		{"conn:", -1, connMethods},
		{"conn:lookup_i", -1, []string{"lookup_ip("}},
		{"c:lookup_i", -1, []string{"lookup_ip("}}, // an unknown (local) name: every class
		{"local c = omapi.connect() c:", -1, allMethods},
		{"f():r", -1, []string{"refresh("}},
		// strings: types and attributes
		{`conn:open("ho`, -1, []string{"host"}},
		{`conn:open("le`, -1, []string{"lease"}},
		{`conn:open('fail`, -1, []string{"failover-state"}},
		{`omapi.message.open("c`, -1, []string{"class", "control"}},
		{`x = "hardware-t`, -1, []string{"hardware-type"}},
		{`x = "ho`, -1, []string{"host"}},
		{`x = "cl`, -1, []string{"class", "client-hostname", "cltt"}},
		{`conn:open("host", {["hard`, -1, []string{`hardware-address"]=`, `hardware-type"]=`}},
		{`t = {['ip-a`, -1, []string{`ip-address']=`}},
		{`"done" .. "ho`, -1, []string{"host"}},
		// table keys
		{`conn:open("host", {hard`, -1, []string{`["hardware-address"]=`, `["hardware-type"]=`}},
		{`conn:open("host", {name = "a", hardware-a`, -1, []string{`["hardware-address"]=`}},
		{`conn:open("lease", { ip-`, -1, []string{`["ip-address"]=`}},
		{`conn:open("host", {na`, -1, []string{"name="}},
		{`conn:open("host", {cre`, -1, []string{"create="}},
		{"{om", -1, []string{"omapi"}},
		{"f(a, hard", -1, nil},                // a call argument, not a table key
		{`x = {a = b-hard`, -1, nil},          // a subtraction
		{"{name = om", -1, []string{"omapi"}}, // a value
		// comments and long strings
		{"-- omapi.lo", -1, nil},
		{"x = [[omapi.lo", -1, nil},
		{"--[[ x ]] omapi.lo", -1, []string{"lookup_host(", "lookup_ip(", "lookup_mac("}},
		{`x = "a\"b" .. omapi.he`, -1, []string{"hexdump("}},
		// cursor in the middle
		{"omapi.lo = 1", 8, []string{"lookup_host(", "lookup_ip(", "lookup_mac("}},
		{`x("ho") y`, 5, []string{"host"}},
	}
	for _, tt := range tests {
		pos := tt.pos
		if pos < 0 {
			pos = len(tt.line)
		}
		got := Complete(L, testModule{}, tt.line, pos)
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Complete(%q, %d) =\n  %q\nwant\n  %q", tt.line, pos, got, tt.want)
		}
	}
}

func TestCompleteDocs(t *testing.T) {
	L := newTestState(t)
	c := newCompleter(L, testModule{docs: testDocs})
	// omapi.message values index through a function: their methods come
	// from the docs only.
	ud := L.NewUserData()
	ud.Metatable = L.GetTypeMetatable("omapi.message")
	L.SetGlobal("m", ud)
	if _, got := c.complete("m:", 2); !reflect.DeepEqual(got, []string{"bytes(", "update_object("}) {
		t.Errorf("m: → %q", got)
	}
	_, got := c.complete("x:", 2)
	for _, want := range []string{"bytes(", "lookup_ip(", "attrs("} {
		if !slices.Contains(got, want) {
			t.Errorf("x: → %q lacks %q", got, want)
		}
	}
}

func TestCompleteAllTypesAndAttributes(t *testing.T) {
	L := newTestState(t)
	got := Complete(L, testModule{}, `x = "`, 5)
	for _, want := range append(omapi.Types(), omapi.Attributes("")...) {
		if !slices.Contains(got, want) {
			t.Errorf("missing %q", want)
		}
	}
}

func TestAutoCompleter(t *testing.T) {
	L := newTestState(t)
	var buffer string
	a := &autoCompleter{c: newCompleter(L, testModule{}), mu: &sync.Mutex{}, setBuffer: func(s string) { buffer = s }}
	do := func(line string) ([]string, int) {
		r := []rune(line)
		cands, n := a.Do(r, len(r))
		var out []string
		for _, c := range cands {
			out = append(out, string(c))
		}
		return out, n
	}

	if got, n := do("omapi.lookup_i"); !reflect.DeepEqual(got, []string{"p("}) || n != len("lookup_i") {
		t.Errorf("suffix: %q %d", got, n)
	}
	if got, n := do("omapi.lo"); !reflect.DeepEqual(got, []string{"okup_host(", "okup_ip(", "okup_mac("}) || n != 2 {
		t.Errorf("several: %q %d", got, n)
	}
	// Several key candidates: their bare names, so Tab narrows them.
	if got, _ := do(`open("host", {hard`); !reflect.DeepEqual(got, []string{"ware-address", "ware-type"}) {
		t.Errorf("keys: %q", got)
	}
	if buffer != "" {
		t.Errorf("buffer set to %q", buffer)
	}
	// One: the word is rewritten.
	if got, _ := do(`open("host", {hardware-a`); got != nil || buffer != `open("host", {["hardware-address"]=` {
		t.Errorf("rewrite: %q, buffer %q", got, buffer)
	}
	// Indentation on a blank line.
	if got, _ := do("  "); !reflect.DeepEqual(got, []string{"  "}) {
		t.Errorf("indent: %q", got)
	}
	// Earlier lines of the chunk give context.
	a.pending = func() string { return `conn:open("host", {` }
	if got, _ := do(`  hardware-t`); got != nil || buffer != `  ["hardware-type"]=` {
		t.Errorf("pending: %q, buffer %q", got, buffer)
	}
	// A running chunk holds the lock: no completion, no wait.
	a.mu.Lock()
	if got, _ := do("omapi.lo"); got != nil {
		t.Errorf("while locked: %q", got)
	}
	a.mu.Unlock()
}
