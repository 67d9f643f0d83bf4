// Package spell finds the word a misspelling most likely meant, for the
// "did you mean" of omapish's messages (configuration keys, attribute
// names, functions and methods of the Lua module).
package spell

// Closest returns the word of known closest to s by edit distance, when
// it is at most within edits away and fewer edits than its length (so
// that "ab" does not "mean" "x"); "" when none is. Ties go to the first.
func Closest(s string, known []string, within int) string {
	best, bestD := "", within+1
	for _, w := range known {
		if d := Distance(s, w); d < bestD && d < len(w) {
			best, bestD = w, d
		}
	}
	return best
}

// Distance is the Levenshtein distance between a and b, in bytes.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
