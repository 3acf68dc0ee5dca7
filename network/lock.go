package network

import (
	"context"

	"berth.dev/berth/internal/filelock"
)

// lockNetworks serialises changes to the set of networks (subnet allocation, removal).
func (m *Manager) lockNetworks(ctx context.Context) (func(), error) {
	return filelock.Acquire(ctx, m.paths.lockFile())
}

// hostAllocLock serialises subnet allocation across state directories (containerd
// namespaces) of one host: each berth namespace has its own networks lock, and two of
// them planning at the same moment would see neither the other's state file nor its
// bridge's route yet.
const hostAllocLock = "/run/berth/subnets.lock"

// lockHostAllocation is held from choosing a new network's subnets until its bridge,
// whose route claims them for everyone else, exists.
func lockHostAllocation(ctx context.Context) (func(), error) {
	return filelock.Acquire(ctx, hostAllocLock)
}

// lockNetworksShared is held while containers attach, so a network cannot be removed
// under an attachment in flight, while attachments still run in parallel.
func (m *Manager) lockNetworksShared(ctx context.Context) (func(), error) {
	return filelock.AcquireShared(ctx, m.paths.lockFile())
}

// hostRulesLock serialises changes to berth's iptables chains, which every berth
// namespace of the host shares: one removing a chain it found empty must not flush
// the rule another has just added to it.
const hostRulesLock = "/run/berth/rules.lock"

// The holders only run a few iptables commands: the wait is not the caller's to end.
func lockHostRules() (func(), error) {
	return filelock.Acquire(context.Background(), hostRulesLock)
}
