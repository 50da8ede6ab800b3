//go:build linux

package sqlite

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// fileLock is an flock on the database file itself, so that every name of
// the file (a symlink, a hard link) meets the same lock, and no side file
// can be deleted to get around it. On Linux, flock locks and the POSIX
// locks SQLite takes on the same file are independent of each other.
type fileLock struct{ f *os.File }

// lockDatabase creates the database file if needed and locks it; file is
// the resolved path. A failure because of another holder is an
// *InUseError with PID set when /proc/locks names it.
func lockDatabase(path, file string) (*fileLock, error) {
	f, err := os.OpenFile(file, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &InUseError{Path: path, File: file, PID: flockHolder(f)}
		}
		return nil, fmt.Errorf("lock %s: %w", file, err)
	}
	return &fileLock{f: f}, nil
}

func (l *fileLock) file() *os.File { return l.f }

func (l *fileLock) release() {
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
}

// flockHolder finds, in /proc/locks, the pid holding an flock on f's file:
// 0 if it is not listed or not visible from this pid namespace.
func flockHolder(f *os.File) int {
	info, err := f.Stat()
	if err != nil {
		return 0
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0
	}
	dev := uint64(st.Dev)
	major := (dev>>8)&0xfff | (dev>>32)&^0xfff
	minor := dev&0xff | (dev>>12)&^0xff
	want := fmt.Sprintf("%02x:%02x:%d", major, minor, st.Ino)
	locks, err := os.Open("/proc/locks")
	if err != nil {
		return 0
	}
	defer locks.Close()
	sc := bufio.NewScanner(locks)
	for sc.Scan() {
		// "1: FLOCK  ADVISORY  WRITE 2406 fd:01:1835011 0 EOF"; a waiter
		// has "->" after the number.
		fields := strings.Fields(sc.Text())
		if len(fields) < 6 || fields[1] != "FLOCK" || fields[3] != "WRITE" || fields[5] != want {
			continue
		}
		if pid, err := strconv.Atoi(fields[4]); err == nil && pid > 0 {
			return pid
		}
	}
	return 0
}

// bootTime is when the system started, from /proc/stat: a -shm file last
// written before then describes a -wal file as it was before a power cut
// or reboot, not evidence of what it holds now. Zero if unknown.
func bootTime() time.Time {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return time.Time{}
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "btime "); ok {
			if sec, err := strconv.ParseInt(strings.TrimSpace(rest), 10, 64); err == nil {
				return time.Unix(sec, 0)
			}
		}
	}
	return time.Time{}
}
