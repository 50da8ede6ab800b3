package catalog

import (
	"bytes"
	"errors"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
)

// Load reads and checks the catalog file at path. On failure the error is
// an ErrorList naming every problem, or the error reading the file.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Parse decodes and checks a catalog; file names it in error messages. On
// failure the error is an ErrorList naming every problem.
func Parse(file string, data []byte) (*Config, error) {
	d := &decoder{file: file}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.errorAt(Pos{Line: 1, Col: 1}, "the catalog is empty; it needs at least version and output")
			return nil, d.errs.Err()
		}
		msg, line := err.Error(), 1
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = m[2]
		}
		d.errorAt(Pos{Line: line, Col: 1}, "invalid YAML: %s", msg)
		return nil, d.errs.Err()
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.errorAt(pos(&extra), "a catalog holds one YAML document; remove the second one")
	}
	if !d.checkAliases(&doc) {
		return nil, d.errs.Err()
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	root = resolve(root)
	cfg := &Config{File: file}
	if root.Kind != yaml.MappingNode {
		d.errorf(root, "the catalog must be a mapping with version, package, output, types and events; got %s", describe(root))
		return nil, d.errs.Err()
	}
	d.decode(root, reflect.ValueOf(cfg).Elem(), "")
	cfg.typeIndex = make(map[string]int, len(cfg.Types))
	for i, t := range cfg.Types {
		cfg.typeIndex[t.Name] = i
	}
	v := &validator{d: d, cfg: cfg, dupEvents: map[*Event]bool{}}
	v.validate()
	if err := d.errs.Err(); err != nil {
		return nil, err
	}
	return cfg, nil
}
