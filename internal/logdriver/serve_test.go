package logdriver

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// driver runs serve on fresh pipes, as the shim would on fds 3-5.
type driver struct {
	stdout, stderr *os.File // the container's ends
	ready          atomic.Bool
	cancel         context.CancelFunc
	done           chan error
}

func startDriver(t *testing.T, log string) *driver {
	t.Helper()
	or, ow, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	er, ew, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d := &driver{stdout: ow, stderr: ew, cancel: cancel, done: make(chan error, 1)}
	readyCh := make(chan struct{})
	go func() {
		defer or.Close()
		defer er.Close()
		d.done <- serve(ctx, log, or, er, func() error {
			d.ready.Store(true)
			close(readyCh)
			return nil
		})
	}()
	select {
	case <-readyCh:
	case <-time.After(2 * time.Second):
		t.Fatal("driver never signalled ready")
	}
	t.Cleanup(func() { cancel(); ow.Close(); ew.Close() })
	return d
}

// exit closes the container's ends and waits for the driver.
func (d *driver) exit(t *testing.T) {
	t.Helper()
	d.stdout.Close()
	d.stderr.Close()
	d.wait(t)
}

func (d *driver) wait(t *testing.T) {
	t.Helper()
	select {
	case err := <-d.done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("driver did not return")
	}
}

func TestServeBothStreams(t *testing.T) {
	log := filepath.Join(t.TempDir(), "logs", "c.log")
	d := startDriver(t, log)
	const n = 2000
	var wg sync.WaitGroup
	for stream, w := range map[string]*os.File{"stdout": d.stdout, "stderr": d.stderr} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				fmt.Fprintf(w, "%s line %d\n", stream, i)
			}
		}()
	}
	wg.Wait()
	d.exit(t)

	got := readAll(t, log, ReadOptions{Tail: -1})
	next := map[string]int{}
	var last time.Time
	for _, e := range got {
		if want := fmt.Sprintf("%s line %d", e.Stream, next[e.Stream]); e.Line != want || e.Partial {
			t.Fatalf("%s: got %q, want %q", e.Stream, e.Line, want)
		}
		if e.Time.Before(last) || e.Time.Location() != time.UTC {
			t.Fatalf("time %v after %v", e.Time, last)
		}
		last = e.Time
		next[e.Stream]++
	}
	if next["stdout"] != n || next["stderr"] != n {
		t.Fatalf("got %v lines, want %d each", next, n)
	}
}

func TestServeBlockBuffered(t *testing.T) {
	log := filepath.Join(t.TempDir(), "c.log")
	d := startDriver(t, log)
	// A block-buffered program writes 4KiB chunks that cut lines anywhere.
	var all strings.Builder
	for i := range 3000 {
		fmt.Fprintf(&all, "line %d\n", i)
	}
	s := all.String()
	for len(s) > 0 {
		k := min(4096, len(s))
		d.stdout.WriteString(s[:k])
		s = s[k:]
	}
	d.exit(t)
	wantRange(t, lineNums(t, readAll(t, log, ReadOptions{Tail: -1})), 0, 3000)
}

func TestServeLongLine(t *testing.T) {
	log := filepath.Join(t.TempDir(), "c.log")
	d := startDriver(t, log)
	long := strings.Repeat("0123456789", 4000) // 40000 bytes
	d.stdout.WriteString(long + "\nafter\n")
	d.exit(t)
	got := readAll(t, log, ReadOptions{Tail: -1})
	if len(got) != 4 {
		t.Fatalf("got %d entries, want 3 pieces and a line", len(got))
	}
	var joined string
	for i, e := range got[:3] {
		if e.Partial != (i < 2) || (i < 2 && len(e.Line) != maxLine) {
			t.Fatalf("piece %d: %d bytes, partial %v", i, len(e.Line), e.Partial)
		}
		joined += e.Line
	}
	if joined != long || got[3].Line != "after" {
		t.Fatal("long line not kept whole across its pieces")
	}
}

func TestServePartialLine(t *testing.T) {
	log := filepath.Join(t.TempDir(), "c.log")
	d := startDriver(t, log)
	d.stderr.WriteString("Continue? [y/N] ")
	// Written as it comes, without waiting for a newline or for exit.
	eventually(t, "the prompt in the log", func() bool {
		got := readAll(t, log, ReadOptions{Tail: -1})
		return len(got) == 1 && got[0].Line == "Continue? [y/N] " && got[0].Partial && got[0].Stream == "stderr"
	})
	d.stderr.WriteString("y\nno newline at exit")
	d.exit(t)
	got := readAll(t, log, ReadOptions{Tail: -1})
	if len(got) != 3 || got[1].Line != "y" || got[1].Partial || got[2].Line != "no newline at exit" || !got[2].Partial {
		t.Fatalf("got %+v", got)
	}
}

func TestServeAppendsAndRotates(t *testing.T) {
	log := filepath.Join(t.TempDir(), "c.log")
	if err := WriteOptions(log, Options{MaxSize: 2000, MaxFiles: 2}); err != nil {
		t.Fatal(err)
	}
	// Two runs of the driver, as for a restarted container.
	for run := range 2 {
		d := startDriver(t, log)
		for i := range 30 {
			fmt.Fprintf(d.stdout, "line %d\n", run*30+i)
		}
		d.exit(t)
	}
	if _, err := os.Stat(log + ".1"); err != nil {
		t.Fatal("no rotation:", err)
	}
	if _, err := os.Stat(log + ".2"); err == nil {
		t.Fatal("max-file 2 kept a .2")
	}
	got := lineNums(t, readAll(t, log, ReadOptions{Tail: -1}))
	wantRange(t, got, 60-len(got), 60)
}

func TestServeDrainOnCancel(t *testing.T) {
	defer func(g time.Duration) { drainGrace = g }(drainGrace)
	drainGrace = 200 * time.Millisecond
	log := filepath.Join(t.TempDir(), "c.log")
	d := startDriver(t, log)
	d.stdout.WriteString("line 0\nline 1\n")
	// SIGTERM with the pipes still open (a child kept them): the driver
	// writes what it has and stops after the grace period.
	d.cancel()
	d.wait(t)
	wantRange(t, lineNums(t, readAll(t, log, ReadOptions{Tail: -1})), 0, 2)
}

func TestServeReadyFails(t *testing.T) {
	r, w, _ := os.Pipe()
	defer r.Close()
	defer w.Close()
	err := serve(context.Background(), filepath.Join(t.TempDir(), "c.log"), r, r, func() error { return os.ErrClosed })
	if err == nil || !strings.Contains(err.Error(), "ready") {
		t.Fatalf("got %v", err)
	}
}
