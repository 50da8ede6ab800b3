//go:build !unix

package sqlite

import (
	"os"
	"time"
)

// fileLock on systems without flock only keeps the database file open: two
// Stores of one process are refused (see register), but running two
// processes on one database there is the user's responsibility.
type fileLock struct{ f *os.File }

func lockDatabase(path, file string) (*fileLock, error) {
	f, err := os.OpenFile(file, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	return &fileLock{f: f}, nil
}

func (l *fileLock) file() *os.File { return l.f }

func (l *fileLock) release() { l.f.Close() }

// bootTime is unknown here: a -shm file is taken as evidence whenever it
// was written.
func bootTime() time.Time { return time.Time{} }
