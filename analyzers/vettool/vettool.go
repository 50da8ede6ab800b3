// Package vettool runs the durable analyzers as go vet's analysis tool
// (-vettool), the unitchecker protocol: go vet runs the tool once per
// package with the facts of the package's dependencies, and caches each
// package's facts and findings keyed by the tool's -V=full output and the
// vet flags. Both durable-vet and `durable lint` (which runs go vet with
// the durable binary itself as the tool) are this package's Main.
package vettool

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/unitchecker"
	"gopkg.in/yaml.v3"

	"github.com/durable-go/durable/analyzers/lintconfig"
	"github.com/durable-go/durable/codegen/catalog"
)

// LogEnv names a file to which the tool appends the ID of each package it
// analyzes (tests use it to see which packages go vet replayed from its
// cache instead of running the tool).
const LogEnv = "DURABLE_VETTOOL_LOG"

// IsInvocation reports whether args (without the program name) are a call
// from go vet: -V=full, -flags, or flags followed by a *.cfg file.
func IsInvocation(args []string) bool {
	if len(args) == 1 && (args[0] == "-V=full" || args[0] == "-flags") {
		return true
	}
	return len(args) > 0 && strings.HasSuffix(args[len(args)-1], ".cfg")
}

// Options say where the analyzers' settings come from.
type Options struct {
	// ReadConfig applies the lint section of the durable.yaml found from
	// the package's directory up to its module root before the flags go
	// vet passes (durable-vet). durable lint turns that section into vet
	// flags itself, so that they are part of vet's cache key.
	ReadConfig bool
}

// Main serves go vet's call with os.Args and exits.
func Main(analyzers []*analysis.Analyzer, opts Options) {
	progname := filepath.Base(os.Args[0])
	args := os.Args[1:]
	if slices.Equal(args, []string{"-V=full"}) {
		if opts.ReadConfig {
			// Report a broken durable.yaml once, before go vet starts
			// (it stops when -V=full fails), rather than once a package.
			if wd, err := os.Getwd(); err == nil {
				if _, err := configFlags(wd, analyzers); err != nil {
					fail(progname, err)
				}
			}
		}
		id, err := toolID(progname)
		if err != nil {
			fail(progname, err)
		}
		fmt.Println(id)
		os.Exit(0)
	}
	if len(args) > 0 && strings.HasSuffix(args[len(args)-1], ".cfg") {
		logInvocation(args[len(args)-1])
		if opts.ReadConfig {
			wd, err := os.Getwd() // go vet runs the tool in the package's directory
			if err != nil {
				fail(progname, err)
			}
			flags, err := configFlags(wd, analyzers)
			if err != nil {
				fail(progname, err)
			}
			// The file first: flags on go vet's command line win.
			os.Args = append(append([]string{os.Args[0]}, flags...), args...)
		}
	}
	unitchecker.Main(analyzers...)
}

// configFlags returns the analyzer flags of the durable.yaml that applies
// to dir, if any.
func configFlags(dir string, analyzers []*analysis.Analyzer) ([]string, error) {
	file := lintconfig.Find(dir)
	if file == "" {
		return nil, nil
	}
	l, err := LoadConfig(file)
	if err != nil {
		return nil, err
	}
	return l.Flags(file, analyzers)
}

// LoadConfig loads the lint section of the durable.yaml at file and, when
// the file is an event catalog too (it has keys besides lint), checks the
// catalog: eventname, exprcheck and sensitive read it, and a catalog that
// does not load would silently turn their checks off. The error is a
// lintconfig.ErrorList or catalog.ErrorList naming each problem.
func LoadConfig(file string) (*lintconfig.Lint, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	l, err := lintconfig.Parse(file, data)
	if err != nil {
		return nil, err
	}
	var keys map[string]any
	if yaml.Unmarshal(data, &keys) == nil && len(keys) > 0 {
		if _, lintOnly := keys["lint"]; !lintOnly || len(keys) > 1 {
			if _, err := catalog.Parse(file, data); err != nil {
				return nil, err
			}
		}
	}
	return l, nil
}

func fail(progname string, err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", progname, err)
	os.Exit(1)
}

func logInvocation(cfgFile string) {
	log := os.Getenv(LogEnv)
	if log == "" {
		return
	}
	var cfg struct {
		ID       string
		VetxOnly bool
	}
	if data, err := os.ReadFile(cfgFile); err == nil {
		_ = json.Unmarshal(data, &cfg)
	}
	f, err := os.OpenFile(log, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s vetxonly=%t\n", cfg.ID, cfg.VetxOnly)
}
