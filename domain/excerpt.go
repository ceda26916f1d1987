package domain

// MaxExcerpt is how many characters of a client's text a refusal repeats.
const MaxExcerpt = 64

// Excerpt is s cut to MaxExcerpt characters, with "…" when it was longer. Refusals name
// the input they refuse (an unknown field, a bad code, a query value) so the client can
// find it, but a refusal must never echo a megabyte back: whatever quotes input, in the
// rules or at the API's edge, quotes Excerpt of it. A cut never splits a UTF-8 sequence.
func Excerpt(s string) string {
	if len(s) <= MaxExcerpt { // bytes bound characters
		return s
	}
	n := 0
	for i := range s {
		if n == MaxExcerpt {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
