package benchreport

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGoals(t *testing.T) {
	var r Report
	for _, c := range []struct {
		value, ref float64
		goal       *Goal
		met        bool
	}{
		{0.9, 1, RatioAtMost(1), true},
		{1.1, 1, RatioAtMost(1), false},
		{1, 1, RatioAtMost(1), true},
		{2, 1, RatioAtLeast(1), true},
		{0.5, 1, RatioAtLeast(1), false},
		{120, math.NaN(), AtMost(150), true},
		{160, math.NaN(), AtMost(150), false},
		{101, math.NaN(), AtLeast(100), true},
		{99, math.NaN(), AtLeast(100), false},
		{1, math.NaN(), RatioAtMost(1), false}, // no reference: a ratio goal is not met
		{1, 0, RatioAtMost(1), false},          // nor with a reference of zero
	} {
		f := r.Add("x", c.value, "u", "ref", c.ref, c.goal)
		if f.Met == nil || *f.Met != c.met {
			t.Errorf("%g beside %g, %s: met %v, want %v", c.value, c.ref, c.goal, f.Met, c.met)
		}
	}
	if f := r.Add("y", 1, "u", "", math.NaN(), nil); f.Met != nil || f.Goal != "" || f.Ratio != nil {
		t.Errorf("a figure without goal or reference: %+v", f)
	}
}

// Two packages of one run write to the same file: the second keeps the first's
// figures and replaces those of the same name.
func TestWriteFileMerges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bench", "latest.json")
	var a, b Report
	a.Add("a", 1, "s", "", math.NaN(), nil)
	a.Add("shared", 1, "s", "", math.NaN(), nil)
	b.Add("shared", 2, "s", "bound", 4, RatioAtMost(1))
	if err := a.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	if err := b.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Figures) != 2 || f.Figures[0].Name != "a" || f.Figures[1].Value != 2 || *f.Figures[1].Ratio != 0.5 || !*f.Figures[1].Met {
		t.Errorf("merged figures: %s", data)
	}
	var out bytes.Buffer
	b.Print(&out)
	if !strings.Contains(out.String(), "0.50x") || !strings.Contains(out.String(), "ratio <= 1") {
		t.Errorf("table:\n%s", out.String())
	}
}
