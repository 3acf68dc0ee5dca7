package network

import (
	"fmt"
	"os"
	"testing"

	"berth.dev/berth/internal/testlock"
)

// The root tests compare the host's bridges, veths and iptables rules before and
// after; they take the same host lock as the e2e suite so neither sees the other's.
// A helper process that a test starts (TestHelperEnsure) runs under its parent's lock.
func TestMain(m *testing.M) {
	if plugin := os.Getenv("BERTH_PLUGIN_HELPER"); plugin != "" {
		runPluginHelper(plugin) // TestPluginDiesWithBerth's berth
	}
	if os.Geteuid() == 0 && os.Getenv("BERTH_NETWORK_HELPER_STATE") == "" {
		unlock, err := testlock.Host("network")
		if err != nil {
			fmt.Println("network: FAIL:", err)
			os.Exit(1)
		}
		code := m.Run()
		unlock()
		os.Exit(code)
	}
	os.Exit(m.Run())
}
