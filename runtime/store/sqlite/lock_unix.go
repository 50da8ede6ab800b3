//go:build unix && !linux

package sqlite

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"
)

// fileLock is an flock on a side file named after the resolved database
// path, so that a symlink meets the same lock. It is not taken on the
// database file itself because on BSD systems, macOS among them, flock and
// the POSIX locks SQLite uses on the same file may interact. A hard link,
// or deleting the side file while the database is open, gets around it.
type fileLock struct{ f, db *os.File }

func lockDatabase(path, file string) (*fileLock, error) {
	db, err := os.OpenFile(file, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(file+"-lock", os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		db.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &InUseError{Path: path, File: file}
		}
		return nil, fmt.Errorf("lock %s-lock: %w", file, err)
	}
	return &fileLock{f: f, db: db}, nil
}

func (l *fileLock) file() *os.File { return l.db }

func (l *fileLock) release() {
	syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	l.f.Close()
	l.db.Close()
}

// bootTime is unknown here: a -shm file is taken as evidence whenever it
// was written.
func bootTime() time.Time { return time.Time{} }
