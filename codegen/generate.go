package codegen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/durable-go/durable/codegen/catalog"
	"github.com/durable-go/durable/codegen/internal/gogen"
	"github.com/durable-go/durable/codegen/internal/registry"
	"github.com/durable-go/durable/codegen/internal/schemagen"
)

// Options configure a generation.
type Options struct {
	// Config is the path of the catalog file (durable.yaml).
	Config string
	// Env is the environment of the go command the registry scan runs; nil
	// means os.Environ().
	Env []string
}

// File is one output of a generation.
type File struct {
	// Path is where the file goes; Name is Path as shown to users
	// (relative to the catalog's directory, joined to the directory the
	// catalog was named from).
	Path string
	Name string
	// Data is the generated content; nil means the file is to be deleted
	// (a schema of an event no longer in the catalog).
	Data []byte
	// Old is the file's current content, and Exists whether it exists.
	Old    []byte
	Exists bool
}

// Stale reports whether the file on disk differs from what is generated.
func (f *File) Stale() bool {
	if f.Data == nil {
		return f.Exists
	}
	return !f.Exists || !bytes.Equal(f.Old, f.Data)
}

// Plan is the outcome of a generation, computed before anything is
// written.
type Plan struct {
	Config *catalog.Config
	// Files are every output, sorted by path.
	Files []*File
	// Functions are the functions the registry lists.
	Functions []registry.Function
	// Warnings do not stop generation (packages with errors, functions the
	// registry skips).
	Warnings []string
}

// Error is the failure of a generation: every problem found, one per line
// of its message, each naming its file:line:col.
type Error struct {
	Problems []string
}

func (e *Error) Error() string { return strings.Join(e.Problems, "\n") }

// Generate plans a generation and writes the stale files.
func Generate(ctx context.Context, opts Options) (*Plan, error) {
	p, err := NewPlan(ctx, opts)
	if err != nil {
		return nil, err
	}
	return p, p.Write()
}

// NewPlan reads the catalog, scans the module when a registry is asked for,
// and computes every output, writing nothing. Catalog errors come back as a
// catalog.ErrorList, registry errors as an *Error.
func NewPlan(ctx context.Context, opts Options) (*Plan, error) {
	cfg, err := catalog.Load(opts.Config)
	if err != nil {
		return nil, err
	}
	baseDir := filepath.Dir(opts.Config)
	p := &Plan{Config: cfg}
	source := filepath.Base(opts.Config)
	modDir, modPath, modErr := registry.FindModule(baseDir)
	if modErr == nil {
		absCfg, err := filepath.Abs(opts.Config)
		if err == nil {
			if rel, err := filepath.Rel(modDir, absCfg); err == nil && !strings.HasPrefix(rel, "..") {
				source = filepath.ToSlash(rel)
			}
		}
	}
	out := cfg.Output
	add := func(rel string, data []byte) {
		p.Files = append(p.Files, &File{
			Path: filepath.Join(baseDir, filepath.FromSlash(rel)),
			Name: filepath.ToSlash(filepath.Join(baseDir, filepath.FromSlash(rel))),
			Data: data,
		})
	}

	schemas := map[string][]byte{}
	for i := range cfg.Events {
		e := &cfg.Events[i]
		s, err := schemagen.Event(cfg, e, source)
		if err != nil {
			return nil, err
		}
		schemas[e.Name] = s
		if out.Schemas != "" {
			add(path.Join(out.Schemas, schemagen.Path(e)), s)
		}
	}
	if out.Go != "" {
		src, err := gogen.Events(cfg, schemas, source)
		if err != nil {
			return nil, err
		}
		add(out.Go, src)
	}
	if out.Registry != "" {
		if modErr != nil {
			return nil, fmt.Errorf("output.registry: %w", modErr)
		}
		regDir, err := filepath.Abs(filepath.Join(baseDir, filepath.Dir(filepath.FromSlash(out.Registry))))
		if err != nil {
			return nil, err
		}
		rel, err := filepath.Rel(modDir, regDir)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, fmt.Errorf("output.registry: %s is outside the module in %s", out.Registry, modDir)
		}
		regPkg := modPath
		if rel != "." {
			regPkg += "/" + filepath.ToSlash(rel)
		}
		res, err := registry.Scan(ctx, modDir, registry.Options{RegistryPkgPath: regPkg, Env: opts.Env})
		if err != nil {
			return nil, err
		}
		for _, w := range res.Warnings {
			p.Warnings = append(p.Warnings, relPos(w.String()))
		}
		if len(res.Errors) > 0 {
			e := &Error{}
			for _, pr := range res.Errors {
				e.Problems = append(e.Problems, relPos(pr.String()))
			}
			return nil, e
		}
		p.Functions = res.Functions
		src, err := gogen.Registry(regPkg, catalog.RegistryPackage(out.Registry), res.Functions, source)
		if err != nil {
			return nil, err
		}
		add(out.Registry, src)
	}
	if out.Schemas != "" {
		if err := p.staleSchemas(filepath.Join(baseDir, filepath.FromSlash(out.Schemas))); err != nil {
			return nil, err
		}
	}
	slices.SortFunc(p.Files, func(a, b *File) int { return strings.Compare(a.Path, b.Path) })
	for i := 1; i < len(p.Files); i++ {
		if p.Files[i].Path == p.Files[i-1].Path {
			return nil, fmt.Errorf("two outputs are written to %s", p.Files[i].Name)
		}
	}
	for _, f := range p.Files {
		if f.Data == nil {
			continue // a stale schema: read by staleSchemas
		}
		old, err := os.ReadFile(f.Path)
		switch {
		case err == nil:
			f.Old, f.Exists = old, true
		case errors.Is(err, fs.ErrNotExist):
		default:
			return nil, err
		}
	}
	return p, nil
}

