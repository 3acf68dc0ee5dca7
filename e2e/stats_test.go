package e2e

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func TestStats(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	rows := map[string]map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(s.must("stats", "--no-stream", "--format", "json")), "\n") {
		var r map[string]string
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("stats line %q: %v", line, err)
		}
		rows[strings.TrimPrefix(r["Name"], s.project+"-")] = r
	}
	cpu := func(name string) float64 {
		v, err := strconv.ParseFloat(strings.TrimSuffix(rows[name]["CPUPerc"], "%"), 64)
		if err != nil {
			t.Fatalf("%s CPU %q", name, rows[name]["CPUPerc"])
		}
		return v
	}
	if b, i := cpu("burner-1"), cpu("idle-1"); b < 20 || i > 20 {
		t.Errorf("CPU: burner %.1f%%, idle %.1f%%", b, i)
	}
	if r := rows["idle-1"]; r["PIDs"] != "1" || !strings.Contains(r["MemUsage"], "iB / ") {
		t.Errorf("idle row: %v", r)
	}
	if out := s.must("stats", "--no-stream"); !strings.Contains(out, "MEM USAGE / LIMIT") || !strings.Contains(out, s.project+"-burner-1") {
		t.Errorf("stats table:\n%s", out)
	}
}
