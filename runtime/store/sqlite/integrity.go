package sqlite

import (
	"bytes"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"strconv"
	"strings"
)

// ErrDamaged matches (errors.Is) the *DamageError Open returns when the
// database or the files beside it show lost or corrupt state.
var ErrDamaged = errors.New("sqlite: database damaged or incomplete")

// DamageError says which file Open found wrong, what it found, and what
// to do about it.
type DamageError struct {
	File   string
	Found  string
	Advice string
}

func (e *DamageError) Error() string {
	return "sqlite: " + e.File + ": " + e.Found + ". " + e.Advice
}

func (e *DamageError) Is(target error) bool { return target == ErrDamaged }

// CheckMode says when Open runs PRAGMA quick_check, which reads every page
// of the database: see QuickCheck.
type CheckMode int

const (
	// QuickCheckAfterCrash checks when the previous owner did not close the
	// store (its history says so, or a -wal file was left behind).
	QuickCheckAfterCrash CheckMode = iota
	// QuickCheckAlways checks at every Open.
	QuickCheckAlways
	// QuickCheckNever leaves the pages to be checked as queries read them.
	QuickCheckNever
)

// QuickCheck sets when Open verifies every page of the database with
// PRAGMA quick_check (default QuickCheckAfterCrash). The header, the store
// identity and the commit count are checked at every Open regardless.
func QuickCheck(mode CheckMode) Option { return func(c *config) { c.quickCheck = mode } }

// historySuffix names the file beside the database where the store keeps
// its history: which store the database is and how many commits it had.
const historySuffix = "-durable"

// historySize is the fixed size of the history file, rewritten in place.
const historySize = 256

// history is the evidence, kept outside the database, of what the database
// held: a database that has fewer commits, another identity, or no content
// at all was damaged or replaced.
type history struct {
	identity string
	commits  int64
	pid      int  // the process that last opened the store
	open     bool // not closed: if nobody holds the lock, its owner crashed
}

const historyMagic = "durable sqlite store history v1"

// appendTo encodes h as text, with a checksum (a torn write after a power
// cut must not pass for evidence), padded to historySize.
func (h history) appendTo(b []byte) []byte {
	b = append(b, historyMagic...)
	b = append(b, "\nstore "...)
	b = append(b, h.identity...)
	b = append(b, "\ncommits "...)
	b = strconv.AppendInt(b, h.commits, 10)
	b = append(b, "\npid "...)
	b = strconv.AppendInt(b, int64(h.pid), 10)
	if h.open {
		b = append(b, "\nstate open\n"...)
	} else {
		b = append(b, "\nstate closed\n"...)
	}
	sum := crc32.ChecksumIEEE(b)
	b = append(b, "crc "...)
	b = append(b, fmt.Sprintf("%08x", sum)...)
	b = append(b, '\n')
	for len(b) < historySize {
		b = append(b, '\n')
	}
	return b
}

func parseHistory(b []byte) (history, error) {
	b = bytes.TrimRight(b, "\n\x00")
	i := bytes.LastIndex(b, []byte("crc "))
	if i < 0 {
		return history{}, errors.New("no checksum")
	}
	want, err := strconv.ParseUint(string(b[i+4:]), 16, 32)
	if err != nil || crc32.ChecksumIEEE(b[:i]) != uint32(want) {
		return history{}, errors.New("checksum mismatch (a torn or edited record)")
	}
	lines := strings.Split(strings.TrimSuffix(string(b[:i]), "\n"), "\n")
	if len(lines) != 5 || lines[0] != historyMagic {
		return history{}, errors.New("unknown format")
	}
	var h history
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, " ")
		switch k {
		case "store":
			h.identity = v
		case "commits":
			h.commits, err = strconv.ParseInt(v, 10, 64)
		case "pid":
			h.pid, err = strconv.Atoi(v)
		case "state":
			h.open = v == "open"
		}
		if err != nil {
			return history{}, fmt.Errorf("field %s: %w", k, err)
		}
	}
	return h, nil
}

// historyFile is the open history file of a store.
type historyFile struct {
	f   *os.File
	buf []byte
}

