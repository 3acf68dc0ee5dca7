package e2e

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"berth.dev/berth/internal/benchreport"
)

// The log benchmark: a container prints logBytes of short lines; the figures are
// the CPU its log driver spent on them (from /proc, per 100 MB), and how fast
// `berth logs` and `berth logs -f` (catching up from the start) read them back,
// beside this process writing the same lines to a plain file (its CPU) and
// reading that file back.
const (
	logLine  = "GET /index.html 200 0.0012s 10.0.0.7 curl/8.5.0 ok" // 49 bytes and a newline
	logLines = 2_000_000                                            // 100 MB
	logBytes = logLines * (len(logLine) + 1)
	per100MB = 100e6 / float64(logBytes)
)

func BenchmarkLogs(b *testing.B) {
	dir := b.TempDir()
	compose := fmt.Sprintf(`services:
  app:
    image: %s
    command: [sh, -c, "yes '%s' | head -n %d; echo END; exec sleep 3600"]
    stop_signal: SIGKILL
`, benchImage, logLine, logLines)
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		b.Fatal(err)
	}
	s := &scenario{t: b, dir: dir, project: "benchlogs", env: []string{"CONTAINERD_NAMESPACE=" + benchNamespace, "BERTH_DNS_UPSTREAMS=none"}}
	if err := s.run("up", "-d"); err != nil {
		b.Fatal(err)
	}
	defer s.run("down", "-t", "0")
	id := s.ids()["benchlogs-app-1"]
	driver := logDriverPid(b, id)

	// Every line is in the file once `logs -f` has shown END.
	if _, err := readLogs(s, true); err != nil {
		b.Fatal(err)
	}
	driverCPU := float64(cpuTicks(b, driver)) / 100 // USER_HZ is 100

	read, err := readLogs(s, false)
	if err != nil {
		b.Fatal(err)
	}
	follow, err := readLogs(s, true)
	if err != nil {
		b.Fatal(err)
	}
	plainCPU, plainRead := plainFile(b, filepath.Join(dir, "plain.log"))

	mbps := func(d time.Duration) float64 { return float64(logBytes) / 1e6 / d.Seconds() }
	fmt.Printf("\n%d lines of %d bytes (%d MB) from one container\n", logLines, len(logLine)+1, logBytes/1e6)
	fmt.Printf("  log driver CPU         %6.2fs per 100 MB   plain file write %6.2fs\n", driverCPU*per100MB, plainCPU*per100MB)
	fmt.Printf("  berth logs             %6.0f MB/s          plain file read  %6.0f MB/s\n", mbps(read), mbps(plainRead))
	fmt.Printf("  berth logs -f catch-up %6.0f MB/s\n", mbps(follow))
	// Issue 17: at most 0.5s of driver CPU per 100 MB; reading back at least 100 MB/s.
	benchreport.Beside("logs/driver-cpu-per-100MB", driverCPU*per100MB, "s", "s writing the lines to a plain file", plainCPU*per100MB, benchreport.AtMost(0.5))
	benchreport.Beside("logs/read", mbps(read), "MB/s", "MB/s reading the plain file", mbps(plainRead), benchreport.AtLeast(100))
	benchreport.Beside("logs/follow-catch-up", mbps(follow), "MB/s", "MB/s reading the plain file", mbps(plainRead), benchreport.AtLeast(100))
}

// readLogs runs `berth logs` (with -f: until it prints END, then stops it) and
// times it, checking it printed every line.
func readLogs(s *scenario, follow bool) (time.Duration, error) {
	args := []string{"logs", "--no-log-prefix", "--no-color", "app"}
	if follow {
		args = append(args, "-f")
	}
	cmd := s.command(args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	want := int64(logBytes + len("END\n"))
	n, tail, err := countUntil(out, "END\n", want)
	elapsed := time.Since(start)
	if follow {
		cmd.Process.Signal(syscall.SIGINT)
	}
	werr := cmd.Wait()
	switch {
	case err != nil:
		return 0, err
	case n != want || tail != "END\n":
		return 0, fmt.Errorf("berth %v printed %d bytes ending %q, want %d ending END", args, n, tail, want)
	case werr != nil && !follow:
		return 0, fmt.Errorf("berth %v: %v", args, werr)
	}
	return elapsed, nil
}

// countUntil reads r until EOF or until it has read want bytes ending in end.
func countUntil(r io.Reader, end string, want int64) (n int64, tail string, err error) {
	buf := make([]byte, 256<<10)
	var last []byte
	for {
		k, err := r.Read(buf)
		n += int64(k)
		if k > 0 { // the last len(end) bytes, across reads however short
			last = append(last, buf[max(0, k-len(end)):k]...)
			last = last[max(0, len(last)-len(end)):]
		}
		if n >= want && bytes.HasSuffix(last, []byte(end)) {
			return n, string(last), nil
		}
		if err == io.EOF {
			return n, string(last), nil
		}
		if err != nil {
			return n, string(last), err
		}
	}
}

// plainFile writes the same lines to a plain file through a 64 KiB buffer (the
// CPU of this thread, in seconds) and reads them back line by line.
func plainFile(b *testing.B, path string) (writeCPU float64, read time.Duration) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	cpu0 := threadCPU(b)
	w := bufio.NewWriterSize(f, 64<<10)
	for range logLines {
		w.WriteString(logLine)
		w.WriteByte('\n')
	}
	if err := w.Flush(); err != nil {
		b.Fatal(err)
	}
	writeCPU = threadCPU(b) - cpu0

	start := time.Now()
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		b.Fatal(err)
	}
	sc := bufio.NewScanner(bufio.NewReaderSize(f, 64<<10))
	lines := 0
	for sc.Scan() {
		lines++
	}
	read = time.Since(start)
	if sc.Err() != nil || lines != logLines {
		b.Fatalf("plain file: %d lines read, %v", lines, sc.Err())
	}
	return writeCPU, read
}

// threadCPU is the user and system time of the calling thread, in seconds.
func threadCPU(b *testing.B) float64 {
	var ru syscall.Rusage
	const rusageThread = 1 // RUSAGE_THREAD
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// logDriverPid is the PID of the log driver the shim started for container id.
func logDriverPid(b *testing.B, id string) int {
	dirs, err := filepath.Glob("/proc/[0-9]*")
	if err != nil {
		b.Fatal(err)
	}
	for _, dir := range dirs {
		cmd, err := os.ReadFile(filepath.Join(dir, "cmdline"))
		if err != nil || !strings.Contains(string(cmd), "_logdriver") || !strings.Contains(string(cmd), id+".log") {
			continue
		}
		var pid int
		fmt.Sscan(filepath.Base(dir), &pid)
		return pid
	}
	b.Fatalf("no log driver for container %s", id)
	return 0
}
