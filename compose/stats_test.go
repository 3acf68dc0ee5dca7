package compose

import (
	"strings"
	"testing"
)

// stats --no-trunc shows the whole container ID, as docker compose's.
func TestStatsNoTrunc(t *testing.T) {
	id := strings.Repeat("ab", 32)
	cs := []Container{{ID: id, Name: "demo-web-1"}}
	for _, noTrunc := range []bool{false, true} {
		rows := statsRows(cs, nil, nil, noTrunc)
		if len(rows) != 1 {
			t.Fatalf("--no-trunc %v: %d rows", noTrunc, len(rows))
		}
		if whole := rows[0].ID == id; whole != noTrunc || !strings.HasPrefix(rows[0].ID, id[:12]) {
			t.Errorf("--no-trunc %v: ID %q", noTrunc, rows[0].ID)
		}
	}
}
