package containerd

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"berth.dev/berth/network"
)

// writeContainerFiles writes the /etc/hosts, /etc/hostname and /etc/resolv.conf a
// container sees. Names of other containers are not in hosts: the resolver answers
// them, and follows every change.
func writeContainerFiles(dir, hostname string, ep *network.Endpoint, gateways []string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var hosts strings.Builder
	hosts.WriteString("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
	if ep != nil && len(ep.Networks) > 0 {
		fmt.Fprintf(&hosts, "%s\t%s\n", ep.Networks[0].IP, hostname)
	}
	var resolv strings.Builder
	for i, gw := range gateways {
		if i == 3 { // the resolver library reads three at most
			break
		}
		fmt.Fprintf(&resolv, "nameserver %s\n", gw)
	}
	resolv.WriteString("options ndots:0\n")
	for name, content := range map[string]string{
		"hosts":       hosts.String(),
		"hostname":    hostname + "\n",
		"resolv.conf": resolv.String(),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}
