package main

import (
	"bytes"
	"cmp"
	"fmt"
	"go/format"
	"os"
	"slices"
	"sort"
)

// fileEdit is a replacement of the bytes [start, end) of a file.
type fileEdit struct {
	start, end int
	text       string
}

func (a fileEdit) conflicts(b fileEdit) bool {
	if a == b {
		return false // the same edit, from a duplicate finding
	}
	if a.start == a.end || b.start == b.end {
		// An insertion conflicts with an edit around or at its point.
		return a.start <= b.end && b.start <= a.end
	}
	return a.start < b.end && b.start < a.end
}

// applyFixes applies the first suggested fix of each finding. A fix whose
// edits overlap those of a fix already taken is left out whole (its
// finding stays reported). Each changed file is gofmt'ed and written; a
// fix that would leave a file unparsable is an error and nothing is
// written. It returns the files it wrote.
func applyFixes(findings []*finding) ([]string, error) {
	accepted := map[string][]fileEdit{}
	for _, f := range findings {
		if len(f.Fixes) == 0 {
			continue
		}
		edits := map[string][]fileEdit{}
		ok := true
		for _, e := range f.Fixes[0].Edits {
			if e.Start.path == "" || e.Start.path != e.End.path || e.End.offset < e.Start.offset {
				ok = false
				break
			}
			edits[e.Start.path] = append(edits[e.Start.path], fileEdit{e.Start.offset, e.End.offset, e.NewText})
		}
		if !ok {
			continue
		}
	check:
		for file, es := range edits {
			for _, e := range es {
				for _, a := range accepted[file] {
					if e.conflicts(a) {
						ok = false
						break check
					}
				}
			}
		}
		if !ok {
			continue
		}
		for file, es := range edits {
			for _, e := range es {
				if !slices.Contains(accepted[file], e) {
					accepted[file] = append(accepted[file], e)
				}
			}
		}
	}
	files := make([]string, 0, len(accepted))
	for file := range accepted {
		files = append(files, file)
	}
	sort.Strings(files)
	out := map[string][]byte{}
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		es := accepted[file]
		slices.SortFunc(es, func(a, b fileEdit) int { return cmp.Or(cmp.Compare(a.start, b.start), cmp.Compare(a.end, b.end)) })
		var b bytes.Buffer
		last := 0
		for _, e := range es {
			if e.end > len(src) {
				return nil, fmt.Errorf("%s changed while linting; run durable lint again", file)
			}
			b.Write(src[last:e.start])
			b.WriteString(e.text)
			last = e.end
		}
		b.Write(src[last:])
		formatted, err := format.Source(b.Bytes())
		if err != nil {
			return nil, fmt.Errorf("the fixes for %s do not leave valid Go (%v); nothing was written", file, err)
		}
		out[file] = formatted
	}
	var wrote []string
	for _, file := range files {
		info, err := os.Stat(file)
		if err != nil {
			return wrote, err
		}
		if err := os.WriteFile(file, out[file], info.Mode().Perm()); err != nil {
			return wrote, err
		}
		wrote = append(wrote, file)
	}
	return wrote, nil
}
