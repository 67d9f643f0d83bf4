package luaapi

import (
	"reflect"
	"testing"
)

func TestGetopt(t *testing.T) {
	L := newState(t, Options{})
	doString(t, L, `
		local util = require "omapish.util"
		local spec = {state="list", mac="string", all="flag", chunk="number", help="flag", h="help", x="flag"}
		local function same(a, b, what)
			assert(omapi.json(a) == omapi.json(b), what .. ": got " .. omapi.json(a) .. ", want " .. omapi.json(b))
		end

		-- options and operands mixed, all the spellings
		local o, rest = util.getopt({"192.0.2.0/24", "--state", "active,free", "--state=expired",
			"--mac=00:00:5e", "--all", "-h", "--chunk", "512", "more"}, spec)
		same(o, {state={"active", "free", "expired"}, mac="00:00:5e", all=true, help=true, chunk=512}, "mixed")
		same(rest, {"192.0.2.0/24", "more"}, "operands")

		-- -- ends the options; - is an operand; -x and --x for one-letter names
		o, rest = util.getopt({"-x", "-", "--", "--all", "-h"}, spec)
		same(o, {x=true}, "after --")
		same(rest, {"-", "--all", "-h"}, "operands after --")
		o = util.getopt({"--x", "--h"}, spec)
		same(o, {x=true, help=true}, "one-letter with two dashes")

		-- nothing given: empty tables
		o, rest = util.getopt({}, spec)
		assert(next(o) == nil and #rest == 0, "empty")

		-- arg[0] is not an argument
		o, rest = util.getopt({[0]="script.lua", "a"}, spec)
		same(rest, {"a"}, "arg[0] ignored")

		-- an empty list item is dropped; values may hold =
		o = util.getopt({"--state", "active,,free,", "--mac", "a=b"}, spec)
		same(o, {state={"active", "free"}, mac="a=b"}, "list items")

		-- errors: nil, message
		for _, c in ipairs{
			{{"--bogus"}, "unknown option --bogus"},
			{{"--bogus=1"}, "unknown option --bogus"},
			{{"-q"}, "unknown option -q"},
			{{"-all"}, "long options take two dashes"},
			{{"--mac"}, "option --mac needs a value"},
			{{"--all=yes"}, "option --all takes no value"},
			{{"--chunk", "many"}, "option --chunk: number expected"},
			{{"--mac", "a", "--mac", "b"}, "option --mac given twice"},
		} do
			local o, msg = util.getopt(c[1], spec)
			assert(o == nil and type(msg) == "string" and msg:find(c[2], 1, true),
				table.concat(c[1], " ") .. ": " .. tostring(msg))
		end

		-- misuse raises
		for _, bad in ipairs{ {}, {a="nokind"}, {a=1}, {["--a"]="flag"} } do
			local ok, err = pcall(util.getopt, {}, bad)
			assert(not ok and err:find("getopt"), "bad spec: " .. tostring(err))
		end
		local ok, err = pcall(util.getopt, {{}}, spec)
		assert(not ok and err:find("argument 1: string expected"), tostring(err))
	`)
}

// TestOptSpecScan: the scan of arguments by a parsed spec, from Go.
func TestOptSpecScan(t *testing.T) {
	spec := optSpec{
		kinds: map[string]string{"all": "flag", "mac": "string", "n": "number", "state": "list"},
		alias: map[string]string{"a": "all"},
	}
	for _, tt := range []struct {
		args     []string
		opts     map[string]*optValue
		operands []string
		err      string
	}{
		{args: []string{"x", "-a", "--state", "a,b", "--state=c", "--n", "2", "y"},
			opts:     map[string]*optValue{"all": {kind: "flag"}, "state": {kind: "list", list: []string{"a", "b", "c"}}, "n": {kind: "number", str: "2", num: 2}},
			operands: []string{"x", "y"}},
		{args: []string{"--mac=a=b", "--", "-a"}, opts: map[string]*optValue{"mac": {kind: "string", str: "a=b"}}, operands: []string{"-a"}},
		{args: []string{"-"}, opts: map[string]*optValue{}, operands: []string{"-"}},
		{args: []string{"-ab"}, err: "unknown option -ab (long options take two dashes)"},
		{args: []string{"--mac"}, err: "option --mac needs a value"},
		{args: []string{"--all=1"}, err: "option --all takes no value"},
		{args: []string{"--n", "x"}, err: `option --n: number expected, got "x"`},
		{args: []string{"--mac", "a", "--mac=b"}, err: "option --mac given twice"},
		{args: []string{"--b"}, err: "unknown option --b"},
	} {
		opts, operands, err := spec.scan(tt.args)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("%q: error %v, want %q", tt.args, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(opts, tt.opts) || !reflect.DeepEqual(operands, tt.operands) {
			t.Errorf("%q: %v, %q, %v; want %v, %q", tt.args, opts, operands, err, tt.opts, tt.operands)
		}
	}
}
