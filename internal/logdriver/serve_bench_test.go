package logdriver

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkServe is the driver's whole path, pipe to file, for short lines
// written as a block-buffered program writes them: stdio's 4 KiB blocks, at
// the pace of `yes | head` in a container (about 80 MB/s here), which the
// driver keeps up with (reads/op says in how many reads). Besides wall time it reports cpu-s/100MB, the driver's
// CPU (this process's, less the writing thread's), which is what a
// container's logging costs. unwidened is the same where the driver cannot
// widen the pipe (another user's limits) and so does not gather its reads.
func BenchmarkServe(b *testing.B) {
	b.Run("pipe", func(b *testing.B) { benchServe(b, func(f *os.File) io.Reader { return f }) })
	b.Run("unwidened", func(b *testing.B) { benchServe(b, func(f *os.File) io.Reader { return struct{ io.Reader }{f} }) })
}

// benchServe is BenchmarkServe with the driver reading the pipe through
// stdout(pipe).
func benchServe(b *testing.B, stdout func(*os.File) io.Reader) {
	const line = "GET /index.html 200 0.0012s 10.0.0.7 curl/8.5.0 ok\n"
	const lines = 200_000
	data := bytes.Repeat([]byte(line), lines)
	b.SetBytes(int64(len(data)))
	var driverCPU time.Duration
	reads := readCalls(b)
	for b.Loop() {
		path := filepath.Join(b.TempDir(), "c.log")
		out, in, err := os.Pipe()
		if err != nil {
			b.Fatal(err)
		}
		producerCPU := make(chan time.Duration, 1)
		go func() {
			producerCPU <- writeBlocks(in, data, 4<<10, 80e6)
			in.Close()
		}()
		start := processCPU(b)
		if err := serve(context.Background(), path, stdout(out), strings.NewReader(""), func() error { return nil }); err != nil {
			b.Fatal(err)
		}
		driverCPU += processCPU(b) - start - <-producerCPU
		out.Close()
	}
	b.ReportMetric(driverCPU.Seconds()/float64(b.N)*100e6/float64(len(data)), "cpu-s/100MB")
	b.ReportMetric(float64(readCalls(b)-reads)/float64(b.N), "reads/op")
}

// readCalls is the count of read system calls this process made, most of
// them the driver's reads of the pipe.
func readCalls(b *testing.B) int {
	io, err := os.ReadFile("/proc/self/io")
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(io)) {
		if n, ok := strings.CutPrefix(line, "syscr: "); ok {
			v, err := strconv.Atoi(strings.TrimSpace(n))
			if err != nil {
				b.Fatal(err)
			}
			return v
		}
	}
	b.Fatal("no syscr in /proc/self/io")
	return 0
}

// writeBlocks writes data to w in blocks of size at rate bytes a second, on a
// thread of its own (busy, as the container's is), and returns that thread's
// CPU.
func writeBlocks(w *os.File, data []byte, size int, rate float64) time.Duration {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start, cpu := time.Now(), threadCPU()
	for sent := 0; sent < len(data); {
		// Spin, as a sleep would send the blocks in bursts, which the
		// driver would read together.
		for due := time.Duration(float64(sent) / rate * 1e9); time.Since(start) < due; {
		}
		n, err := w.Write(data[sent:min(sent+size, len(data))])
		if err != nil {
			break
		}
		sent += n
	}
	return threadCPU() - cpu
}

func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func threadCPU() time.Duration {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	syscall.Getrusage(rusageThread, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
