package logdriver

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// follow runs Read with Follow in the background and collects what it prints.
type following struct {
	mu   sync.Mutex
	got  []Entry
	stop context.CancelFunc
	done chan error
}

func startFollow(t *testing.T, log string, o ReadOptions) *following {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	f := &following{stop: cancel, done: make(chan error, 1)}
	o.Follow = true
	go func() {
		f.done <- Read(ctx, log, o, func(e Entry) error {
			f.mu.Lock()
			f.got = append(f.got, e)
			f.mu.Unlock()
			return nil
		})
	}()
	t.Cleanup(func() { f.end(t) })
	return f
}

func (f *following) entries() []Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Entry(nil), f.got...)
}

// waitFor waits (2s at most) until n entries arrived.
func (f *following) waitFor(t *testing.T, n int) []Entry {
	t.Helper()
	eventually(t, "followed entries", func() bool { return len(f.entries()) >= n })
	return f.entries()
}

// end cancels and checks Read returns nil promptly.
func (f *following) end(t *testing.T) {
	t.Helper()
	f.stop()
	select {
	case err := <-f.done:
		if err != nil {
			t.Errorf("Read: %v", err)
		}
		f.done <- nil // for a second end
	case <-time.After(2 * time.Second):
		t.Fatal("Read did not return after cancel")
	}
}

func TestFollowAppend(t *testing.T) {
	log := filepath.Join(t.TempDir(), "c.log")
	writeLines(t, log, Options{MaxFiles: 1}, 0, 3, 10)
	f := startFollow(t, log, ReadOptions{Tail: -1})
	wantRange(t, lineNums(t, f.waitFor(t, 3)), 0, 3)
	writeLines(t, log, Options{MaxFiles: 1}, 3, 2, 10)
	wantRange(t, lineNums(t, f.waitFor(t, 5)), 0, 5)
	f.end(t)
}

func TestFollowTailZero(t *testing.T) {
	log := filepath.Join(t.TempDir(), "c.log")
	writeLines(t, log, Options{MaxFiles: 1}, 0, 3, 10)
	f := startFollow(t, log, ReadOptions{Tail: 0})
	time.Sleep(100 * time.Millisecond) // let it start
	writeLines(t, log, Options{MaxFiles: 1}, 3, 1, 10)
	wantRange(t, lineNums(t, f.waitFor(t, 1)), 3, 4)
}

func TestFollowRotation(t *testing.T) {
	log := filepath.Join(t.TempDir(), "c.log")
	o := Options{MaxSize: 600, MaxFiles: 50} // never drops what the follower has not read
	if err := WriteOptions(log, o); err != nil {
		t.Fatal(err)
	}
	writeLines(t, log, o, 0, 5, 10)
	f := startFollow(t, log, ReadOptions{Tail: 2})
	wantRange(t, lineNums(t, f.waitFor(t, 2)), 3, 5)
	for i := 5; i < 205; i += 10 {
		writeLines(t, log, o, i, 10, 3)
		time.Sleep(5 * time.Millisecond)
	}
	if m, _ := filepath.Glob(log + ".*[0-9]"); len(m) < 10 {
		t.Fatalf("only %d rotations", len(m))
	}
	wantRange(t, lineNums(t, f.waitFor(t, 202)), 3, 205)
}

// With rotations faster than the follower and max-file 2, lines may be
// dropped before anyone reads them, but what is printed stays in order and
// the follower keeps up to the end.
func TestFollowFastRotation(t *testing.T) {
	log := filepath.Join(t.TempDir(), "c.log")
	o := Options{MaxSize: 300, MaxFiles: 2}
	WriteOptions(log, o)
	f := startFollow(t, log, ReadOptions{Tail: -1})
	for i := 0; i < 2000; i += 50 {
		writeLines(t, log, o, i, 50, 1)
	}
	eventually(t, "the last line", func() bool {
		es := f.entries()
		return len(es) > 0 && es[len(es)-1].Line == "line 1999"
	})
	got := lineNums(t, f.entries())
	for i := 1; i < len(got); i++ {
		if got[i] <= got[i-1] {
			t.Fatalf("out of order: %d after %d", got[i], got[i-1])
		}
	}
}

func TestFollowCreatedLater(t *testing.T) {
	log := filepath.Join(t.TempDir(), "not", "yet", "c.log")
	f := startFollow(t, log, ReadOptions{Tail: -1})
	time.Sleep(100 * time.Millisecond) // following a path that does not exist
	writeLines(t, log, Options{MaxFiles: 1}, 0, 3, 10)
	wantRange(t, lineNums(t, f.waitFor(t, 3)), 0, 3)
	writeLines(t, log, Options{MaxFiles: 1}, 3, 3, 1)
	wantRange(t, lineNums(t, f.waitFor(t, 6)), 0, 6)
}

func TestFollowSharesWatcher(t *testing.T) {
	dir := t.TempDir()
	var fs []*following
	for _, name := range []string{"a.log", "b.log", "c.log"} {
		fs = append(fs, startFollow(t, filepath.Join(dir, name), ReadOptions{Tail: -1}))
	}
	time.Sleep(100 * time.Millisecond)
	writeLines(t, filepath.Join(dir, "b.log"), Options{MaxFiles: 1}, 0, 2, 10)
	wantRange(t, lineNums(t, fs[1].waitFor(t, 2)), 0, 2)
	if n := len(fs[0].entries()) + len(fs[2].entries()); n != 0 {
		t.Fatalf("other followers printed %d entries", n)
	}
	for _, f := range fs {
		f.end(t)
	}
	hub.mu.Lock()
	defer hub.mu.Unlock()
	if hub.w != nil {
		t.Fatal("inotify instance left open after the last follower")
	}
}
