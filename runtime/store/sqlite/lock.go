package sqlite

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
)

// InUseError is what Open returns when another owner has the database: a
// process (PID, when the system tells it; otherwise LastOwnerPID, the
// process the store's history names as the last to open it) or another
// Store of this process (OpenedAs).
type InUseError struct {
	Path         string // as given to Open
	File         string // the database file, symlinks resolved
	PID          int    // the holder, 0 if unknown
	LastOwnerPID int    // from the history beside the database, 0 if none
	OpenedAs     string // the name under which a Store of this process opened it
}

func (e *InUseError) Error() string {
	holder := "another process"
	switch {
	case e.OpenedAs != "":
		holder = fmt.Sprintf("another Store of this process (opened as %s)", e.OpenedAs)
	case e.PID != 0:
		holder = fmt.Sprintf("another process (pid %d)", e.PID)
	case e.LastOwnerPID != 0:
		holder = fmt.Sprintf("another process (probably pid %d, the last to open it)", e.LastOwnerPID)
	}
	name := e.Path
	if e.File != e.Path {
		name = fmt.Sprintf("%s (file %s)", e.Path, e.File)
	}
	return fmt.Sprintf("sqlite: %s: database is in use by %s; a database has one owner at a time", name, holder)
}

// resolvePath follows symlinks, so that every name of a file leads to the
// same -wal, -shm and sidecar files. A file that does not exist yet is
// resolved through its directory.
func resolvePath(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r, nil
	} else if _, lerr := os.Lstat(abs); lerr == nil {
		// The name exists but does not resolve: a dangling symlink, which
		// creating the file would follow somewhere unexpected.
		return "", fmt.Errorf("resolve %s: %w", path, err)
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, filepath.Base(abs)), nil
}

// openedFiles are the database files the Stores of this process hold. The
// lock on a file is not enough within one process: with POSIX advisory
// locks, which SQLite uses, closing any descriptor of a file drops every
// lock the process has on it, so a second Open must refuse before it opens
// a descriptor of a file a Store of this process uses. The mutex is held
// from that check until the file is registered.
var openedFiles struct {
	sync.Mutex
	m map[*fileLock]openedFile
}

type openedFile struct {
	info os.FileInfo
	path string
}

// acquire locks the database file (resolved path file, given as path),
// creating it if needed.
func acquire(path, file string) (*fileLock, error) {
	openedFiles.Lock()
	defer openedFiles.Unlock()
	if info, err := os.Stat(file); err == nil {
		for _, o := range openedFiles.m {
			if os.SameFile(o.info, info) {
				return nil, &InUseError{Path: path, File: file, OpenedAs: o.path}
			}
		}
	}
	l, err := lockDatabase(path, file)
	if err != nil {
		return nil, err
	}
	info, err := l.file().Stat()
	if err != nil {
		l.release()
		return nil, err
	}
	if openedFiles.m == nil {
		openedFiles.m = map[*fileLock]openedFile{}
	}
	openedFiles.m[l] = openedFile{info: info, path: path}
	return l, nil
}

// release unlocks the file; the Store must have closed its connections.
func (l *fileLock) unlock() {
	openedFiles.Lock()
	defer openedFiles.Unlock()
	delete(openedFiles.m, l)
	l.release()
}
