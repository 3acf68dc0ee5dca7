// Package benchreport collects the figures `make bench` measures, each beside the
// reference measured in the same run and the goal it is held to, and writes them
// as JSON so that a later run can be compared with this one.
package benchreport

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// Figure is one measured number.
type Figure struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
	// Reference names what the figure is measured beside (a lower bound, dnsmasq,
	// a plain file read); RefValue is its value in the same run, in Unit.
	Reference string   `json:"reference,omitempty"`
	RefValue  *float64 `json:"reference_value,omitempty"`
	Ratio     *float64 `json:"ratio,omitempty"` // Value / RefValue
	Goal      string   `json:"goal,omitempty"`  // as "ratio <= 1", "value >= 100"
	Met       *bool    `json:"met,omitempty"`   // nil without a goal
}

// Goal bounds a figure's value or its ratio to the reference.
type Goal struct {
	OnRatio bool    // the bound is on Ratio, not on Value
	AtMost  bool    // Value (or Ratio) <= Bound; else >= Bound
	Bound   float64 //
}

func (g Goal) String() string {
	on, op := "value", ">="
	if g.OnRatio {
		on = "ratio"
	}
	if g.AtMost {
		op = "<="
	}
	return fmt.Sprintf("%s %s %g", on, op, g.Bound)
}

// RatioAtMost, RatioAtLeast, AtMost, AtLeast are the four goals.
func RatioAtMost(x float64) *Goal  { return &Goal{OnRatio: true, AtMost: true, Bound: x} }
func RatioAtLeast(x float64) *Goal { return &Goal{OnRatio: true, Bound: x} }
func AtMost(x float64) *Goal       { return &Goal{AtMost: true, Bound: x} }
func AtLeast(x float64) *Goal      { return &Goal{Bound: x} }

// Report is the figures of one run; the package's default one is what the
// functions below record to.
type Report struct {
	mu      sync.Mutex
	figures []Figure
}

var (
	std     Report
	saveErr error // the first failed save, for Finish to report
)

// Value records a figure without a reference.
func Value(name string, value float64, unit string, goal *Goal) Figure {
	return save(std.Add(name, value, unit, "", math.NaN(), goal))
}

// Beside records a figure measured beside a reference in the same run.
func Beside(name string, value float64, unit, reference string, refValue float64, goal *Goal) Figure {
	return save(std.Add(name, value, unit, reference, refValue, goal))
}

// save writes the figures to Path at once, so that a run cut short (a timeout,
// an interrupt) keeps what it measured.
func save(f Figure) Figure {
	if err := std.WriteFile(Path()); err != nil {
		std.mu.Lock()
		saveErr = cmp.Or(saveErr, err)
		std.mu.Unlock()
	}
	return f
}

// Add records a figure; a NaN refValue means none. A figure of the same name
// replaces the earlier one.
func (r *Report) Add(name string, value float64, unit, reference string, refValue float64, goal *Goal) Figure {
	f := Figure{Name: name, Value: value, Unit: unit, Reference: reference}
	if !math.IsNaN(refValue) {
		f.RefValue = &refValue
		if refValue != 0 {
			ratio := value / refValue
			f.Ratio = &ratio
		}
	}
	if goal != nil {
		f.Goal = goal.String()
		x, known := value, true
		if goal.OnRatio {
			known = f.Ratio != nil
			if known {
				x = *f.Ratio
			}
		}
		met := known && (goal.AtMost && x <= goal.Bound || !goal.AtMost && x >= goal.Bound)
		f.Met = &met
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.figures = replace(r.figures, f)
	return f
}

func replace(figures []Figure, f Figure) []Figure {
	for i := range figures {
		if figures[i].Name == f.Name {
			figures[i] = f
			return figures
		}
	}
	return append(figures, f)
}

// File is what Write puts on disk.
type File struct {
	Time    time.Time `json:"time"`
	Go      string    `json:"go"`
	CPUs    int       `json:"cpus"`
	Figures []Figure  `json:"figures"`
}

// Path is where the figures go: $BERTH_BENCH_OUT, or bench/latest.json at the
// root of the module the tests run in.
func Path() string {
	if p := os.Getenv("BERTH_BENCH_OUT"); p != "" {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		return filepath.Join("bench", "latest.json")
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "bench", "latest.json")
		}
		if filepath.Dir(d) == d {
			return filepath.Join(dir, "bench", "latest.json")
		}
	}
}

// Finish writes the default report, if it holds anything, to Path (merged
// into what another package of the same run wrote there) and prints it. A
// test binary's TestMain calls it after m.Run.
func Finish(out io.Writer) error {
	std.mu.Lock()
	empty := len(std.figures) == 0
	std.mu.Unlock()
	if empty {
		return nil
	}
	path := Path()
	if err := std.WriteFile(path); err != nil {
		return err
	}
	std.mu.Lock()
	err := saveErr
	std.mu.Unlock()
	if err != nil {
		return err
	}
	std.Print(out)
	fmt.Fprintf(out, "figures written to %s\n", path)
	return nil
}

// WriteFile merges the report into the JSON file at path: figures of the same
// name are replaced, others kept, so the packages of one `make bench` share a
// file (the Makefile removes it first, so nothing stale stays).
func (r *Report) WriteFile(path string) error {
	var f File
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(data, &f); err != nil {
			return fmt.Errorf("benchreport: %s: %w", path, err)
		}
	case !errors.Is(err, os.ErrNotExist):
		return err
	}
	r.mu.Lock()
	for _, fig := range r.figures {
		f.Figures = replace(f.Figures, fig)
	}
	r.mu.Unlock()
	f.Time, f.Go, f.CPUs = time.Now().UTC(), runtime.Version(), runtime.NumCPU()
	data, err = json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Print writes the figures as a table, by name.
func (r *Report) Print(out io.Writer) {
	r.mu.Lock()
	figs := append([]Figure(nil), r.figures...)
	r.mu.Unlock()
	sort.SliceStable(figs, func(i, j int) bool { return figs[i].Name < figs[j].Name })
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tvalue\treference\tratio\tgoal\tmet\t")
	for _, f := range figs {
		ref, ratio, met := "", "", ""
		if f.RefValue != nil {
			ref = fmt.Sprintf("%s %s", num(*f.RefValue), f.Reference)
		}
		if f.Ratio != nil {
			ratio = fmt.Sprintf("%.2fx", *f.Ratio)
		}
		if f.Met != nil {
			met = map[bool]string{true: "yes", false: "NO"}[*f.Met]
		}
		fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\t%s\t%s\t\n", f.Name, num(f.Value), f.Unit, ref, ratio, f.Goal, met)
	}
	tw.Flush()
}

func num(v float64) string {
	s := fmt.Sprintf("%.3g", v)
	if math.Abs(v) >= 1000 {
		s = fmt.Sprintf("%.0f", v)
	}
	return strings.TrimSuffix(s, ".000")
}
