package docs

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	codeSpan = regexp.MustCompile("`([^`\n]+)`")
	// method is `(*Type).Method`, `(Type).Method` or either with a package: `(*store.Store).Apply`.
	method = regexp.MustCompile(`^\(\*?(?:([a-z][\w/]*)\.)?([A-Za-z_]\w*)\)\.([A-Za-z_]\w*)$`)
	// qualified is `package.Name`, the package by its directory: `domain.CheckFiling`,
	// `internal/holidays.TestOfficial_R14`.
	qualified = regexp.MustCompile(`^([a-z][\w/]*)\.([A-Za-z_]\w*)$`)
	// unexported is a bare camelCase name of ours, such as `statusOf` or `beginLate`.
	unexported = regexp.MustCompile(`^[a-z]+[A-Z]\w*$`)
)

// TestDocumentsNameOnlyWhatExists checks every Go name that architecture.md and
// rules.md cite in code spans — functions, methods, types, tests — against the
// declarations of the repository, so a rename or a removed test shows up here rather
// than in a reader's failed search. Names of other modules (the SDK's) are not ours to
// check and are told apart by their package not being a directory of this one.
func TestDocumentsNameOnlyWhatExists(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	decls, err := declarations(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, doc := range []string{"architecture.md", "rules.md"} {
		b, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		text := fence.ReplaceAllString(string(b), "")
		for _, m := range codeSpan.FindAllStringSubmatch(text, -1) {
			if msg := decls.check(m[1]); msg != "" {
				t.Errorf("%s: `%s`: %s", doc, m[1], msg)
			}
		}
	}
}

// decls holds, per package directory, its top-level names and its methods as Type.Method.
type decls struct {
	names   map[string]map[string]bool
	methods map[string]map[string]bool
}

func declarations(root string) (decls, error) {
	d := decls{names: map[string]map[string]bool{}, methods: map[string]map[string]bool{}}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			if name := e.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		d.add(filepath.ToSlash(rel), f)
		return nil
	})
	return d, err
}

func (d decls) add(pkg string, f *ast.File) {
	if d.names[pkg] == nil {
		d.names[pkg], d.methods[pkg] = map[string]bool{}, map[string]bool{}
	}
	for _, decl := range f.Decls {
		switch decl := decl.(type) {
		case *ast.FuncDecl:
			if decl.Recv == nil {
				d.names[pkg][decl.Name.Name] = true
			} else if len(decl.Recv.List) == 1 {
				d.methods[pkg][receiverType(decl.Recv.List[0].Type)+"."+decl.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, spec := range decl.Specs {
				switch spec := spec.(type) {
				case *ast.TypeSpec:
					d.names[pkg][spec.Name.Name] = true
				case *ast.ValueSpec:
					for _, n := range spec.Names {
						d.names[pkg][n.Name] = true
					}
				}
			}
		}
	}
}

// receiverType is the name of a method's receiver type, without pointer or type
// parameters.
func receiverType(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

// check says what is wrong with a code span that names Go code of this repository, or ""
// when it exists or is not such a name.
func (d decls) check(span string) string {
	if m := method.FindStringSubmatch(span); m != nil {
		pkg, typ, name := m[1], m[2], m[3]
		if pkg != "" {
			if _, ours := d.methods[pkg]; !ours {
				return ""
			}
			if !d.methods[pkg][typ+"."+name] {
				return "no such method in " + pkg
			}
			return ""
		}
		for _, ms := range d.methods {
			if ms[typ+"."+name] {
				return ""
			}
		}
		return "no such method in the repository"
	}
	if m := qualified.FindStringSubmatch(span); m != nil {
		names, ours := d.names[m[1]]
		if ours && !names[m[2]] {
			return "not declared in " + m[1]
		}
		return ""
	}
	if unexported.MatchString(span) {
		for pkg, names := range d.names {
			if names[span] {
				return ""
			}
			for m := range d.methods[pkg] {
				if strings.HasSuffix(m, "."+span) {
					return ""
				}
			}
		}
		return "not declared in the repository"
	}
	return ""
}
