// Package effects classifies calls to the standard library and common
// drivers that perform I/O or are nondeterministic: what a durable function
// body must keep inside steps.
package effects

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"

	"github.com/durable-go/durable/analyzers/internal/stdlib"
	"github.com/durable-go/durable/analyzers/internal/vendors"
)

// Kind is the category of an effect.
type Kind string

const (
	Network   Kind = "network call"
	Database  Kind = "database call"
	File      Kind = "file system write"
	Env       Kind = "environment change"
	Process   Kind = "process execution"
	Email     Kind = "email"
	EventSend Kind = "event send"
	// Vendor calls, named after vendors.Category.
	Payment     Kind = Kind(vendors.Payment)
	SMS         Kind = Kind(vendors.SMS)
	Push        Kind = Kind(vendors.Push)
	Chat        Kind = Kind(vendors.Chat)
	Clock       Kind = "wall-clock read"
	Random      Kind = "random number"
	UUID        Kind = "UUID generation"
	Logging     Kind = "logging"
	Nondetermin Kind = "nondeterministic value"
)

// Nondeterministic reports whether the kind is a value that differs between
// executions (a clock read, a random number, a UUID) rather than I/O.
func (k Kind) Nondeterministic() bool {
	switch k {
	case Clock, Random, UUID, Nondetermin:
		return true
	}
	return false
}

// Effect describes a call with an effect.
type Effect struct {
	Kind Kind
	// Advice is true for effects that are harmless but noisy on replay
	// (logging): reported at a lower severity and not followed through helpers.
	Advice bool
}

// key is "path.Func" for functions and "path.Type.Method" for methods.
var table = map[string]Kind{}

func add(kind Kind, path string, names ...string) {
	for _, n := range names {
		table[path+"."+n] = kind
	}
}

func init() {
	add(Network, "net/http", "Get", "Head", "Post", "PostForm",
		"Client.Do", "Client.Get", "Client.Head", "Client.Post", "Client.PostForm",
		"Transport.RoundTrip")
	add(Network, "net", "Dial", "DialTimeout", "DialTCP", "DialUDP", "DialIP", "DialUnix",
		"Dialer.Dial", "Dialer.DialContext", "Listen", "ListenPacket", "LookupHost", "LookupIP",
		"Resolver.LookupHost", "Resolver.LookupIPAddr")
	add(Network, "net/rpc", "Dial", "DialHTTP", "Client.Call")
	for _, t := range []string{"DB", "Tx", "Conn"} {
		add(Database, "database/sql", t+".Exec", t+".ExecContext", t+".Query", t+".QueryContext",
			t+".QueryRow", t+".QueryRowContext", t+".Prepare", t+".PrepareContext")
	}
	add(Database, "database/sql", "DB.Begin", "DB.BeginTx", "DB.Ping", "DB.PingContext", "Conn.BeginTx",
		"Tx.Commit", "Tx.Rollback", "Stmt.Exec", "Stmt.ExecContext", "Stmt.Query", "Stmt.QueryContext",
		"Stmt.QueryRow", "Stmt.QueryRowContext")
	for _, p := range []string{"github.com/jackc/pgx/v5", "github.com/jackc/pgx/v4"} {
		add(Database, p, "Connect", "Conn.Exec", "Conn.Query", "Conn.QueryRow", "Conn.Begin", "Conn.SendBatch", "Conn.CopyFrom")
	}
	for _, p := range []string{"github.com/jackc/pgx/v5/pgxpool", "github.com/jackc/pgx/v4/pgxpool"} {
		add(Database, p, "New", "Connect", "Pool.Exec", "Pool.Query", "Pool.QueryRow", "Pool.Begin", "Pool.SendBatch", "Pool.CopyFrom")
	}
	add(Database, "github.com/jmoiron/sqlx", "DB.Get", "DB.Select", "DB.NamedExec", "DB.MustExec", "DB.Exec", "DB.Queryx", "DB.QueryRowx")
	add(File, "os", "WriteFile", "Create", "OpenFile", "Remove", "RemoveAll", "Rename", "Mkdir", "MkdirAll",
		"MkdirTemp", "CreateTemp", "Chmod", "Chown", "Chtimes", "Truncate", "Symlink", "Link",
		"File.Write", "File.WriteString", "File.WriteAt", "File.Truncate", "File.Sync")
	add(File, "io/ioutil", "WriteFile", "TempFile", "TempDir")
	add(Env, "os", "Setenv", "Unsetenv", "Clearenv", "Chdir", "Exit")
	add(Process, "os/exec", "Cmd.Run", "Cmd.Start", "Cmd.Output", "Cmd.CombinedOutput")
	add(Process, "os", "StartProcess", "Process.Kill", "Process.Signal")
	add(Email, "net/smtp", "SendMail", "Dial", "Client.Mail", "Client.Rcpt", "Client.Data")
	add(Clock, "time", "Now", "Since", "Until")
	for _, p := range []string{"math/rand", "math/rand/v2"} {
		add(Random, p, "Int", "Intn", "Int31", "Int31n", "Int63", "Int63n", "Uint32", "Uint64", "Float32",
			"Float64", "Perm", "Shuffle", "Read", "ExpFloat64", "NormFloat64", "IntN", "Int32", "Int32N",
			"Int64", "Int64N", "Uint32N", "Uint64N", "UintN", "Uint", "N")
	}
	add(Random, "crypto/rand", "Read", "Int", "Prime", "Text")
	add(UUID, "github.com/google/uuid", "New", "NewString", "NewRandom", "NewV7", "NewUUID", "NewV6", "Must")
	add(UUID, "github.com/gofrs/uuid", "NewV4", "NewV7", "Must")
	add(UUID, "github.com/oklog/ulid/v2", "Make", "New", "MustNew")
	// Sending events through a client outside a step sends them again on
	// every replay (step.SendEvent, inngestgo's step.Send, are recorded).
	add(EventSend, "github.com/durable-go/durable/runtime", "Engine.Send")
	add(EventSend, "github.com/inngest/inngestgo", "Client.Send", "Client.SendMany", "Send", "SendMany")
	add(Logging, "fmt", "Print", "Printf", "Println")
	add(Logging, "log", "Print", "Printf", "Println", "Logger.Print", "Logger.Printf", "Logger.Println")
}

