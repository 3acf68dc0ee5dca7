package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// With the berth-agent beside berth (as `make build` puts it), the agent task runs
// the state directory's copy of it, not the whole CLI, and does the agent's work:
// healthchecks run (up --wait returns once web is healthy) and names resolve.
func TestAgentSmallBinary(t *testing.T) {
	small := filepath.Join(filepath.Dir(berthBin), "berth-agent")
	st, err := os.Stat(small)
	if err != nil {
		t.Fatalf("berth-agent is not beside the berth under test (go build -o %s ./cmd/berth-agent): %v", small, err)
	}
	s := newScenario(t)
	s.must("up", "-d", "--wait")
	pid, err := runningPid("berth-agent")
	if err != nil {
		t.Fatalf("berth's agent: %v", err)
	}
	copied := filepath.Join(statePaths().StateDir, "bin", fmt.Sprintf("berth-agent-%d-%d", st.Size(), st.ModTime().UnixNano()))
	want, err := os.Stat(copied)
	if err != nil {
		t.Fatalf("no copy of berth-agent in the state directory: %v", err)
	}
	// /proc/PID/exe leads to the file the agent's process executes, whatever the
	// path inside its root.
	exe, err := os.Stat(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		t.Fatal(err)
	}
	if !os.SameFile(exe, want) {
		link, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
		t.Fatalf("the agent (pid %d) runs %s, not the copy %s", pid, link, copied)
	}
	web := strings.TrimSpace(s.must("exec", "-T", "web", "hostname", "-i"))
	if got := lookupFrom(s, "client", "web"); strings.Join(got, ",") != web {
		t.Fatalf("web resolves to %v from client, want %s", got, web)
	}
}
