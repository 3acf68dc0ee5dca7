package containerd

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// containerFiles are the /etc/hosts, /etc/hostname and /etc/resolv.conf a container
// sees. Names of other containers are not in hosts: the resolver answers them, and
// follows every change.
type containerFiles struct {
	Hostname    string
	Domainname  string
	OwnIP       string   // the address hosts gives the hostname; "" for none
	OwnIP6      string   // its IPv6 address too, on an IPv6 network
	Nameservers []string // berth's resolver on each network, or the host's own servers
	Search      []string // dns_search
	Options     []string // dns_opt; "ndots:0" when none, as Docker's embedded DNS has
	ExtraHosts  []string // "ip\tname" lines
}

func (f containerFiles) write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var hosts strings.Builder
	hosts.WriteString("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n")
	name := f.Hostname
	if f.Domainname != "" {
		name = f.Hostname + "." + f.Domainname + "\t" + f.Hostname
	}
	for _, ip := range []string{f.OwnIP, f.OwnIP6} {
		if ip != "" {
			fmt.Fprintf(&hosts, "%s\t%s\n", ip, name)
		}
	}
	for _, line := range f.ExtraHosts {
		hosts.WriteString(line + "\n")
	}
	var resolv strings.Builder
	for i, ns := range f.Nameservers {
		if i == 3 { // the C library reads three at most
			break
		}
		fmt.Fprintf(&resolv, "nameserver %s\n", ns)
	}
	if len(f.Search) > 0 {
		fmt.Fprintf(&resolv, "search %s\n", strings.Join(f.Search, " "))
	}
	opts := f.Options
	if len(opts) == 0 {
		opts = []string{"ndots:0"}
	}
	fmt.Fprintf(&resolv, "options %s\n", strings.Join(opts, " "))
	for name, content := range map[string]string{
		"hosts":       hosts.String(),
		"hostname":    f.Hostname + "\n",
		"resolv.conf": resolv.String(),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// extraHosts turns extra_hosts into hosts lines; host-gateway is the host's address
// as the container reaches it.
func extraHosts(s types.ServiceConfig, hostGateway string) ([]string, error) {
	var names []string
	for name := range s.ExtraHosts {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []string
	for _, name := range names {
		for _, ip := range s.ExtraHosts[name] {
			if ip == "host-gateway" {
				if hostGateway == "" {
					return nil, fmt.Errorf("service %q: extra_hosts: host-gateway has no address without a network", s.Name)
				}
				ip = hostGateway
			}
			out = append(out, ip+"\t"+name)
		}
	}
	return out, nil
}

// hostNameservers are the nameservers of the host's resolv.conf, for a container in
// the host's network.
func hostNameservers() []string {
	b, err := os.ReadFile("/etc/resolv.conf")
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "nameserver" {
			out = append(out, f[1])
		}
	}
	return out
}
