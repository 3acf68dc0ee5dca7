package containerd

import (
	"context"
	"os"
	"os/exec"
	"testing"
)

// A copy made while other goroutines fork and exec must run at once: a child
// forked while the copy is open for writing would keep it busy ("text file busy").
func TestWriteExecutableWhileForking(t *testing.T) {
	src := "/bin/true"
	if _, err := os.Stat(src); err != nil {
		t.Skipf("skipping: %s not found: %v", src, err)
	}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	forks := make(chan struct{})
	for i := 0; i < 4; i++ {
		go func() {
			defer func() { forks <- struct{}{} }()
			for ctx.Err() == nil {
				_ = exec.Command(src).Run()
			}
		}()
	}
	dir := t.TempDir()
	for i := 0; i < 50; i++ {
		f, err := os.Open(src)
		if err != nil {
			t.Fatal(err)
		}
		path, err := writeExecutable(dir, f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(path).CombinedOutput(); err != nil {
			t.Fatalf("copy %d: %v %s", i, err, out)
		}
		os.Remove(path)
	}
	stop()
	for i := 0; i < 4; i++ {
		<-forks
	}
}
