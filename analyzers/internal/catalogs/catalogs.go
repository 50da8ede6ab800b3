// Package catalogs finds and caches the event catalog (durable.yaml) that
// applies to a package, for the analyzers that check code against it.
package catalogs

import (
	"os"
	"path/filepath"
	"sync"

	"github.com/durable-go/durable/codegen/catalog"
)

var cache sync.Map // path -> *catalog.Config (nil when unreadable)

// For returns the catalog at path, or, when path is empty, the first
// durable.yaml found from dir upward, stopping at the module root (the
// directory holding go.mod). It returns nil when there is none or it does
// not load: `durable generate` reports catalog errors, not the analyzers.
func For(dir, path string) *catalog.Config {
	if path == "" {
		path = find(dir)
	}
	if path == "" {
		return nil
	}
	if c, ok := cache.Load(path); ok {
		return c.(*catalog.Config)
	}
	cfg, err := catalog.Load(path)
	if err != nil {
		cfg = nil
	}
	cache.Store(path, cfg)
	return cfg
}

func find(dir string) string {
	for d := dir; ; {
		p := filepath.Join(d, "durable.yaml")
		if _, err := os.Stat(p); err == nil {
			return p
		}
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return ""
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}
