package compat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/durable-go/durable/codegen/catalog"
)

// LoadPrevious reads the previous version of the catalog at catalogPath:
// against is a catalog file, or a git revision (main, v1.2.0, HEAD~1) at
// which the catalog is read from the git repository holding catalogPath,
// at the same path relative to the repository's root, or a revision and a
// path from that root (main:app/durable.yaml) when the catalog moved.
// The catalog is checked as Parse checks it; its errors name it as
// <revision>:<path>.
func LoadPrevious(ctx context.Context, catalogPath, against string) (*catalog.Config, error) {
	if against == "" {
		return nil, errors.New("--against: empty revision or file")
	}
	if st, err := os.Stat(against); err == nil && st.Mode().IsRegular() {
		return catalog.Load(against)
	}
	rev, path, hasPath := strings.Cut(against, ":")
	if strings.HasPrefix(rev, "-") || rev == "" {
		return nil, fmt.Errorf("--against %s: no such file, and not a git revision", against)
	}
	abs, err := filepath.Abs(catalogPath)
	if err != nil {
		return nil, err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	dir := filepath.Dir(abs)
	top, err := git(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("--against %s: no such file, and %s is not in a git repository (%v)", against, filepath.ToSlash(catalogPath), err)
	}
	root := strings.TrimSpace(string(top))
	if real, err := filepath.EvalSymlinks(root); err == nil {
		root = real
	}
	commit, err := git(ctx, root, "rev-parse", "--verify", "--quiet", rev+"^{commit}")
	if err != nil {
		return nil, fmt.Errorf("--against %s: no file of that name, and no commit %s in the git repository %s", against, rev, filepath.ToSlash(root))
	}
	if !hasPath {
		rel, err := filepath.Rel(root, abs)
		if err != nil || strings.HasPrefix(rel, "..") {
			return nil, fmt.Errorf("--against %s: %s is outside the git repository %s", against, filepath.ToSlash(catalogPath), filepath.ToSlash(root))
		}
		path = filepath.ToSlash(rel)
	}
	path = strings.TrimPrefix(path, "./")
	name := rev + ":" + path
	object := strings.TrimSpace(string(commit)) + ":" + path
	if _, err := git(ctx, root, "cat-file", "-e", object); err != nil {
		return nil, fmt.Errorf("--against %s: %s does not exist at %s (path from the root of the git repository %s)", against, path, rev, filepath.ToSlash(root))
	}
	data, err := git(ctx, root, "cat-file", "blob", object)
	if err != nil {
		return nil, fmt.Errorf("--against %s: reading %s: %v", against, name, err)
	}
	return catalog.Parse(name, data)
}

// git runs git in dir and returns its standard output; the error carries
// its standard error.
func git(ctx context.Context, dir string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("git is not installed: %w", err)
		}
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, errors.New(msg)
		}
		return nil, err
	}
	return out, nil
}
