package vettool

import (
	"bytes"
	"crypto/sha256"
	"debug/elf"
	"encoding/binary"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/durable-go/durable/analyzers/lintconfig"
)

// toolID is what the tool prints for -V=full: go vet keys its cache of
// each package's facts and findings by it (and by the vet flags). It
// changes when the executable changes (its Go build ID) and when any
// durable.yaml that an analyzer may read changes: the lint settings that
// durable-vet applies, and the event catalog that eventname, exprcheck and
// sensitive check code against.
func toolID(progname string) (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	id, err := executableID(exe)
	if err != nil {
		return "", err
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "exe %s\n", id)
	for _, f := range configFiles(wd) {
		data, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		// Relative: the same tree in another place shares the cache.
		rel, err := filepath.Rel(wd, f)
		if err != nil {
			rel = f
		}
		fmt.Fprintf(h, "config %s %d\n", filepath.ToSlash(rel), len(data))
		h.Write(data)
	}
	// The form go vet expects from a tool built outside a release:
	// "<name> version devel ... buildID=<id>".
	return fmt.Sprintf("%s version devel durable buildID=%x", progname, h.Sum(nil)), nil
}

// configFiles lists the durable.yaml files that apply to the packages go
// vet checks from dir: those of dir and its parents up to the module root,
// and those below dir in the same module (a package lints with the
// nearest one above it).
func configFiles(dir string) []string {
	var files []string
	if f := lintconfig.Find(dir); f != "" {
		files = append(files, f)
	}
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		if path != dir {
			name := d.Name()
			if name == "testdata" || name == "vendor" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // another module
			}
			f := filepath.Join(path, lintconfig.FileName)
			if _, err := os.Stat(f); err == nil {
				files = append(files, f)
			}
		}
		return nil
	})
	return files
}

// executableID identifies the executable's content: the Go build ID the
// linker records (read without reading the whole file), or a hash of the
// file when there is none.
func executableID(exe string) (string, error) {
	if f, err := elf.Open(exe); err == nil {
		defer f.Close()
		if s := f.Section(".note.go.buildid"); s != nil {
			if data, err := s.Data(); err == nil && len(data) > 16 {
				nameSize := binary.LittleEndian.Uint32(data[0:4])
				descSize := binary.LittleEndian.Uint32(data[4:8])
				desc := 12 + (int(nameSize)+3)&^3
				if desc+int(descSize) <= len(data) && bytes.HasPrefix(data[12:], []byte("Go\x00")) {
					return string(data[desc : desc+int(descSize)]), nil
				}
			}
		}
	}
	f, err := os.Open(exe)
	if err != nil {
		return "", err
	}
	defer f.Close()
	// Other formats put the build ID at the start of the text segment.
	head := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	const prefix = "\xff Go build ID: \""
	if i := bytes.Index(head, []byte(prefix)); i >= 0 {
		rest := head[i+len(prefix):]
		if j := bytes.IndexByte(rest, '"'); j > 0 {
			return string(rest[:j]), nil
		}
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return fmt.Sprintf("sha256:%x", h.Sum(nil)), nil
}
