// Command bench measures durable next to DBOS Transact Go and River on the
// same machine, the same SQLite file system and the same PostgreSQL server,
// and prints each peer's median and range, durable's, and their ratio.
//
// It is a module of its own so that the peers' dependencies never enter the
// durable module; run it from this directory:
//
//	cd bench && go run . -pg postgres://postgres@127.0.0.1:5432/test?sslmode=disable
//
// Every measured cell (one system, one workload, one repetition) runs in a
// child process of its own, so that no system's heap, goroutines or
// connections weigh on the next, and cells are interleaved round-robin
// (repetition, then workload, then system, the system order rotated each
// repetition) so that load from other users of a shared machine falls on
// every system alike. See -help for the sizes.
package main
