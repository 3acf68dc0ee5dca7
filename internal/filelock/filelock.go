// Package filelock takes a flock on a file, waiting until it is free or the context
// ends. Written here rather than taken from a library: the ones at hand
// (gofrs/flock) wait by polling, and berth wants the wait to end the moment the
// other holder lets go, and Ctrl-C to end it at once.
//
// flock locks belong to the open file description, so two goroutines of one process
// exclude each other just like two processes do, and the kernel drops a lock when
// its holder dies: a crash never leaves a lock held.
package filelock

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Acquire makes path's directory if needed, waits for the exclusive lock on path,
// and returns the function that releases it.
func Acquire(ctx context.Context, path string) (func(), error) {
	return acquire(ctx, path, syscall.LOCK_EX)
}

// AcquireShared is Acquire for a shared lock: any number of shared holders at once,
// none while an exclusive holder has it.
func AcquireShared(ctx context.Context, path string) (func(), error) {
	return acquire(ctx, path, syscall.LOCK_SH)
}

func acquire(ctx context.Context, path string, how int) (func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o711); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	locked := make(chan error, 1)
	go func() {
		for {
			err := syscall.Flock(int(f.Fd()), how)
			if err != syscall.EINTR {
				locked <- err
				return
			}
		}
	}()
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
