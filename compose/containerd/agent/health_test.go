package agent

import (
	"context"
	"testing"
	"time"

	"github.com/containerd/errdefs"

	"berth.dev/berth/internal/health"
)

// A check that containerd could not run (it was restarting) is no result: a
// healthy container stays healthy however long containerd is away, and the
// log keeps only checks that ran.
func TestHealthIgnoresContainerdAway(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ok := checkOutcome{res: health.Result{ExitCode: 0, Output: "ok"}}
	away := checkOutcome{err: errdefs.ErrUnavailable}
	f := &fakeRuntime{checks: []checkOutcome{ok, away, away, away, away, ok}, done: cancel}
	dir := t.TempDir()
	check := health.Check{Test: []string{"CMD", "true"}, Interval: time.Millisecond, Retries: 1}

	runChecks(ctx, f, dir, "c1", check, time.Time{})

	got, err := health.Read(dir, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != health.Healthy || got.FailingStreak != 0 || len(got.Log) != 2 {
		t.Errorf("after containerd was away: %+v, want healthy with the 2 checks that ran", got)
	}
}

// A check that ran and failed still counts.
func TestHealthCountsFailedCheck(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	failed := checkOutcome{res: health.Result{ExitCode: 1, Output: "no"}}
	f := &fakeRuntime{checks: []checkOutcome{failed}, done: cancel}
	dir := t.TempDir()
	check := health.Check{Test: []string{"CMD", "false"}, Interval: time.Millisecond, Retries: 1}

	runChecks(ctx, f, dir, "c1", check, time.Time{})

	got, err := health.Read(dir, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != health.Unhealthy {
		t.Errorf("after a failed check: %+v, want unhealthy", got)
	}
}
