package compose

import (
	"bytes"
	"strings"
	"testing"
)

// stats --no-trunc shows the whole container ID, as docker compose's.
func TestStatsNoTrunc(t *testing.T) {
	id := strings.Repeat("ab", 32)
	cs := []Container{{ID: id, Name: "demo-web-1"}}
	for _, noTrunc := range []bool{false, true} {
		var out bytes.Buffer
		if err := printStats(&out, cs, nil, nil, StatsOptions{NoTrunc: noTrunc}); err != nil {
			t.Fatal(err)
		}
		if whole := strings.Contains(out.String(), id); whole != noTrunc || !strings.Contains(out.String(), id[:12]) {
			t.Errorf("--no-trunc %v:\n%s", noTrunc, out.String())
		}
	}
}
