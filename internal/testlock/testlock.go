// Package testlock serialises the test runs that compare the host's inventory
// (containers, bridges, veths, iptables rules, netns) before and after: such a
// comparison only means something when no other run is making things at the same
// time. The e2e suite and the network package's root tests both take it.
package testlock

import (
	"fmt"
	"os"
	"syscall"
)

// Path is the host-wide lock file.
const Path = "/run/berth-e2e.lock"

// Host blocks until this process holds the lock, saying so when it has to wait,
// and returns the function that releases it.
func Host(who string) (func(), error) {
	f, err := os.OpenFile(Path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		fmt.Printf("%s: another run that inventories the host holds %s; waiting for it\n", who, Path)
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			f.Close()
			return nil, err
		}
	}
	return func() { f.Close() }, nil
}
