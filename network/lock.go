package network

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// flock takes a flock(2) lock on path (created if needed) and returns its release.
// flock locks belong to the open file description, so two goroutines of one process
// exclude each other just like two processes do. The kernel drops the lock if the
// process dies, so a crash never leaves the state dir locked.
func flock(path string, how int) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), how)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// lockNetworks serialises changes to the set of networks (subnet allocation, removal).
func (m *Manager) lockNetworks() (func(), error) {
	return flock(m.paths.lockFile(), syscall.LOCK_EX)
}

// hostAllocLock serialises subnet allocation across state directories (containerd
// namespaces) of one host: each berth namespace has its own networks lock, and two of
// them planning at the same moment would see neither the other's state file nor its
// bridge's route yet.
const hostAllocLock = "/run/berth/subnets.lock"

// lockHostAllocation is held from choosing a new network's subnets until its bridge,
// whose route claims them for everyone else, exists.
func lockHostAllocation() (func(), error) {
	return flock(hostAllocLock, syscall.LOCK_EX)
}

// lockNetworksShared is held while containers attach, so a network cannot be removed
// under an attachment in flight, while attachments still run in parallel.
func (m *Manager) lockNetworksShared() (func(), error) {
	return flock(m.paths.lockFile(), syscall.LOCK_SH)
}

// hostRulesLock serialises changes to berth's iptables chains, which every berth
// namespace of the host shares: one removing a chain it found empty must not flush
// the rule another has just added to it.
const hostRulesLock = "/run/berth/rules.lock"

func lockHostRules() (func(), error) {
	return flock(hostRulesLock, syscall.LOCK_EX)
}
