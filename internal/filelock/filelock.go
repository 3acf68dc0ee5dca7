// Package filelock takes an exclusive flock on a file, waiting until it is free or
// the context ends. Written here rather than taken from a library: the ones at hand
// (gofrs/flock) wait by polling, and berth wants the wait to end the moment the
// other holder lets go, and Ctrl-C to end it at once.
package filelock

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Acquire makes path's directory if needed, waits for the lock on path, and returns
// the function that releases it.
func Acquire(ctx context.Context, path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o711); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	locked := make(chan error, 1)
	go func() { locked <- syscall.Flock(int(f.Fd()), syscall.LOCK_EX) }()
	select {
	case err := <-locked:
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		return func() { f.Close() }, nil
	case <-ctx.Done():
		// The goroutine still holds f; closing it releases the lock if it came late.
		go func() { <-locked; f.Close() }()
		return nil, ctx.Err()
	}
}
