package lua

// Regression tests for omapish's patches to number formatting and
// parsing (PATCHES.md); the expected strings are what lua5.1 prints.

import "testing"

func TestNumberToStringAsLua51(t *testing.T) {
	tests := []struct {
		lua, want string
	}{
		{"1e15", "1e+15"},
		{"1e16", "1e+16"},
		{"0.1", "0.1"},
		{"0.1 + 0.2", "0.3"},
		{"-(0)", "-0"},
		{"0", "0"},
		{"1/0", "inf"},
		{"-1/0", "-inf"},
		{"math.huge", "inf"},
		{"-math.huge", "-inf"},
		{"2^53", "9.007199254741e+15"},
		{"3.0", "3"},
		{"1e100", "1e+100"},
		{"99999999999999", "99999999999999"},
		{"-99999999999999", "-99999999999999"},
		{"1e14", "1e+14"},
		{"2^63", "9.2233720368548e+18"},
		{"1/3", "0.33333333333333"},
		{"1e-5", "1e-05"},
		{"math.pi", "3.1415926535898"},
		{"2^-1074", "4.9406564584125e-324"},
		{"-(0/0)", "nan"},
	}
	L := NewState()
	defer L.Close()
	for _, tt := range tests {
		if err := L.DoString("result = tostring(" + tt.lua + ")"); err != nil {
			t.Fatal(err)
		}
		if got := L.GetGlobal("result").String(); got != tt.want {
			t.Errorf("tostring(%s) = %q, want %q", tt.lua, got, tt.want)
		}
	}
}

func TestStringToNumberAsLua51(t *testing.T) {
	tests := []struct {
		lua, want string
	}{
		{`tonumber("1e2")`, "100"},
		{`tonumber("010")`, "10"},
		{`"010" + 0`, "10"},
		{`010`, "10"},
		{`tonumber("0x10")`, "16"},
		{`tonumber("-0x10")`, "-16"},
		{`tonumber(" 0x1p4 ")`, "16"},
		{`tonumber("0b1")`, "nil"},
		{`tonumber("0o7")`, "nil"},
		{`tonumber("1_000")`, "nil"},
		{`tonumber("0x")`, "nil"},
		{`tonumber("--1")`, "nil"},
		{`tonumber("5 x")`, "nil"},
		{`tonumber("\v5\f")`, "5"},
		{`tonumber("1e400")`, "inf"},
		{`tonumber(".5")`, "0.5"},
		{`tonumber("5.")`, "5"},
		{`tonumber("ff", 16)`, "255"},
	}
	L := NewState()
	defer L.Close()
	for _, tt := range tests {
		if err := L.DoString("result = tostring(" + tt.lua + ")"); err != nil {
			t.Fatal(err)
		}
		if got := L.GetGlobal("result").String(); got != tt.want {
			t.Errorf("%s = %q, want %q", tt.lua, got, tt.want)
		}
	}
}
