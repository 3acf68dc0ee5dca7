package network

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A network verb waiting for another berth's lock ends with its context (Ctrl-C),
// for every lock the network verbs take.
func TestNetworkLocksEndWithTheContext(t *testing.T) {
	dir := t.TempDir()
	m := NewManager(Paths{StateDir: dir, RunDir: dir})
	held, err := m.lockNetworks(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer held()
	for name, verb := range map[string]func(context.Context) error{
		"ensure": func(ctx context.Context) error { _, err := m.Ensure(ctx, Config{Name: "p_default"}); return err },
		"remove": func(ctx context.Context) error { return m.Remove(ctx, "p_default") },
		"attach": func(ctx context.Context) error { _, err := m.lockNetworksShared(ctx); return err },
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		err := verb(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s while another holds the networks lock: %v, want the context's end", name, err)
		}
	}
}
