package health

import (
	"errors"
	"os"
	"reflect"
	"testing"
	"time"
)

func TestArgs(t *testing.T) {
	for _, c := range []struct {
		test []string
		want []string
	}{
		{[]string{"CMD", "redis-cli", "ping"}, []string{"redis-cli", "ping"}},
		{[]string{"CMD-SHELL", "curl -f localhost || exit 1"}, []string{"/bin/sh", "-c", "curl -f localhost || exit 1"}},
	} {
		got, err := Check{Test: c.test}.Args()
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v: %v %v", c.test, got, err)
		}
	}
	for _, bad := range [][]string{nil, {"CMD"}, {"CMD-SHELL", "a", "b"}, {"RUN", "x"}} {
		if _, err := (Check{Test: bad}).Args(); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}

func TestRecordFollowsDockersRules(t *testing.T) {
	t0 := time.Unix(1000, 0)
	c := Check{Retries: 2, StartPeriod: 10 * time.Second}.WithDefaults()
	fail := func(at time.Duration) Result { return Result{Start: t0.Add(at), ExitCode: 1} }
	ok := func(at time.Duration) Result { return Result{Start: t0.Add(at), ExitCode: 0} }

	s := NewState(t0)
	// Failures in the start period do not count.
	s = s.Record(c, fail(1*time.Second)).Record(c, fail(2*time.Second)).Record(c, fail(3*time.Second))
	if s.Status != Starting || s.FailingStreak != 0 {
		t.Fatalf("in the start period: %+v", s)
	}
	// After it, Retries failures make it unhealthy.
	s = s.Record(c, fail(11*time.Second))
	if s.Status != Starting || s.FailingStreak != 1 {
		t.Fatalf("one failure after the start period: %+v", s)
	}
	s = s.Record(c, fail(12*time.Second))
	if s.Status != Unhealthy {
		t.Fatalf("two failures: %+v", s)
	}
	// A success heals it and resets the streak.
	s = s.Record(c, ok(13*time.Second))
	if s.Status != Healthy || s.FailingStreak != 0 {
		t.Fatalf("after a success: %+v", s)
	}
	if len(s.Log) != keptResults {
		t.Errorf("kept %d results, want %d", len(s.Log), keptResults)
	}
	// A success in the start period makes it healthy at once.
	if s := NewState(t0).Record(c, ok(time.Second)); s.Status != Healthy {
		t.Errorf("success in the start period: %+v", s)
	}
}

func TestNextDelay(t *testing.T) {
	t0 := time.Unix(1000, 0)
	c := Check{Interval: time.Minute, StartInterval: time.Second, StartPeriod: 10 * time.Second}.WithDefaults()
	s := NewState(t0)
	if d := s.NextDelay(c, t0.Add(5*time.Second)); d != time.Second {
		t.Errorf("in the start period: %v", d)
	}
	if d := s.NextDelay(c, t0.Add(11*time.Second)); d != time.Minute {
		t.Errorf("after the start period: %v", d)
	}
}

func TestStateFiles(t *testing.T) {
	dir := t.TempDir()
	if _, err := Read(dir, "c1"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("absent state: %v", err)
	}
	want := NewState(time.Unix(5, 0).UTC())
	if err := Write(dir, "c1", want); err != nil {
		t.Fatal(err)
	}
	got, err := Read(dir, "c1")
	if err != nil || got.Status != Starting || !got.Started.Equal(want.Started) {
		t.Errorf("read back %+v %v", got, err)
	}
	if err := Remove(dir, "c1"); err != nil {
		t.Fatal(err)
	}
	if err := Remove(dir, "c1"); err != nil {
		t.Errorf("second remove: %v", err)
	}
}
