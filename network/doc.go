// Package network gives berth's containers their networks: one Linux bridge per
// compose network, made and torn down through CNI, a network namespace per container,
// subnets from a pool, and published ports.
//
// Everything lives under the caller's Paths, never in /etc/cni/net.d or /var/lib/cni,
// so berth does not collide with another CNI user on the host:
//
//	<StateDir>/networks/<name>.json     one Network per file (the resolver reads these)
//	<StateDir>/endpoints/<id>.json      one Endpoint per attached container (the resolver reads these)
//	<StateDir>/pending/<id>.json        attachments in flight, so a crash mid-Setup can be undone
//	<StateDir>/cni/<name>.conflist      the CNI configuration of each network
//	<StateDir>/ipam/<name>/             host-local's leases
//	<StateDir>/cni-cache/               libcni's result cache (DEL needs the ADD result)
//	<StateDir>/networks.lock            serialises subnet allocation across processes
//	<RunDir>/netns/<id>                 bind-mounted network namespaces
//
// libcni is used directly rather than containerd's go-cni: go-cni applies one
// interface-name scheme and the same capability args (port mappings) to every network
// of a container, while berth needs eth0, eth1, ... in compose order and published
// ports on the first network only.
package network
