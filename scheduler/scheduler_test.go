package scheduler

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// recorder keeps the order nodes ran in.
type recorder struct {
	mu  sync.Mutex
	ran []string
}

func (r *recorder) node(id string, deps []string, err error) Node {
	return Node{ID: id, Deps: deps, Run: func(ctx context.Context) error {
		r.mu.Lock()
		r.ran = append(r.ran, id)
		r.mu.Unlock()
		return err
	}}
}

func (r *recorder) index(id string) int {
	for i, v := range r.ran {
		if v == id {
			return i
		}
	}
	return -1
}

func TestDependenciesRunFirst(t *testing.T) {
	r := &recorder{}
	nodes := []Node{
		r.node("web", []string{"db", "cache"}, nil),
		r.node("db", []string{"net"}, nil),
		r.node("cache", []string{"net"}, nil),
		r.node("net", nil, nil),
	}
	if err := Run(context.Background(), nodes, Options{}); err != nil {
		t.Fatal(err)
	}
	if len(r.ran) != 4 {
		t.Fatalf("ran %v", r.ran)
	}
	for _, e := range [][2]string{{"net", "db"}, {"net", "cache"}, {"db", "web"}, {"cache", "web"}} {
		if r.index(e[0]) > r.index(e[1]) {
			t.Errorf("%s ran after %s: %v", e[0], e[1], r.ran)
		}
	}
}

func TestFailureSkipsDependentsOnly(t *testing.T) {
	r := &recorder{}
	boom := errors.New("boom")
	var events sync.Map
	nodes := []Node{
		r.node("a", nil, boom),
		r.node("b", []string{"a"}, nil),
		r.node("c", []string{"b"}, nil),
		r.node("d", nil, nil),
	}
	err := Run(context.Background(), nodes, Options{OnEvent: func(e Event) { events.Store(e.ID, e.Status) }})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	if r.index("b") >= 0 || r.index("c") >= 0 {
		t.Errorf("dependents of a failed node ran: %v", r.ran)
	}
	if r.index("d") < 0 {
		t.Error("independent node did not run")
	}
	for id, want := range map[string]Status{"a": Failed, "b": Skipped, "c": Skipped, "d": Done} {
		if got, _ := events.Load(id); got != want {
			t.Errorf("%s: status %v, want %v", id, got, want)
		}
	}
}

func TestErrorsAreGathered(t *testing.T) {
	r := &recorder{}
	nodes := []Node{r.node("a", nil, errors.New("first")), r.node("b", nil, errors.New("second"))}
	err := Run(context.Background(), nodes, Options{})
	if err == nil || !strings.Contains(err.Error(), "first") || !strings.Contains(err.Error(), "second") {
		t.Fatalf("err %v", err)
	}
}

func TestParallelLimit(t *testing.T) {
	var running, peak atomic.Int32
	gate := make(chan struct{})
	var nodes []Node
	for i := 0; i < 20; i++ {
		nodes = append(nodes, Node{ID: fmt.Sprint(i), Run: func(ctx context.Context) error {
			n := running.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			<-gate
			running.Add(-1)
			return nil
		}})
	}
	done := make(chan error)
	go func() { done <- Run(context.Background(), nodes, Options{Parallel: 3}) }()
	close(gate)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if p := peak.Load(); p > 3 || p < 1 {
		t.Errorf("peak parallelism %d, limit 3", p)
	}
}

func TestIndependentNodesRunConcurrently(t *testing.T) {
	// Each node waits for the other to start: only a parallel run finishes.
	a, b := make(chan struct{}), make(chan struct{})
	nodes := []Node{
		{ID: "a", Run: func(ctx context.Context) error { close(a); <-b; return nil }},
		{ID: "b", Run: func(ctx context.Context) error { close(b); <-a; return nil }},
	}
	if err := Run(context.Background(), nodes, Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestCancelSkipsUnstarted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r := &recorder{}
	nodes := []Node{
		{ID: "a", Run: func(context.Context) error { cancel(); return nil }},
		r.node("b", []string{"a"}, nil),
	}
	err := Run(ctx, nodes, Options{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	if len(r.ran) != 0 {
		t.Errorf("ran after cancel: %v", r.ran)
	}
}

func TestBadGraphs(t *testing.T) {
	noop := func(context.Context) error { return nil }
	if err := Run(context.Background(), []Node{{ID: "a", Deps: []string{"b"}, Run: noop}, {ID: "b", Deps: []string{"a"}, Run: noop}}, Options{}); !errors.Is(err, ErrCycle) {
		t.Errorf("cycle: %v", err)
	}
	if err := Run(context.Background(), []Node{{ID: "a", Deps: []string{"x"}, Run: noop}}, Options{}); err == nil {
		t.Error("unknown dependency accepted")
	}
	if err := Run(context.Background(), nil, Options{}); err != nil {
		t.Errorf("empty graph: %v", err)
	}
}