// Key returns fn's table key: "path.Func" or "path.Type.Method".
func Key(fn *types.Func) string {
	m := vendors.MemberName(fn)
	if m == "" {
		return ""
	}
	return fn.Pkg().Path() + "." + m
}

// Classify reports the effect of calling fn, if any, from the table of
// standard-library and driver calls.
func Classify(fn *types.Func) (Effect, bool) {
	if k, ok := table[Key(fn)]; ok {
		return Effect{Kind: k, Advice: k == Logging}, true
	}
	return Effect{}, false
}

// ClassifyWithVendors is Classify, plus vendor SDK calls: those that move
// money or reach a person (vendors.Classify; the kind is the category), and
// calls of a rate-limited vendor's API (an LLM request) that take a
// context.Context (a network call).
func ClassifyWithVendors(fn *types.Func) (Effect, bool) {
	if e, ok := Classify(fn); ok {
		return e, true
	}
	if c, ok := vendors.Classify(fn); ok {
		return Effect{Kind: Kind(c.Category)}, true
	}
	if fn != nil && fn.Pkg() != nil && vendors.RateLimitedPackage(fn.Pkg().Path()) && takesContext(fn) {
		return Effect{Kind: Network}, true
	}
	return Effect{}, false
}

func takesContext(fn *types.Func) bool {
	sig, _ := fn.Type().(*types.Signature)
	if sig == nil {
		return false
	}
	for i := 0; i < sig.Params().Len(); i++ {
		if n, ok := types.Unalias(sig.Params().At(i).Type()).(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "context" && n.Obj().Name() == "Context" {
			return true
		}
	}
	return false
}

// SinkPackage reports whether path is a package that Classify knows
// effects of, so that a package importing none of them (nor a package with
// effect facts) has no effects.
func SinkPackage(path string) bool {
	_, ok := sinkPkgs[path]
	return ok || vendors.Known(path)
}

var sinkPkgs = map[string]struct{}{}

func init() {
	for k := range table {
		// the package path is everything before the first '.' after the last '/'.
		slash := strings.LastIndexByte(k, '/')
		dot := strings.IndexByte(k[slash+1:], '.')
		sinkPkgs[k[:slash+1+dot]] = struct{}{}
	}
}

// InGOROOT reports whether the package of the pass's files lives in
// GOROOT: the standard library, whose effects Classify knows from its table
// and which is not summarised (os.Open reaches os.OpenFile, context.WithTimeout
// reaches time.Now; neither is an effect a user should move into a step).
// It is stdlib.Pass, kept under this name for the analyzers that call it.
func InGOROOT(fset *token.FileSet, files []*ast.File) bool { return stdlib.Pass(fset, files) }
