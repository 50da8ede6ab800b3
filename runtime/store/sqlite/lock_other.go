//go:build !unix

package sqlite

import "os"

// fileLock on systems without flock only keeps the file open: running two
// processes on one database there is the user's responsibility.
type fileLock struct{ f *os.File }

func lockFile(path string) (*fileLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	return &fileLock{f: f}, nil
}

func (l *fileLock) release() { l.f.Close() }
