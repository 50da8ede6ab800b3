package storetest

import (
	"bytes"
	"errors"
	"testing"

	"github.com/durable-go/durable/runtime/store"
)

func testState(t *testing.T, s store.Store) {
	get := func(key string) ([]byte, error) {
		var v []byte
		err := s.View(ctx, func(tx store.Tx) error {
			var err error
			v, err = tx.GetState(ctx, key)
			return err
		})
		return v, err
	}
	if _, err := get("cron"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetState of a missing key: err = %v, want ErrNotFound", err)
	}
	update(t, s, func(tx store.Tx) error {
		if err := tx.PutState(ctx, "cron", []byte("v1")); err != nil {
			return err
		}
		return tx.PutState(ctx, "other", []byte{0, 1, 2, 255})
	})
	for key, want := range map[string][]byte{"cron": []byte("v1"), "other": {0, 1, 2, 255}} {
		if v, err := get(key); err != nil || !bytes.Equal(v, want) {
			t.Errorf("GetState(%s) = %q, %v; want %q", key, v, err, want)
		}
	}
	update(t, s, func(tx store.Tx) error {
		if err := tx.PutState(ctx, "cron", []byte("version two")); err != nil {
			return err
		}
		// Within the transaction, the new value is seen.
		v, err := tx.GetState(ctx, "cron")
		if err != nil || string(v) != "version two" {
			t.Errorf("GetState in the writing transaction = %q, %v", v, err)
		}
		return err
	})
	if v, err := get("cron"); err != nil || string(v) != "version two" {
		t.Errorf("GetState after overwrite = %q, %v; want %q", v, err, "version two")
	}
	if v, err := get("other"); err != nil || !bytes.Equal(v, []byte{0, 1, 2, 255}) {
		t.Errorf("GetState of a key not overwritten = %q, %v", v, err)
	}
	// An empty value is a value: stored, read back empty, not ErrNotFound.
	for _, empty := range [][]byte{nil, {}} {
		update(t, s, func(tx store.Tx) error { return tx.PutState(ctx, "empty", empty) })
		if v, err := get("empty"); err != nil || len(v) != 0 {
			t.Errorf("GetState after PutState(%#v) = %q, %v; want an empty value", empty, v, err)
		}
		update(t, s, func(tx store.Tx) error { return tx.PutState(ctx, "empty", []byte("x")) })
	}
}
