package containerd

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStdinIOWithoutTTY: a stdin_open task without a TTY gets FIFOs in a private
// directory, and the log driver berth starts reads what the shim writes until the
// shim, not berth, closes the stream.
func TestStdinIOWithoutTTY(t *testing.T) {
	dir := t.TempDir()
	r := &Runtime{o: Options{StateDir: filepath.Join(dir, "state"), RunDir: filepath.Join(dir, "run")}}
	logFile := r.logFile("c1")
	if err := os.MkdirAll(filepath.Dir(logFile), 0o700); err != nil {
		t.Fatal(err)
	}
	// A stand-in for the log driver with its protocol: ready on fd 5, stdout on fd 3.
	driver := filepath.Join(dir, "driver")
	script := "#!/bin/sh\nprintf x >&5\nexec 5>&-\ncat <&3 >>\"$2\"\necho end >>\"$2\"\n"
	if err := os.WriteFile(driver, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	s := r.newStdinIO("c1", driver)
	defer s.release()
	create := s.creator(map[string]string{labelStdinOpen: "true"}, nil)
	io1, err := create("c1")
	if err != nil {
		t.Fatal(err)
	}
	io2, err := create("c1") // containerd's retry: the same IO, no second driver
	if err != nil || io2.Config() != io1.Config() {
		t.Fatalf("second create: %+v, %v; want %+v", io2.Config(), err, io1.Config())
	}
	cfg := io1.Config()
	if cfg.Terminal || cfg.Stdin == "" || cfg.Stdout == "" || cfg.Stderr == "" {
		t.Fatalf("config %+v, want FIFOs for stdin, stdout and stderr", cfg)
	}
	for path, want := range map[string]os.FileMode{filepath.Dir(cfg.Stdin): os.ModeDir | 0o700, cfg.Stdin: os.ModeNamedPipe | 0o600} {
		if st, err := os.Stat(path); err != nil || st.Mode() != want {
			t.Errorf("%s: %v, %v; want mode %v", path, st.Mode(), err, want)
		}
	}

	// The shim opens its end as the task is created, then berth lets go of its own.
	shim, err := os.OpenFile(cfg.Stdout, os.O_WRONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	s.release()
	if _, err := shim.WriteString("hello\n"); err != nil {
		t.Fatal(err)
	}
	read := func() string { b, _ := os.ReadFile(logFile); return string(b) }
	waitFor := func(want string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !strings.Contains(read(), want); {
			if time.Now().After(deadline) {
				t.Fatalf("the log has %q, want %q in it", read(), want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("hello\n")
	if strings.Contains(read(), "end") {
		t.Fatalf("the driver ended while the shim still writes: %q", read())
	}
	shim.Close() // the task's end
	waitFor("hello\nend\n")

	if err := r.removeStdio("c1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Dir(cfg.Stdin)); !os.IsNotExist(err) {
		t.Errorf("the FIFOs' directory is still there: %v", err)
	}
}

// TestStdinIOWithTTY: with a TTY the task keeps its binary:// log driver and only
// gains a stdin FIFO; a container without stdin_open keeps its IO as it is.
func TestStdinIOWithTTY(t *testing.T) {
	dir := t.TempDir()
	r := &Runtime{o: Options{StateDir: filepath.Join(dir, "state"), RunDir: filepath.Join(dir, "run")}}
	uri, err := parseURI("binary:///usr/bin/berth-logdriver?_logdriver=%2Fvar%2Flog%2Fc1.log")
	if err != nil {
		t.Fatal(err)
	}
	logs := logIO(uri, true)
	s := r.newStdinIO("c1", "/nonexistent/driver") // with a TTY no driver is started
	defer s.release()
	io, err := s.creator(map[string]string{labelStdinOpen: "true", labelTTY: "true"}, logs)("c1")
	if err != nil {
		t.Fatal(err)
	}
	cfg := io.Config()
	if !cfg.Terminal || cfg.Stdout != uri.String() || cfg.Stderr != uri.String() || cfg.Stdin != r.stdinFifo("c1") {
		t.Errorf("config %+v, want the log URI, a terminal and the stdin FIFO %s", cfg, r.stdinFifo("c1"))
	}
	if st, err := os.Stat(cfg.Stdin); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("stdin %s: %v, %v; want a FIFO", cfg.Stdin, st, err)
	}
	other := r.newStdinIO("c2", "/nonexistent/driver")
	io, err = other.creator(map[string]string{labelTTY: "true"}, logs)("c2")
	if err != nil || io.Config().Stdin != "" || io.Config().Stdout != uri.String() {
		t.Errorf("without stdin_open: %+v, %v; want the log URI alone", io.Config(), err)
	}
}
