package spell

import "testing"

func TestDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"secret", "secret", 0},
		{"secrets", "secret", 1},
		{"conect", "connect", 1},
		{"lookup_ipp", "lookup_ip", 1},
		{"kitten", "sitting", 3},
		{"hostname", "client-hostname", 7},
	} {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	known := []string{"connect", "close", "lookup_ip", "lookup_mac", "x"}
	for _, tt := range []struct {
		s      string
		within int
		want   string
	}{
		{"conect", 2, "connect"},
		{"lookup_ipp", 2, "lookup_ip"},
		{"lookup_mca", 2, "lookup_mac"}, // a transposition is two edits
		{"lookup_mca", 1, ""},
		{"y", 2, ""},      // one edit, but as long as "x" itself
		{"zzzzzz", 2, ""}, // nothing near
		{"close", 2, "close"},
	} {
		if got := Closest(tt.s, known, tt.within); got != tt.want {
			t.Errorf("Closest(%q, within %d) = %q, want %q", tt.s, tt.within, got, tt.want)
		}
	}
}