// openHistory opens (creating) the history file at path and reads the
// record in it: nil if the file is new or empty.
func openHistory(path string) (*historyFile, *history, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil, err
	}
	hf := &historyFile{f: f, buf: make([]byte, 0, historySize)}
	b, err := io.ReadAll(io.LimitReader(f, 4*historySize))
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(bytes.Trim(b, "\n\x00")) == 0 {
		return hf, nil, nil
	}
	h, err := parseHistory(b)
	if err != nil {
		f.Close()
		return nil, nil, &DamageError{File: path, Found: "the store's history record is unreadable: " + err.Error(),
			Advice: "Delete it to open the database without comparing it with its history (it is written again at Open)"}
	}
	return hf, &h, nil
}

// readHistory reads the history at path without keeping it open.
func readHistory(path string) (*history, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	h, err := parseHistory(b)
	if err != nil {
		return nil, err
	}
	return &h, nil
}

// write rewrites the record in place. Without sync it costs one pwrite: it
// survives the process being killed, which is what deleting a -wal file
// after a crash needs; a power cut may lose it, which leaves an older,
// smaller count and so never a false alarm.
func (hf *historyFile) write(h history, sync bool) error {
	hf.buf = h.appendTo(hf.buf[:0])
	if _, err := hf.f.WriteAt(hf.buf, 0); err != nil {
		return err
	}
	if sync {
		return hf.f.Sync()
	}
	return nil
}

func (hf *historyFile) close() error { return hf.f.Close() }

// checkFiles checks, before SQLite opens the database and may rewrite its
// files, what can be read from the files themselves: the database header
// and size, and whether the -shm index names WAL frames the -wal file no
// longer holds. existed and size describe the database file before Open
// created it; hist is the history beside it, if any.
func checkFiles(file, historyPath string, existed bool, size int64, hist *history) error {
	walSize := int64(0)
	if fi, err := os.Stat(file + "-wal"); err == nil {
		walSize = fi.Size()
	}
	if hist != nil && hist.commits > 0 && (!existed || size == 0 && walSize == 0) {
		what := "is missing"
		if existed {
			what = "is empty (0 bytes)"
		}
		return &DamageError{File: file,
			Found: fmt.Sprintf("the database file %s, but %s records that it held store %s with %d commits (last opened by pid %d)",
				what, historyPath, hist.identity, hist.commits, hist.pid),
			Advice: "Restore the file from a backup; to start a new, empty database instead, delete " + historyPath}
	}
	if existed && size > 0 {
		if err := checkHeader(file, size, walSize); err != nil {
			return err
		}
	}
	return checkWALIndex(file)
}

const sqliteMagic = "SQLite format 3\x00"

