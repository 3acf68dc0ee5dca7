package e2e

import (
	"os"
	"strconv"
	"testing"
)

// Fifty up/down cycles of a three-network project, one of them dual-stack, leave
// exactly the bridges, veths, iptables and ip6tables rules, netns, IPAM leases and
// state files there were (the scenario's inventory check). BERTH_SOAK_CYCLES
// changes the count.
func TestSoak(t *testing.T) {
	cycles := 50
	if n, err := strconv.Atoi(os.Getenv("BERTH_SOAK_CYCLES")); err == nil {
		cycles = n
	}
	s := newScenario(t)
	for i := 0; i < cycles; i++ {
		s.must("up", "-d", "--progress", "quiet")
		s.must("down", "--progress", "quiet")
	}
}
