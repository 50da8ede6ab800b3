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
	"github.com/durable-go/durable/codegen/internal/compat"
	"github.com/durable-go/durable/codegen/internal/gogen"
	"github.com/durable-go/durable/codegen/internal/registry"
	"github.com/durable-go/durable/codegen/internal/schemagen"
	"github.com/durable-go/durable/codegen/internal/tsgen"
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

	// output is the key of the output the file belongs to: go, schemas,
	// registry or typescript.output.
	output string
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
	fence, err := newFence(cfg, baseDir, modDir, modErr == nil)
	if err != nil {
		return nil, err
	}
	// Refuse outputs that leave the module before anything is read or
	// scanned; each file is checked again below, for symbolic links under
	// an output directory.
	for _, o := range []struct{ key, rel string }{{"go", path.Dir(out.Go)}, {"registry", path.Dir(out.Registry)}, {"schemas", out.Schemas}, {tsKey, path.Dir(cfg.TypeScript.Output)}} {
		if o.rel != "." && o.rel != "" {
			fence.check(o.key, filepath.Join(baseDir, filepath.FromSlash(o.rel)))
		}
	}
	if err := fence.err(); err != nil {
		return nil, err
	}
	add := func(key, rel string, data []byte) {
		p.Files = append(p.Files, &File{
			Path:   filepath.Join(baseDir, filepath.FromSlash(rel)),
			Name:   filepath.ToSlash(filepath.Join(baseDir, filepath.FromSlash(rel))),
			Data:   data,
			output: key,
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
			add("schemas", path.Join(out.Schemas, schemagen.Path(e)), s)
		}
	}
	if out.Go != "" {
		src, err := gogen.Events(cfg, schemas, source)
		if err != nil {
			return nil, err
		}
		add("go", out.Go, src)
	}
	if ts := cfg.TypeScript.Output; ts != "" {
		add(tsKey, ts, tsgen.Declarations(cfg, source))
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
		add("registry", out.Registry, src)
	}
	for _, f := range p.Files {
		fence.check(f.output, filepath.Dir(f.Path))
	}
	if err := fence.err(); err != nil {
		return nil, err
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

// Compatibility compares the plan's catalog with its previous version,
// against: a catalog file or a git revision (see compat.LoadPrevious). It
// lists every change to an event; those whose Fails method reports true
// are breaking changes made without a new v.
func (p *Plan) Compatibility(ctx context.Context, against string) ([]compat.Finding, error) {
	old, err := compat.LoadPrevious(ctx, p.Config.File, against)
	if err != nil {
		return nil, err
	}
	return compat.Compare(old, p.Config), nil
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
// first, then, once all are written, renamed over the target; deleted
// schemas are removed last. Files that are up to date are not touched. On an
// error nothing is left half-done: temporary files and the directories made
// for them are removed, and the files already replaced or deleted get their
// old content back.
func (p *Plan) Write() error {
	type pending struct {
		f   *File
		tmp string
	}
	var made []string // directories made, parents first
	var todo []pending
	var done []*File // files replaced or deleted, to restore on an error
	fail := func(err error) error {
		for _, t := range todo {
			os.Remove(t.tmp)
		}
		for _, f := range done {
			if rerr := restore(f); rerr != nil {
				err = errors.Join(err, fmt.Errorf("restoring %s: %w", f.Name, rerr))
			}
		}
		for i := len(made) - 1; i >= 0; i-- {
			os.Remove(made[i]) // only if empty: another file may live there now
		}
		return err
	}
	stale := p.Stale()
	for _, f := range stale {
		if f.Data == nil {
			continue
		}
		dirs, err := mkdirs(filepath.Dir(f.Path))
		made = append(made, dirs...)
		if err != nil {
			return fail(err)
		}
		tmp, err := writeTemp(f.Path, f.Data)
		if err != nil {
			return fail(fmt.Errorf("writing %s: %w", f.Name, err))
		}
		todo = append(todo, pending{f, tmp})
	}
	for len(todo) > 0 {
		t := todo[0]
		if err := os.Rename(t.tmp, t.f.Path); err != nil {
			return fail(fmt.Errorf("writing %s: %w", t.f.Name, err))
		}
		todo = todo[1:]
		done = append(done, t.f)
	}
	for _, f := range stale {
		if f.Data != nil {
			continue
		}
		if err := os.Remove(f.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fail(err)
		}
		done = append(done, f)
	}
	for _, f := range stale {
		f.Old, f.Exists = f.Data, f.Data != nil
	}
	return nil
}

// writeTemp writes data to a new temporary file in the directory of target,
// returning its path.
func writeTemp(target string, data []byte) (string, error) {
	tmp, err := os.CreateTemp(filepath.Dir(target), ".durable-generate-*")
	if err != nil {
		return "", err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr, os.Chmod(tmp.Name(), 0o644)); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}

// restore puts back the content f had before Write replaced or deleted it,
// or removes f if it did not exist.
func restore(f *File) error {
	if !f.Exists {
		return os.Remove(f.Path)
	}
	tmp, err := writeTemp(f.Path, f.Old)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, f.Path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// mkdirs makes dir and its missing parents, returning the ones it made,
// parents first.
func mkdirs(dir string) ([]string, error) {
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil {
			break
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	var made []string
	for i := len(missing) - 1; i >= 0; i-- {
		if err := os.Mkdir(missing[i], 0o755); err != nil {
			if errors.Is(err, fs.ErrExist) {
				continue
			}
			return made, err
		}
		made = append(made, missing[i])
	}
	return made, nil
}

// fence keeps the outputs inside the catalog's module (or, with no go.mod,
// the catalog's directory), symbolic links resolved: a catalog must not make
// durable generate write or delete files elsewhere.
type fence struct {
	cfg *catalog.Config
	// root is the module's directory, symbolic links resolved; shown is
	// how messages name it.
	root, shown string
	errs        catalog.ErrorList
	reported    map[string]bool
}

func newFence(cfg *catalog.Config, baseDir, modDir string, inModule bool) (*fence, error) {
	shown := "the module in " + modDir
	if !inModule {
		abs, err := filepath.Abs(baseDir)
		if err != nil {
			return nil, err
		}
		modDir, shown = abs, "the catalog's directory "+abs+" (there is no go.mod)"
	}
	root, err := filepath.EvalSymlinks(modDir)
	if err != nil {
		return nil, err
	}
	return &fence{cfg: cfg, root: root, shown: shown, reported: map[string]bool{}}, nil
}

// tsKey is the key of the TypeScript output, as fence.check takes it.
const tsKey = "typescript.output"

// check records an error naming output.<key> (or typescript.output) when
// dir, a directory an output is written in, resolves to a place outside the
// root.
func (f *fence) check(key, dir string) {
	if f.reported[key] {
		return
	}
	lexical, err := filepath.Abs(dir)
	real := lexical
	if err == nil {
		real, err = resolveExisting(lexical)
	}
	var problem string
	switch {
	case err != nil:
		problem = err.Error()
	case within(f.root, real):
		return
	case real == lexical:
		problem = fmt.Sprintf("%s is outside %s", filepath.ToSlash(dir), f.shown)
	default:
		problem = fmt.Sprintf("%s resolves to %s, outside %s", filepath.ToSlash(dir), filepath.ToSlash(real), f.shown)
	}
	f.reported[key] = true
	o := f.cfg.Output
	at, name := o.Keys.Of(key, o.Pos), "output."+key
	if key == tsKey {
		ts := f.cfg.TypeScript
		at, name = ts.Keys.Of("output", ts.Pos), key
	}
	f.errs = append(f.errs, &catalog.Error{File: f.cfg.File, Pos: at, Msg: fmt.Sprintf("%s: %s", name, problem)})
}

func (f *fence) err() error {
	if len(f.errs) == 0 {
		return nil
	}
	return f.errs
}

// resolveExisting resolves the symbolic links of the longest existing
// prefix of the absolute, clean path p, keeping the rest as it is.
func resolveExisting(p string) (string, error) {
	rest := ""
	for {
		real, err := filepath.EvalSymlinks(p)
		if err == nil {
			return filepath.Join(real, rest), nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(p)
		if parent == p {
			return filepath.Join(p, rest), nil
		}
		rest = filepath.Join(filepath.Base(p), rest)
		p = parent
	}
}

// within reports whether path is root or under it.
func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
