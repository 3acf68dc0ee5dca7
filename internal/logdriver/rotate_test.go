package logdriver

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestRotation(t *testing.T) {
	for _, batch := range []int{1, 7, 1000} {
		log := filepath.Join(t.TempDir(), "new", "dir", "c.log")
		o := Options{MaxSize: 1000, MaxFiles: 3}
		writeLines(t, log, o, 0, 500, batch)

		kept := 0
		for _, name := range []string{log + ".2", log + ".1", log} {
			st, err := os.Stat(name)
			if err != nil {
				t.Fatalf("batch %d: %v", batch, err)
			}
			if st.Size() > o.MaxSize || st.Mode().Perm() != 0o640 {
				t.Fatalf("batch %d: %s: size %d mode %v", batch, name, st.Size(), st.Mode())
			}
			kept += countLines(t, name)
		}
		if _, err := os.Stat(log + ".3"); !os.IsNotExist(err) {
			t.Fatalf("batch %d: %s.3 kept beyond max-file 3", batch, log)
		}
		// Every kept line, in order, and the dropped ones are the oldest.
		wantRange(t, lineNums(t, readAll(t, log, ReadOptions{Tail: -1})), 500-kept, 500)
	}
}

func TestRotationSingleFile(t *testing.T) {
	log := filepath.Join(t.TempDir(), "c.log")
	writeLines(t, log, Options{MaxSize: 500, MaxFiles: 1}, 0, 100, 3)
	if m, _ := filepath.Glob(log + ".*"); len(m) != 0 {
		t.Fatalf("max-file 1 left rotated files %v", m)
	}
	n := countLines(t, log)
	wantRange(t, lineNums(t, readAll(t, log, ReadOptions{Tail: -1})), 100-n, 100)
}

func TestRotationFewerFiles(t *testing.T) {
	log := filepath.Join(t.TempDir(), "c.log")
	writeLines(t, log, Options{MaxSize: 300, MaxFiles: 6}, 0, 100, 1)
	if _, err := os.Stat(log + ".5"); err != nil {
		t.Fatal(err)
	}
	// A later run with a smaller max-file drops what the old one kept.
	writeLines(t, log, Options{MaxSize: 300, MaxFiles: 2}, 100, 20, 1)
	m, _ := filepath.Glob(log + ".*")
	if len(m) != 1 || m[0] != log+".1" {
		t.Fatalf("rotated files %v, want only .1", m)
	}
}

func TestAppendAcrossRuns(t *testing.T) {
	log := filepath.Join(t.TempDir(), "c.log")
	writeLines(t, log, Options{MaxFiles: 1}, 0, 3, 10)
	writeLines(t, log, Options{MaxFiles: 1}, 3, 3, 10)
	wantRange(t, lineNums(t, readAll(t, log, ReadOptions{Tail: -1})), 0, 6)
}

func TestTornAndGarbageLines(t *testing.T) {
	log := filepath.Join(t.TempDir(), "c.log")
	writeLines(t, log, Options{MaxFiles: 1}, 0, 2, 10)
	f, _ := os.OpenFile(log, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("not json at all\n\n[1,2]\n{\"log\":\"torn")
	f.Close()
	// Reading a file that ends in a torn line does not fail.
	for _, tail := range []int{-1, 1, 5} {
		got := lineNums(t, readAll(t, log, ReadOptions{Tail: tail}))
		if len(got) == 0 || got[len(got)-1] != 1 {
			t.Fatalf("tail %d: %v", tail, got)
		}
	}
	// A driver started on it (a restart after a crash) ends the torn line
	// first, so its own first record is readable.
	writeLines(t, log, Options{MaxFiles: 1}, 2, 2, 10)
	wantRange(t, lineNums(t, readAll(t, log, ReadOptions{Tail: -1})), 0, 4)
}

func TestTail(t *testing.T) {
	log := filepath.Join(t.TempDir(), "c.log")
	writeLines(t, log, Options{MaxSize: 400, MaxFiles: 100}, 0, 200, 5)
	perFile := countLines(t, log+".1")
	if perFile >= 50 {
		t.Fatalf("files hold %d lines, too many to test a tail across them", perFile)
	}
	wantRange(t, lineNums(t, readAll(t, log, ReadOptions{Tail: 50})), 150, 200)
	wantRange(t, lineNums(t, readAll(t, log, ReadOptions{Tail: 1})), 199, 200)
	wantRange(t, lineNums(t, readAll(t, log, ReadOptions{Tail: 1000})), 0, 200)
	if got := readAll(t, log, ReadOptions{Tail: 0}); len(got) != 0 {
		t.Fatalf("tail 0 printed %d entries", len(got))
	}
	// Since picks entries at or after it (line i is at t0+i s); Tail applies to those.
	since := t0.Add(180 * time.Second)
	wantRange(t, lineNums(t, readAll(t, log, ReadOptions{Tail: -1, Since: since})), 180, 200)
	wantRange(t, lineNums(t, readAll(t, log, ReadOptions{Tail: 100, Since: since})), 180, 200)
	wantRange(t, lineNums(t, readAll(t, log, ReadOptions{Tail: 5, Since: since})), 195, 200)
}

func TestTailLongLines(t *testing.T) {
	log := filepath.Join(t.TempDir(), "c.log")
	w := newFileWriter(log, Options{MaxFiles: 1})
	long := strings.Repeat("x", 200<<10) // longer than the read chunks
	for i := range 5 {
		w.write([]record{{Log: long + "\n", Stream: "stdout", Time: t0}, {Log: "short\n", Stream: "stderr", Time: t0.Add(time.Duration(i))}})
	}
	w.close()
	got := readAll(t, log, ReadOptions{Tail: 3})
	if len(got) != 3 || got[0].Line != "short" || got[1].Line != long || got[2].Line != "short" {
		t.Fatalf("tail of long lines: %d entries", len(got))
	}
	if got := readAll(t, log, ReadOptions{Tail: -1}); len(got) != 10 || got[8].Line != long {
		t.Fatalf("forward read of long lines: %d entries", len(got))
	}
}

func TestReadMissing(t *testing.T) {
	if got := readAll(t, filepath.Join(t.TempDir(), "nope", "c.log"), ReadOptions{Tail: -1}); len(got) != 0 {
		t.Fatalf("got %v", got)
	}
}

func TestEntryFields(t *testing.T) {
	log := filepath.Join(t.TempDir(), "c.log")
	w := newFileWriter(log, Options{MaxFiles: 1})
	local := time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.FixedZone("x", 3600))
	w.write([]record{{Log: "a <b> & \"c\"\n", Stream: "stdout", Time: local.UTC()}, {Log: "prompt> ", Stream: "stderr", Time: local.UTC()}})
	w.close()
	b, _ := os.ReadFile(log)
	if want := `{"log":"a <b> & \"c\"\n","stream":"stdout","time":"2026-05-06T06:08:09.123456789Z"}` + "\n"; !strings.HasPrefix(string(b), want) {
		t.Fatalf("on disk:\n%s\nwant prefix\n%s", b, want)
	}
	got := readAll(t, log, ReadOptions{Tail: -1})
	want := []Entry{
		{Time: local.UTC(), Stream: "stdout", Line: `a <b> & "c"`},
		{Time: local.UTC(), Stream: "stderr", Line: "prompt> ", Partial: true},
	}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}
