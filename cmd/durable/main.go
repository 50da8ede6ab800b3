// Command durable is the command-line tool of durable: it lints durable
// functions, generates typed events and the function registry, and inspects
// an engine's runs.
//
// Usage:
//
//	durable <command> [flags] [arguments]
//
// Run `durable help` for the list of commands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/durable-go/durable/analyzers/suite"
	"github.com/durable-go/durable/analyzers/vettool"
)

// command is one subcommand. run returns the process exit code: 0 for
// success, 1 for a negative result (findings, stale output), 2 for errors.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

var commands = map[string]command{}

// register adds a subcommand; each lives in its own file.
func register(c command) {
	if _, dup := commands[c.name]; dup {
		panic("durable: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

func main() {
	if os.Getenv(vettoolEnv) == "1" {
		// go vet running this binary as its analysis tool, for durable lint.
		vettool.Main(suite.Analyzers(), vettool.Options{})
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "durable: unknown command %q; run 'durable help' for the list\n", args[0])
		return 2
	}
	return c.run(ctx, args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "durable: event-driven durable functions for Go")
	fmt.Fprintln(w, "\nUsage: durable <command> [flags] [arguments]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'durable <command> -h' for a command's flags.")
}
