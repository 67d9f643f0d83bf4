package luaapi

import (
	"reflect"
	"strings"
	"testing"
)

// TestFindDocs: help("name") finds a Doc by its name, by its name with
// "." for ":", or every Doc whose last part is the name's.
func TestFindDocs(t *testing.T) {
	docs := []Doc{{Name: "omapi.connect"}, {Name: "conn:lookup_ip"}, {Name: "omapi.lookup_ip"}, {Name: "omapi.message.new"}, {Name: "keys"}}
	for _, tt := range []struct {
		name string
		want []string
	}{
		{"omapi.connect", []string{"omapi.connect"}},
		{"connect", []string{"omapi.connect"}},
		{"conn.lookup_ip", []string{"conn:lookup_ip"}},
		{"lookup_ip", []string{"conn:lookup_ip", "omapi.lookup_ip"}},
		{"message.new", []string{"omapi.message.new"}},
		{"keys", []string{"keys"}},
		{"nosuch", nil},
	} {
		var got []string
		for _, d := range FindDocs(docs, tt.name) {
			got = append(got, d.Name)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("FindDocs(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestWriteIndex: one line a Doc, the summaries aligned (labels longer
// than 40 characters push theirs out).
func TestWriteIndex(t *testing.T) {
	var b strings.Builder
	WriteIndex(&b, []Doc{
		{Name: "a", Signature: "a() -> x", Summary: "A."},
		{Name: "b", Summary: "B."},
		{Name: "c"},
		{Name: "d", Signature: strings.Repeat("d", 45), Summary: "D."},
	})
	want := "  a() -> x                                  A.\n" +
		"  b                                         B.\n" +
		"  c\n" +
		"  " + strings.Repeat("d", 45) + "  D.\n"
	if b.String() != want {
		t.Errorf("WriteIndex:\n%s\nwant:\n%s", b.String(), want)
	}
}
