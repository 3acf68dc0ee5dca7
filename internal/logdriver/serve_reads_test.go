package logdriver

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestServeManyReads sends megabytes through the driver, so that the queue's
// slabs are filled, handed back and filled again many times: stdout in blocks
// of every size, cutting lines anywhere, with lines longer than a piece and
// than a read among short ones; stderr a line at a time meanwhile. Every line
// must come back whole and in its stream's order, whether or not the driver
// could widen the pipe (and so gather a busy stream's reads).
func TestServeManyReads(t *testing.T) {
	for _, tc := range []struct {
		name string
		wrap func(*os.File) io.Reader
	}{
		{"pipe", func(f *os.File) io.Reader { return f }},
		{"unwidened", func(f *os.File) io.Reader { return struct{ io.Reader }{f} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := filepath.Join(t.TempDir(), "c.log")
			or, ow, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			er, ew, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer or.Close()
			defer er.Close()
			stdout, stderr := manyLines(40_000), manyLines(2_000)
			var wg sync.WaitGroup
			wg.Add(2)
			go func() {
				defer wg.Done()
				defer ow.Close()
				writeRandomBlocks(ow, strings.Join(stdout, ""), rand.New(rand.NewPCG(1, 2)))
			}()
			go func() {
				defer wg.Done()
				defer ew.Close()
				for _, l := range stderr {
					ew.WriteString(l)
				}
			}()
			if err := serve(t.Context(), log, tc.wrap(or), tc.wrap(er), func() error { return nil }); err != nil {
				t.Fatal(err)
			}
			wg.Wait()

			got := map[string][]string{}
			var last time.Time
			for _, e := range readAll(t, log, ReadOptions{Tail: -1}) {
				if len(e.Line) > maxLine || e.Time.Before(last) {
					t.Fatalf("%s entry of %d bytes at %v after %v", e.Stream, len(e.Line), e.Time, last)
				}
				last = e.Time
				lines := got[e.Stream]
				if n := len(lines); n > 0 && !strings.HasSuffix(lines[n-1], "\n") {
					lines[n-1] += e.Line // the rest of a line written in pieces
				} else {
					lines = append(lines, e.Line)
				}
				if !e.Partial {
					lines[len(lines)-1] += "\n"
				}
				got[e.Stream] = lines
			}
			sameLines(t, "stdout", got["stdout"], stdout)
			sameLines(t, "stderr", got["stderr"], stderr)
		})
	}
}

// manyLines is n numbered lines ending in newlines, every 1000th longer than
// a piece on disk and every 5000th longer than a read.
func manyLines(n int) []string {
	lines := make([]string, n)
	for i := range lines {
		pad := 10 + i%70
		switch {
		case i%5000 == 4999:
			pad = readSize + maxLine + 17
		case i%1000 == 999:
			pad = 2*maxLine + 5
		}
		lines[i] = fmt.Sprintf("line %d %s\n", i, strings.Repeat("x", pad))
	}
	return lines
}

// writeRandomBlocks writes s to w in blocks of 1 byte to 64 KiB.
func writeRandomBlocks(w io.Writer, s string, r *rand.Rand) {
	for s != "" {
		k := min(len(s), 1+r.IntN(64<<10))
		if _, err := io.WriteString(w, s[:k]); err != nil {
			return
		}
		s = s[k:]
	}
}

func sameLines(t *testing.T, stream string, got, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d lines, want %d", stream, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s line %d: got %.40q… (%d bytes), want %.40q… (%d bytes)", stream, i, got[i], len(got[i]), want[i], len(want[i]))
		}
	}
}

// TestWiden: the driver widens a pipe where it may, and says so only when the
// pipe is wide; anything else (not a pipe, not a file, a refused size) leaves
// it reading as it comes, never failing.
func TestWiden(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	wide := widen(r)
	size, err := unix.FcntlInt(r.Fd(), unix.F_GETPIPE_SZ, 0)
	if err != nil {
		t.Fatal(err)
	}
	if wide != (size >= widePipe) {
		t.Errorf("widen said %v for a pipe of %d bytes", wide, size)
	}
	if os.Geteuid() == 0 && !wide {
		t.Errorf("root could not widen a pipe (%d bytes)", size)
	}

	file, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if widen(file) {
		t.Error("widen said a regular file is a wide pipe")
	}
	if widen(strings.NewReader("")) {
		t.Error("widen said a reader that is no file is a wide pipe")
	}
}

// TestAppendOwned: the forwarder keeps records after their slab is reused.
func TestAppendOwned(t *testing.T) {
	slab := []byte("one\ntwo\n")
	text := string(slab) // a copy to compare with
	recs := []record{{Log: unsafe.String(&slab[0], 4), Stream: "stdout"}, {Log: unsafe.String(&slab[4], 4), Stream: "stderr"}}
	forward := appendOwned(nil, recs)
	copy(slab, "XXXXXXXX")
	if len(forward) != 2 || forward[0].Log+forward[1].Log != text || forward[1].Stream != "stderr" {
		t.Fatalf("forwarded %+v", forward)
	}
}

// TestPipeSource: a widened pipe is read out of the poller while it gathers
// (readNow: what is there, nothing where it is empty, the deadline checked),
// and waited for in the poller otherwise, across both ways in turn.
func TestPipeSource(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	src, gathers := sourceOf(r)
	p, ok := src.(*pipe)
	if !gathers || !ok {
		t.Skipf("the pipe was not widened (%T): no gathering to test", src)
	}
	defer p.close()
	buf := make([]byte, 64)
	read := func(name string, f func([]byte) (int, error), want string) {
		t.Helper()
		n, err := f(buf)
		if err != nil || string(buf[:n]) != want {
			t.Fatalf("%s: %q, %v; want %q", name, buf[:n], err, want)
		}
	}
	go func() {
		time.Sleep(10 * time.Millisecond) // the Read below waits for it in the poller
		w.WriteString("first\n")
	}()
	read("Read", p.Read, "first\n")
	read("readNow of an empty pipe", p.readNow, "")
	w.WriteString("second\n")
	read("readNow", p.readNow, "second\n")
	w.WriteString("third\n")
	read("Read after readNow", p.Read, "third\n")

	w.WriteString("after the deadline\n")
	p.setDeadline(time.Now())
	if n, err := p.readNow(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("readNow after the deadline: %q, %v", buf[:n], err)
	}
	if n, err := p.Read(buf); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Read after the deadline: %q, %v", buf[:n], err)
	}
	p.setDeadline(time.Time{})
	w.Close()
	read("Read", p.Read, "after the deadline\n")
	if _, err := p.readNow(buf); err != io.EOF {
		t.Fatalf("readNow at the end: %v, want EOF", err)
	}
	if _, err := p.Read(buf); err != io.EOF {
		t.Fatalf("Read at the end: %v, want EOF", err)
	}
}
