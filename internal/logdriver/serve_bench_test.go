package logdriver

import (
	"bufio"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkServe is the driver's whole path, pipe to file, for short lines.
func BenchmarkServe(b *testing.B) {
	const line = "GET /index.html 200 0.0012s 10.0.0.7 curl/8.5.0 ok\n"
	const lines = 200_000
	b.SetBytes(int64(len(line) * lines))
	for i := 0; b.Loop(); i++ {
		path := filepath.Join(b.TempDir(), "c.log")
		out, in := io.Pipe()
		go func() {
			w := bufio.NewWriterSize(in, 32<<10)
			for range lines {
				w.WriteString(line)
			}
			w.Flush()
			in.Close()
		}()
		if err := serve(context.Background(), path, out, strings.NewReader(""), func() error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRead is Read of a log of short lines, as `logs` reads it.
func BenchmarkRead(b *testing.B) {
	const line = "GET /index.html 200 0.0012s 10.0.0.7 curl/8.5.0 ok\n"
	const lines = 200_000
	path := filepath.Join(b.TempDir(), "c.log")
	w := newFileWriter(path, Options{})
	batch := make([]record, lines)
	for i := range batch {
		batch[i] = record{Log: line, Stream: "stdout", Time: t0.Add(time.Duration(i))}
	}
	if err := w.write(batch); err != nil {
		b.Fatal(err)
	}
	w.close()
	b.SetBytes(int64(len(line) * lines))
	for b.Loop() {
		n := 0
		if err := Read(context.Background(), path, ReadOptions{Tail: -1}, func(Entry) error { n++; return nil }); err != nil || n != lines {
			b.Fatalf("read %d lines: %v", n, err)
		}
	}
}
