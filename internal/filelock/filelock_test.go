package filelock

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestAcquireWaitsForTheHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.lock")
	release, err := Acquire(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	// A second holder waits; a context that ends stops the wait.
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := Acquire(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Acquire while held: %v", err)
	}
	got := make(chan error, 1)
	go func() {
		r, err := Acquire(context.Background(), path)
		if err == nil {
			r()
		}
		got <- err
	}()
	release()
	select {
	case err := <-got:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Acquire did not return after the holder released the lock")
	}
}

func TestSharedHoldersExcludeOnlyTheExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	ctx := context.Background()
	r1, err := AcquireShared(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	// A second shared holder gets in at once.
	short, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	r2, err := AcquireShared(short, path)
	if err != nil {
		t.Fatalf("second shared holder: %v", err)
	}
	// An exclusive one waits for both, and its wait ends with its context.
	wait, cancelWait := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancelWait()
	if _, err := Acquire(wait, path); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("exclusive while shared holders: %v", err)
	}
	r1()
	r2()
	r3, err := Acquire(short, path)
	if err != nil {
		t.Fatalf("exclusive once the shared holders left: %v", err)
	}
	r3()
}
