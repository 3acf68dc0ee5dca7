package logdriver

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// writeLines writes "line <i>" for i in [from, from+n) through a fileWriter,
// in batches of batch records, record i stamped t0+i seconds.
func writeLines(t *testing.T, path string, o Options, from, n, batch int) {
	t.Helper()
	w := newFileWriter(path, o)
	defer w.close()
	var recs []record
	for i := from; i < from+n; i++ {
		stream := "stdout"
		if i%3 == 0 {
			stream = "stderr"
		}
		recs = append(recs, record{Log: fmt.Sprintf("line %d\n", i), Stream: stream, Time: t0.Add(time.Duration(i) * time.Second)})
		if len(recs) == batch || i == from+n-1 {
			if err := w.write(recs); err != nil {
				t.Fatal(err)
			}
			recs = nil
		}
	}
}

func readAll(t *testing.T, path string, o ReadOptions) []Entry {
	t.Helper()
	var got []Entry
	if err := Read(context.Background(), path, o, func(e Entry) error {
		got = append(got, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

// lineNums maps "line <i>" entries to i, failing on anything else.
func lineNums(t *testing.T, es []Entry) []int {
	t.Helper()
	var out []int
	for _, e := range es {
		n, err := strconv.Atoi(strings.TrimPrefix(e.Line, "line "))
		if err != nil || e.Partial {
			t.Fatalf("unexpected entry %+v", e)
		}
		out = append(out, n)
	}
	return out
}

// wantRange checks got is exactly from, from+1, … to-1.
func wantRange(t *testing.T, got []int, from, to int) {
	t.Helper()
	if len(got) != to-from {
		t.Fatalf("got %d entries (%v…), want %d from %d", len(got), head(got), to-from, from)
	}
	for i, n := range got {
		if n != from+i {
			t.Fatalf("entry %d is line %d, want %d (%v…)", i, n, from+i, head(got))
		}
	}
}

func head(s []int) []int { return s[:min(len(s), 10)] }

// countLines counts the newline-terminated lines on disk in path.
func countLines(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n")
}

// eventually polls cond for up to 2s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}
