package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var (
	// fence is a fenced code block, inlineCode a code span: links inside them are text.
	fence      = regexp.MustCompile("(?ms)^```.*?^```")
	inlineCode = regexp.MustCompile("`[^`\n]*`")
	// link is an inline Markdown link or image, with an optional title.
	link    = regexp.MustCompile(`!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	heading = regexp.MustCompile(`(?m)^#{1,6}\s+(.+?)\s*#*\s*$`)
)

// TestLinksResolveInsideTheRepository checks every relative link of the README and of
// docs/: its file exists inside the repository and its #anchor names a heading there.
// The README once cited documents that were never in the repository; this keeps that
// from coming back.
func TestLinksResolveInsideTheRepository(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.Join(root, "README.md")}
	inDocs, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, inDocs...)

	r := resolver{root: root, anchors: map[string][]string{}}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(root, file)
		for _, target := range links(string(b)) {
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
				continue
			}
			if msg := r.resolve(file, target); msg != "" {
				t.Errorf("%s: link %s: %s", rel, target, msg)
			}
		}
	}
}

func links(markdown string) []string {
	text := inlineCode.ReplaceAllString(fence.ReplaceAllString(markdown, ""), "")
	var out []string
	for _, m := range link.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

// resolver reads each linked Markdown file's headings once: docs/http.md alone is the
// target of a hundred anchors.
type resolver struct {
	root    string
	anchors map[string][]string
}

// resolve says what is wrong with a link from file, or "" when it resolves.
func (r resolver) resolve(file, target string) string {
	path, anchor, _ := strings.Cut(target, "#")
	dest := file
	if path != "" {
		dest = filepath.Join(filepath.Dir(file), filepath.FromSlash(path))
		if rel, err := filepath.Rel(r.root, dest); err != nil || strings.HasPrefix(rel, "..") {
			return "outside the repository"
		}
		if _, err := os.Stat(dest); err != nil {
			return "no such file"
		}
	}
	if anchor == "" {
		return ""
	}
	if filepath.Ext(dest) != ".md" {
		return "an anchor into a file that is not Markdown"
	}
	known, ok := r.anchors[dest]
	if !ok {
		b, err := os.ReadFile(dest)
		if err != nil {
			return err.Error()
		}
		known = anchors(string(b))
		r.anchors[dest] = known
	}
	if !slices.Contains(known, anchor) {
		return "no heading with that anchor"
	}
	return ""
}

// anchors lists a Markdown file's heading anchors as GitHub numbers them: the second
// heading with the same slug gets -1, the third -2.
func anchors(markdown string) []string {
	seen := map[string]int{}
	var out []string
	for _, m := range heading.FindAllStringSubmatch(fence.ReplaceAllString(markdown, ""), -1) {
		s := slug(strings.ReplaceAll(m[1], "`", ""))
		if n := seen[s]; n > 0 {
			out = append(out, s+"-"+strconv.Itoa(n))
		} else {
			out = append(out, s)
		}
		seen[s]++
	}
	return out
}
