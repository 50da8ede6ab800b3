//go:build unix

package runtime_test

import "syscall"

// processCPU is the CPU time (user and system) the process used so far, in
// nanoseconds: unlike wall time, it hardly moves with what else the
// machine runs, so overhead is compared on it.
func processCPU() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