// checkHeader reads the 100-byte database header: a file that is not a
// SQLite database, or that is shorter than its header says, is refused
// before any query runs.
func checkHeader(file string, size, walSize int64) error {
	damaged := func(found string) error {
		return &DamageError{File: file, Found: found,
			Advice: "It is not a database this store can use: restore it from a backup, or move it away to start a new database"}
	}
	if size < 100 {
		return damaged(fmt.Sprintf("the file is %d bytes, too short for a SQLite database header (100 bytes)", size))
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	var hdr [100]byte
	if _, err := io.ReadFull(f, hdr[:]); err != nil {
		return fmt.Errorf("read header of %s: %w", file, err)
	}
	if string(hdr[:16]) != sqliteMagic {
		return damaged(fmt.Sprintf("the file does not start with the SQLite header (it starts with %q)", hdr[:16]))
	}
	pageSize := int64(binary.BigEndian.Uint16(hdr[16:18]))
	if pageSize == 1 {
		pageSize = 65536
	}
	if pageSize < 512 || pageSize&(pageSize-1) != 0 {
		return damaged(fmt.Sprintf("the header's page size %d is not a power of two from 512 to 65536: the header is overwritten", pageSize))
	}
	if walSize > 0 {
		// A checkpoint interrupted by a crash may leave the file short or
		// ragged; SQLite completes it from the -wal file.
		return nil
	}
	if size%pageSize != 0 {
		return damaged(fmt.Sprintf("the file is %d bytes, not a whole number of %d-byte pages: it was cut or extended", size, pageSize))
	}
	// The page count in the header is valid when the version-valid-for
	// number equals the change counter.
	pages := int64(binary.BigEndian.Uint32(hdr[28:32]))
	if binary.BigEndian.Uint32(hdr[92:96]) == binary.BigEndian.Uint32(hdr[24:28]) && pages > size/pageSize {
		return damaged(fmt.Sprintf("the header says the database has %d pages, the file holds %d: it was cut short", pages, size/pageSize))
	}
	return nil
}

// checkWALIndex compares the -shm file a crashed owner left behind with the
// -wal file. The -shm index (in native byte order) records how many WAL
// frames hold commits (mxFrame) and how many of them were copied into the
// database (nBackfill): if frames were not copied yet, the -wal file must
// still hold them. SQLite itself would rebuild the index from whatever
// -wal file it finds and silently lose them.
func checkWALIndex(file string) error {
	shm, err := os.Open(file + "-shm")
	if err != nil {
		return nil
	}
	defer shm.Close()
	if fi, err := shm.Stat(); err != nil || fi.ModTime().Before(bootTime()) {
		// Written before a reboot: the index was never synced to disk and
		// may be older than the -wal file, which was.
		return nil
	}
	var idx [136]byte
	if _, err := io.ReadFull(shm, idx[:]); err != nil {
		return nil
	}
	ne := binary.NativeEndian
	// Two copies of the header; when they differ a writer was interrupted
	// updating it, and SQLite recovers from the -wal file alone.
	if !bytes.Equal(idx[0:48], idx[48:96]) || ne.Uint32(idx[0:4]) != 3007000 || idx[12] != 1 {
		return nil
	}
	pageSize := int64(ne.Uint16(idx[14:16]))
	pageSize = pageSize&0xff00 | pageSize&1<<16
	mxFrame, backfilled := int64(ne.Uint32(idx[16:20])), int64(ne.Uint32(idx[96:100]))
	if mxFrame <= backfilled || pageSize == 0 {
		return nil
	}
	walPath := file + "-wal"
	advice := fmt.Sprintf("Put the original %s back and open again; to accept the loss, delete %s and %s", walPath, file+"-shm", file+historySuffix)
	wal, err := os.Open(walPath)
	if errors.Is(err, os.ErrNotExist) {
		return &DamageError{File: walPath,
			Found:  fmt.Sprintf("the file is missing, but %s-shm says it held %d frames of committed transactions not yet copied into the database", file, mxFrame-backfilled),
			Advice: advice}
	}
	if err != nil {
		return err
	}
	defer wal.Close()
	need := 32 + mxFrame*(24+pageSize)
	fi, err := wal.Stat()
	if err != nil {
		return err
	}
	if fi.Size() < need {
		return &DamageError{File: walPath,
			Found:  fmt.Sprintf("the file is %d bytes, but %s-shm says it holds %d frames (%d bytes): committed transactions were cut off", fi.Size(), file, mxFrame, need),
			Advice: advice}
	}
	var walHdr [32]byte
	if _, err := io.ReadFull(wal, walHdr[:]); err != nil {
		return err
	}
	if !bytes.Equal(walHdr[16:24], idx[32:40]) {
		return &DamageError{File: walPath,
			Found:  fmt.Sprintf("the file is not the one %s-shm indexes (its salt differs): it was replaced, and the committed transactions it held are gone", file),
			Advice: advice}
	}
	return nil
}

// storeMeta is what the database says about itself.
type storeMeta struct {
	identity string
	commits  int64
	openedAs string // the resolved name it was last opened under
	open     bool   // not closed since
}

// readMeta reads the store identity, if the database has one yet. It is
// the first query of Open, so a database SQLite cannot read fails here.
func readMeta(db *sql.DB, file string) (*storeMeta, error) {
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'store_meta'`).Scan(&n); err != nil {
		return nil, unreadable(file, err)
	}
	if n == 0 {
		return nil, nil
	}
	var m storeMeta
	if err := db.QueryRow(`SELECT identity, commits, opened_as, open FROM store_meta WHERE id = 1`).Scan(&m.identity, &m.commits, &m.openedAs, &m.open); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, &DamageError{File: file, Found: "the store_meta table has no row: the store identity was deleted",
				Advice: "Restore the database from a backup"}
		}
		return nil, unreadable(file, err)
	}
	return &m, nil
}

func unreadable(file string, err error) error {
	return &DamageError{File: file, Found: "SQLite cannot read the database: " + err.Error(),
		Advice: "Restore it from a backup; `sqlite3 " + file + " .recover` may salvage what is left"}
}

// compareHistory checks the database against the history kept beside it.
// A count above the history's is fine: the history is written after each
// commit without fsync, so a power cut may leave it behind.
func compareHistory(file, historyPath string, meta *storeMeta, hist *history) error {
	if hist == nil || hist.identity == "" {
		return nil
	}
	accept := "; to accept the database as it is, delete " + historyPath
	switch {
	case meta == nil:
		return &DamageError{File: file,
			Found:  fmt.Sprintf("the database holds no store (it is new or foreign), but %s records store %s with %d commits", historyPath, hist.identity, hist.commits),
			Advice: "Restore the store's database from a backup" + accept}
	case meta.identity != hist.identity:
		return &DamageError{File: file,
			Found:  fmt.Sprintf("the database is store %s, but %s records store %s: the file was replaced", meta.identity, historyPath, hist.identity),
			Advice: "Put the store's own database back" + accept}
	case meta.commits < hist.commits:
		return &DamageError{File: file,
			Found: fmt.Sprintf("the database has %d commits, but %s records %d: the last %d committed transactions are missing (a -wal file deleted after a crash, or an older copy restored)",
				meta.commits, historyPath, hist.commits, hist.commits-meta.commits),
			Advice: "Put the missing " + file + "-wal back beside the database, or restore the latest copy" + accept}
	}
	return nil
}

// checkOtherName refuses a database whose last owner opened it under
// another name (a hard link, or a name it was moved from) and crashed: its
// commits since its last checkpoint are in the -wal file beside that name,
// which SQLite, opening this name, does not look at.
func checkOtherName(file string, meta *storeMeta) error {
	if meta == nil || !meta.open || meta.openedAs == "" || meta.openedAs == file {
		return nil
	}
	if fi, err := os.Stat(file + "-wal"); err == nil && fi.Size() > 0 {
		// Moved or copied together with its -wal file, which SQLite reads.
		return nil
	}
	wal := meta.openedAs + "-wal"
	fi, err := os.Stat(wal)
	if err != nil || fi.Size() == 0 {
		return nil
	}
	advice := fmt.Sprintf("Open it as %s first (Close copies the commits into the database), or move %s and %s-shm to %s-wal and %s-shm; to accept the loss, delete %s",
		meta.openedAs, wal, meta.openedAs, file, file, wal)
	if other, err := os.Stat(meta.openedAs); err == nil {
		if this, err := os.Stat(file); err == nil && os.SameFile(other, this) {
			advice = fmt.Sprintf("Open it as %s (Close copies the commits into the database), or delete %s to accept their loss", meta.openedAs, wal)
		}
	}
	return &DamageError{File: file,
		Found: fmt.Sprintf("the database was last opened as %s and not closed: the commits made since its last checkpoint are in %s (%d bytes), which SQLite looks for only beside that name",
			meta.openedAs, wal, fi.Size()),
		Advice: advice}
}

// quickCheck runs PRAGMA quick_check, which reads every page and checks the
// b-tree structure (not index contents against tables, as integrity_check
// does), and reports the first problems it names.
func quickCheck(db *sql.DB, file string) error {
	rows, err := db.Query(`PRAGMA quick_check(5)`)
	if err != nil {
		return checkFailed(file, err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return checkFailed(file, err)
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return checkFailed(file, err)
	}
	if len(problems) > 0 {
		return &DamageError{File: file, Found: "PRAGMA quick_check found the database corrupt: " + strings.Join(problems, "; "),
			Advice: "Restore it from a backup; `sqlite3 " + file + " .recover` may salvage what is left"}
	}
	return nil
}

func checkFailed(file string, err error) error {
	return &DamageError{File: file, Found: "PRAGMA quick_check could not read the database: " + err.Error(),
		Advice: "Restore it from a backup; `sqlite3 " + file + " .recover` may salvage what is left"}
}
