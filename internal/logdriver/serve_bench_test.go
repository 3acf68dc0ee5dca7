package logdriver

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// BenchmarkServe is the driver's whole path, pipe to file, for short lines
// written as a block-buffered program writes them (stdio's 4 KiB to a pipe),
// each block read on its own, as a container's are when the driver keeps up.
// Besides wall time it reports cpu-s/100MB, the driver's CPU (this process's,
// less the writing thread's), which is what a container's logging costs.
func BenchmarkServe(b *testing.B) {
	const line = "GET /index.html 200 0.0012s 10.0.0.7 curl/8.5.0 ok\n"
	const lines = 200_000
	data := bytes.Repeat([]byte(line), lines)
	b.SetBytes(int64(len(data)))
	var driverCPU time.Duration
	for b.Loop() {
		path := filepath.Join(b.TempDir(), "c.log")
		out, in, err := os.Pipe()
		if err != nil {
			b.Fatal(err)
		}
		producerCPU := make(chan time.Duration, 1)
		go func() {
			producerCPU <- writeBlocks(in, data, 4<<10)
			in.Close()
		}()
		start := processCPU(b)
		if err := serve(context.Background(), path, out, strings.NewReader(""), func() error { return nil }); err != nil {
			b.Fatal(err)
		}
		driverCPU += processCPU(b) - start - <-producerCPU
		out.Close()
	}
	b.ReportMetric(driverCPU.Seconds()/float64(b.N)*100e6/float64(len(data)), "cpu-s/100MB")
}

// writeBlocks writes data to w in blocks of size on a thread of its own, each
// once the reader has taken the one before, and returns that thread's CPU.
func writeBlocks(w *os.File, data []byte, size int) time.Duration {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	fd := int(w.Fd()) // once: Fd makes the file blocking each time
	start := threadCPU()
	for len(data) > 0 {
		n := min(size, len(data))
		if _, err := w.Write(data[:n]); err != nil {
			break
		}
		data = data[n:]
		for unread(fd) > 0 {
			syscall.Nanosleep(&syscall.Timespec{Nsec: 20_000}, nil)
		}
	}
	return threadCPU() - start
}

// unread is the count of bytes in the pipe fd writes to.
func unread(fd int) int {
	n, err := unix.IoctlGetInt(fd, unix.TIOCINQ) // FIONREAD
	if err != nil {
		return 0
	}
	return n
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
