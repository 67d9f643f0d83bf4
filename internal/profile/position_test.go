package profile

import (
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/omapish/omapish/internal/spell"
)

func TestScanKeys(t *testing.T) {
	src := `# a comment with [brackets] and key = "x"
title = """
[fake.header]
fake = "1"
"""
lit = '''it's '' '''
"quoted.key" = 1
'lit key' = 2
a . b. c = 3
dt = 1979-05-27 07:32:00
inl = { x = 1, y = { z = [1, { w = 2 }] },
        "after nl" = 3, }
arr = [
  "a", # comment ]
  'b', """c
""",
]
[ tbl . "sub tbl" ]
k = "v\"q" # x
[[aot]]
m = 1
[esc]
"k\u00e9y" = 1
"\x41" = 2
	tab = 3
`
	var m map[string]any
	if _, err := toml.Decode(src, &m); err != nil {
		t.Fatalf("test input is not TOML: %v", err)
	}
	pos := scanKeys(src)
	for key, want := range map[string]position{
		"title":           {2, 1},
		"lit":             {6, 1},
		"quoted.key":      {7, 1},
		"lit key":         {8, 1},
		"a":               {9, 1},
		"a/b":             {9, 5},
		"a/b/c":           {9, 8},
		"dt":              {10, 1},
		"inl":             {11, 1},
		"inl/x":           {11, 9},
		"inl/y":           {11, 16},
		"inl/y/z":         {11, 22},
		"inl/after nl":    {12, 9},
		"arr":             {13, 1},
		"tbl":             {18, 3},
		"tbl/sub tbl":     {18, 9},
		"tbl/sub tbl/k":   {19, 1},
		"aot":             {20, 3},
		"aot/m":           {21, 1},
		"esc/k\u00e9y":    {23, 1},
		"esc/A":           {24, 1},
		"esc/tab":         {25, 2},
		"fake":            {},
		"fake/header":     {},
		"inl/y/z/w":       {11, 32}, // keys in arrays count under the array's key
		"it's":            {},
		"arr/comment ]":   {},
		"arr/a":           {},
		"title/fake":      {},
		"esc/\\u00e9":     {},
		"tbl/sub tbl/k/x": {},
	} {
		got := pos[strings.ReplaceAll(key, "/", pathSep)]
		if got != want {
			t.Errorf("position of %q = %v; want %v", key, got, want)
		}
	}
	checkAllKeysFound(t, src, m, pos)
}

// checkAllKeysFound fails when a key of the decoded document m has no
// position of its own. Keys inside arrays are not checked.
func checkAllKeysFound(tb testing.TB, src string, m map[string]any, pos keyPositions) {
	tb.Helper()
	var walk func(prefix []string, m map[string]any)
	walk = func(prefix []string, m map[string]any) {
		for k, v := range m {
			key := child(prefix, k)
			if _, ok := pos[strings.Join(key, pathSep)]; !ok {
				tb.Errorf("no position for key %s in:\n%s", keyString(key), src)
			}
			if t, ok := v.(map[string]any); ok {
				walk(key, t)
			}
		}
	}
	walk(nil, m)
}

func TestSyntaxErrorPosition(t *testing.T) {
	for _, tt := range []struct{ src, want string }{
		{"[servers.a\n", "c.toml:1:11: "},
		{"a = \"x\nb = 1\n", "c.toml:1:"},
		{"a = 1\nb = \n", "c.toml:2:"},
		{"a = 1\n\n\nb = [1,\n2,\nx]\n", "c.toml:6:1: "},
	} {
		var m map[string]any
		_, err := toml.Decode(tt.src, &m)
		if err == nil {
			t.Fatalf("%q decoded", tt.src)
		}
		if got := syntaxError("c.toml", tt.src, err).Error(); !strings.HasPrefix(got, tt.want) {
			t.Errorf("syntax error for %q = %q; want it to start %q", tt.src, got, tt.want)
		}
	}
}

func TestKeyString(t *testing.T) {
	for _, tt := range []struct {
		key  []string
		want string
	}{
		{[]string{"servers", "local", "address"}, "servers.local.address"},
		{[]string{"servers", "my host"}, `servers."my host"`},
		{[]string{"servers", "a.b"}, `servers."a.b"`},
		{[]string{"servers", ""}, `servers.""`},
		{[]string{"servers", "h\u00e9"}, "servers.\"h\u00e9\""},
	} {
		if got := keyString(tt.key); got != tt.want {
			t.Errorf("keyString(%q) = %s; want %s", tt.key, got, tt.want)
		}
	}
}

func TestSuggestKey(t *testing.T) {
	if got := spell.Closest("key", serverKeys, 2); got != "" {
		t.Errorf("suggest(key) = %q; want nothing", got)
	}
	if got := spell.Closest("secrets", serverKeys, 2); got != "secret" {
		t.Errorf("suggest(secrets) = %q; want secret", got)
	}
}