// relPos shortens absolute paths under the working directory.
func relPos(s string) string {
	wd, err := os.Getwd()
	if err != nil {
		return s
	}
	return strings.ReplaceAll(s, wd+string(filepath.Separator), "")
}

// staleSchemas adds, for deletion, the generated schemas under dir that
// the catalog no longer produces. Hand-written JSON files are left alone.
func (p *Plan) staleSchemas(dir string) error {
	want := map[string]bool{}
	for _, f := range p.Files {
		want[filepath.Clean(f.Path)] = true
	}
	err := filepath.WalkDir(dir, func(fp string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() || !strings.HasSuffix(fp, ".json") || want[filepath.Clean(fp)] {
			return nil
		}
		data, err := os.ReadFile(fp)
		if err != nil {
			return err
		}
		if schemagen.IsGenerated(data) {
			p.Files = append(p.Files, &File{Path: fp, Name: filepath.ToSlash(fp), Old: data, Exists: true})
		}
		return nil
	})
	return err
}

// Stale returns the files that differ from what is generated.
func (p *Plan) Stale() []*File {
	var out []*File
	for _, f := range p.Files {
		if f.Stale() {
			out = append(out, f)
		}
	}
	return out
}

// Diff returns a unified diff from the files on disk to the generated
// ones, for every stale file.
func (p *Plan) Diff() string {
	var b strings.Builder
	for _, f := range p.Stale() {
		from, to := "a/"+f.Name, "b/"+f.Name
		if !f.Exists {
			from = "/dev/null"
		}
		if f.Data == nil {
			to = "/dev/null"
		}
		d, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
			A:        difflib.SplitLines(string(f.Old)),
			B:        difflib.SplitLines(string(f.Data)),
			FromFile: from,
			ToFile:   to,
			Context:  3,
		})
		if err != nil {
			fmt.Fprintf(&b, "%s: %v\n", f.Name, err)
			continue
		}
		b.WriteString(d)
		if !strings.HasSuffix(d, "\n") {
			b.WriteString("\n")
		}
	}
	return b.String()
}

// Write writes the stale files: each to a temporary file in its directory
// first, then, once all are written, renamed over the target. Deleted
// schemas are removed last. Files that are up to date are not touched.
func (p *Plan) Write() error {
	type pending struct{ tmp, target string }
	var done []pending
	cleanup := func() {
		for _, d := range done {
			os.Remove(d.tmp)
		}
	}
	stale := p.Stale()
	for _, f := range stale {
		if f.Data == nil {
			continue
		}
		dir := filepath.Dir(f.Path)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			cleanup()
			return err
		}
		tmp, err := os.CreateTemp(dir, ".durable-generate-*")
		if err != nil {
			cleanup()
			return err
		}
		done = append(done, pending{tmp.Name(), f.Path})
		_, werr := tmp.Write(f.Data)
		cerr := tmp.Close()
		if err := errors.Join(werr, cerr, os.Chmod(tmp.Name(), 0o644)); err != nil {
			cleanup()
			return fmt.Errorf("writing %s: %w", f.Name, err)
		}
	}
	for i, d := range done {
		if err := os.Rename(d.tmp, d.target); err != nil {
			for _, rest := range done[i:] {
				os.Remove(rest.tmp)
			}
			return fmt.Errorf("writing %s: %w", d.target, err)
		}
	}
	for _, f := range stale {
		if f.Data == nil {
			if err := os.Remove(f.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
			f.Old, f.Exists = nil, false
			continue
		}
		f.Old, f.Exists = f.Data, true
	}
	return nil
}
