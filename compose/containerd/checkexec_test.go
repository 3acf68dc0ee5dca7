package containerd

import (
	"bytes"
	"sync"
	"testing"

	"berth.dev/berth/internal/health"
)

// TestCheckOutputBounded: a check that prints megabytes on stdout and stderr costs
// the agent (shared by every project) no more than the output a result keeps.
func TestCheckOutputBounded(t *testing.T) {
	var out lockedBuffer
	line := bytes.Repeat([]byte("x"), 64<<10)
	var wg sync.WaitGroup
	for range 2 { // stdout and stderr
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 64 { // 4 MiB each
				if n, err := out.Write(line); n != len(line) || err != nil {
					t.Errorf("Write: %d, %v; want %d, nil (the check must not see its output fail)", n, err, len(line))
					return
				}
			}
		}()
	}
	wg.Wait()
	if got := len(out.String()); got != health.MaxOutput {
		t.Errorf("kept %d bytes of 8 MiB of output, want %d", got, health.MaxOutput)
	}
	if c := out.b.Cap(); c > 2*health.MaxOutput {
		t.Errorf("the buffer grew to %d bytes", c)
	}
}
