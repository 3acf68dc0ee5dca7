// Package scheduler runs a graph of operations as parallel as its edges allow.
// It knows nothing of containers: a node is an ID, the IDs it waits for, and a function.
package scheduler

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/hashicorp/go-multierror"
)

// Node is one operation of a graph.
type Node struct {
	ID   string
	Deps []string // IDs that must succeed before this node runs
	Run  func(ctx context.Context) error
}

// Status is where a node is.
type Status int

const (
	Started Status = iota
	Done
	Failed
	Skipped // a dependency failed or the run was cancelled
)

func (s Status) String() string {
	return [...]string{"started", "done", "failed", "skipped"}[s]
}

// Event reports a node changing status.
type Event struct {
	ID     string
	Status Status
	Err    error
}

// Options tune a run.
type Options struct {
	Parallel int         // at most this many nodes run at once; <= 0 = no limit
	OnEvent  func(Event) // called from the worker goroutines; must be safe for that
}

// ErrDependencyFailed is the error of a node skipped because a dependency failed.
var ErrDependencyFailed = errors.New("dependency failed")

// ErrCycle is returned for a graph that cannot be ordered.
var ErrCycle = errors.New("dependency cycle")

// Run executes every node after its dependencies succeeded. A failed node does not
// stop independent nodes; its dependents are skipped. Every failure is returned,
// gathered. Cancelling ctx skips the nodes that have not started.
func Run(ctx context.Context, nodes []Node, o Options) error {
	byID := make(map[string]*Node, len(nodes))
	for i := range nodes {
		n := &nodes[i]
		if _, dup := byID[n.ID]; dup {
			return fmt.Errorf("scheduler: node %q given twice", n.ID)
		}
		byID[n.ID] = n
	}
	waiting := map[string]int{}
	dependents := map[string][]string{}
	for _, n := range nodes {
		for _, d := range n.Deps {
			if _, ok := byID[d]; !ok {
				return fmt.Errorf("scheduler: node %q waits for unknown node %q", n.ID, d)
			}
			waiting[n.ID]++
			dependents[d] = append(dependents[d], n.ID)
		}
	}
	if err := checkAcyclic(nodes, byID); err != nil {
		return err
	}

	var (
		mu      sync.Mutex
		errs    *multierror.Error
		wg      sync.WaitGroup
		sem     chan struct{}
		emit    = func(e Event) {}
		skipped = map[string]bool{}
	)
	if o.Parallel > 0 {
		sem = make(chan struct{}, o.Parallel)
	}
	if o.OnEvent != nil {
		emit = o.OnEvent
	}

	var start func(id string)
	// finish records a node's outcome and starts what became ready. Called with mu held.
	var finish func(id string, err error)
	skip := func(id string, cause error) {
		// Skipping cascades to every dependent, depth first, under mu.
		var walk func(string, error)
		walk = func(id string, cause error) {
			if skipped[id] {
				return
			}
			skipped[id] = true
			emit(Event{ID: id, Status: Skipped, Err: cause})
			for _, d := range dependents[id] {
				walk(d, fmt.Errorf("%s: %w: %s", d, ErrDependencyFailed, id))
			}
		}
		walk(id, cause)
	}
	finish = func(id string, err error) {
		if err != nil {
			errs = multierror.Append(errs, err)
			for _, d := range dependents[id] {
				skip(d, fmt.Errorf("%s: %w: %s", d, ErrDependencyFailed, id))
			}
			return
		}
		for _, d := range dependents[id] {
			waiting[d]--
			if waiting[d] == 0 && !skipped[d] {
				start(d)
			}
		}
	}
	start = func(id string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if sem != nil {
				select {
				case sem <- struct{}{}:
					defer func() { <-sem }()
				case <-ctx.Done():
				}
			}
			if ctx.Err() != nil {
				mu.Lock()
				skip(id, ctx.Err())
				errs = multierror.Append(errs, fmt.Errorf("%s: %w", id, ctx.Err()))
				mu.Unlock()
				return
			}
			emit(Event{ID: id, Status: Started})
			err := byID[id].Run(ctx)
			if err != nil {
				emit(Event{ID: id, Status: Failed, Err: err})
			} else {
				emit(Event{ID: id, Status: Done})
			}
			mu.Lock()
			finish(id, err)
			mu.Unlock()
		}()
	}

	mu.Lock()
	for _, n := range nodes {
		if waiting[n.ID] == 0 {
			start(n.ID)
		}
	}
	mu.Unlock()
	wg.Wait()
	if errs != nil {
		errs.ErrorFormat = OneLine
	}
	return errs.ErrorOrNil()
}

// OneLine prints gathered errors on one line, as berth's messages are.
func OneLine(errs []error) string {
	if len(errs) == 1 {
		return errs[0].Error()
	}
	msgs := make([]string, len(errs))
	for i, e := range errs {
		msgs[i] = e.Error()
	}
	return fmt.Sprintf("%d errors: %s", len(errs), strings.Join(msgs, "; "))
}

func checkAcyclic(nodes []Node, byID map[string]*Node) error {
	state := map[string]int{}
	var path []string
	var visit func(id string) error
	visit = func(id string) error {
		state[id] = 1
		path = append(path, id)
		for _, d := range byID[id].Deps {
			if state[d] == 1 {
				return fmt.Errorf("%w: %s -> %s", ErrCycle, strings.Join(path, " -> "), d)
			}
			if state[d] == 0 {
				if err := visit(d); err != nil {
					return err
				}
			}
		}
		path = path[:len(path)-1]
		state[id] = 2
		return nil
	}
	ids := make([]string, 0, len(nodes))
	for _, n := range nodes {
		ids = append(ids, n.ID)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if state[id] == 0 {
			if err := visit(id); err != nil {
				return err
			}
		}
	}
	return nil
}
