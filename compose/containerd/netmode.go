package containerd

import (
	"context"
	"fmt"
	"net"
	"os"
	"strings"

	"berth.dev/berth/compose"
	"berth.dev/berth/network"
	"berth.dev/berth/project"
)

// containerNet is where a container's network comes from.
type containerNet struct {
	NetNS string // the namespace to join; "" = the host's network
	Files string // the directory whose hosts, hostname and resolv.conf it mounts
	Host  string // its hostname
	// Endpoint is who the container is to the resolver (names, dns, links), kept in a
	// label so that its attachments can be made again as they were; nil without a
	// network namespace of its own.
	Endpoint *network.Endpoint
	// Ports are the published ports as made, with the host ports berth picked.
	Ports []network.Port
}

// setupNetwork gives the new container its network per network_mode: its own
// namespace attached to its networks (the default), the host's (host), one with only
// loopback (none), or another container's (service:NAME, container:NAME), whose
// files it then shares too.
func (r *Runtime) setupNetwork(ctx context.Context, id string, req compose.CreateRequest, ports []network.Port) (containerNet, error) {
	s := req.Service
	hostname := s.Hostname
	if hostname == "" {
		hostname = id[:12]
	}
	files := containerFiles{Hostname: hostname, Domainname: s.DomainName, Search: s.DNSSearch, Options: s.DNSOpts}
	own := containerNet{Files: r.containerDir(id), Host: hostname}
	mode := s.NetworkMode
	switch {
	case mode == "host":
		if s.Hostname == "" {
			own.Host, _ = os.Hostname()
			files.Hostname = own.Host
		}
		files.OwnIP, files.Nameservers = "127.0.1.1", hostNameservers()
		if len(s.DNS) > 0 {
			files.Nameservers = s.DNS
		}
		var err error
		if files.ExtraHosts, err = extraHosts(s, "127.0.0.1"); err != nil {
			return own, err
		}
		return own, files.write(own.Files)

	case strings.HasPrefix(mode, "service:"), strings.HasPrefix(mode, "container:"):
		if req.NetworkFrom == "" {
			return own, fmt.Errorf("service %q: network_mode %s: no running container to share", s.Name, mode)
		}
		ns := r.net.NetNSPath(req.NetworkFrom)
		if _, err := os.Stat(ns); err != nil {
			return own, fmt.Errorf("service %q: network_mode %s: that container has no network namespace", s.Name, mode)
		}
		b, _ := os.ReadFile(r.containerDir(req.NetworkFrom) + "/hostname")
		return containerNet{NetNS: ns, Files: r.containerDir(req.NetworkFrom), Host: strings.TrimSpace(string(b))}, nil

	case mode == "none":
		ns, err := r.net.CreateNetNS(id)
		if err != nil {
			return own, fmt.Errorf("container %s: %w", req.Name, err)
		}
		own.NetNS = ns
		return own, files.write(own.Files)

	case mode != "":
		return own, fmt.Errorf("service %q: network_mode %q is not supported", s.Name, mode)
	}

	ns, err := r.net.CreateNetNS(id)
	if err != nil {
		return own, fmt.Errorf("container %s: %w", req.Name, err)
	}
	own.NetNS = ns
	// A one-off container (run) answers to its own name only, not as a replica of its
	// service, as with docker compose run without --use-aliases.
	oneOff := req.Labels["com.docker.compose.oneoff"] == "True" && !req.UseAliases
	dnsService := s.Name
	if oneOff {
		dnsService = ""
	}
	var attach []network.Attachment
	for _, a := range req.Networks {
		at := networkAttachment(a)
		if oneOff {
			at.Aliases = nil
		}
		attach = append(attach, at)
	}
	own.Endpoint = &network.Endpoint{
		Project: req.Project.Name, Service: dnsService, ContainerName: req.Name,
		Hostname: hostname, DNS: withPort53(s.DNS), Links: project.Links(s.Links, s.ExternalLinks),
	}
	identity := *own.Endpoint
	identity.ContainerID, identity.NetNS = id, ns
	ep, err := r.net.Setup(ctx, identity, attach, ports)
	if err != nil {
		return own, fmt.Errorf("container %s: %w", req.Name, err)
	}
	own.Ports = ep.Ports
	if files.Nameservers, err = r.gateways(ep); err != nil {
		return own, err
	}
	if len(ep.Networks) > 0 {
		files.OwnIP, files.OwnIP6 = ep.Networks[0].IP, ep.Networks[0].IPv6
	}
	hostGateway := ""
	if len(files.Nameservers) > 0 {
		hostGateway = files.Nameservers[0] // the bridge's address is the host's
	}
	if files.ExtraHosts, err = extraHosts(s, hostGateway); err != nil {
		return own, err
	}
	return own, files.write(own.Files)
}

// withPort53 writes compose's dns servers as the resolver forwards to them.
func withPort53(servers []string) []string {
	var out []string
	for _, s := range servers {
		out = append(out, net.JoinHostPort(strings.Trim(s, "[]"), "53"))
	}
	return out
}
