// Package networktest takes inventories of what berth's networking made on the
// host and in its directories, for tests that prove nothing leaked. It is not
// part of berth's binary.
package networktest

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/containernetworking/plugins/pkg/netlinksafe"

	"berth.dev/berth/internal/mountpoints"
)

// Snapshot lists what berth's networking has made on the host and in its
// directories. Tests take one before and one after and compare them (Equal, Diff) to
// prove that nothing leaked. Every list is sorted.
type Snapshot struct {
	Bridges   []string // berth's bridges: named berth*, or marked by their alias (a network may name its own)
	Veths     []string // veth links enslaved to one of them, or to nothing
	IPTables  []string // "table: line" of iptables-save (table6 for ip6tables-save) for filter and nat, without counters or Shared
	Shared    []string // the plugins' host-wide plumbing (see sharedRules); shown, not compared
	NetNS     []string // files under <RunDir>/netns
	Mounts    []string // mount points under <RunDir>
	IPAM      []string // under <StateDir>/ipam: "<network>/" per network, "<network>/<ip>" per lease
	Networks  []string // files under <StateDir>/networks
	Endpoints []string // files under <StateDir>/endpoints
	Pending   []string // files under <StateDir>/pending
	Departed  []string // files under <StateDir>/departed
	CNI       []string // files under <StateDir>/cni (conflists)
	CNICache  []string // files under <StateDir>/cni-cache
}

// Counts is a Snapshot reduced to numbers; it is comparable with ==.
type Counts struct {
	Bridges, Veths, IPTables, NetNS, Mounts, IPAM, Networks, Endpoints, Pending, Departed, CNI, CNICache int
}

// sharedRules are the chains and rules the CNI plugins create once per host and never
// delete: the firewall plugin's CNI-FORWARD/CNI-ADMIN with the FORWARD jump, portmap's
// CNI-HOSTPORT-* with their entry jumps and mark/masquerade rules. They hold nothing
// per container, other CNI users on the host share them, so berth leaves them be.
var sharedRules = []*regexp.Regexp{
	regexp.MustCompile(`^(filter|nat)6?: :CNI-(FORWARD|ADMIN|HOSTPORT-DNAT|HOSTPORT-SETMARK|HOSTPORT-MASQ) `),
	regexp.MustCompile(`^filter6?: -A FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD$`),
	regexp.MustCompile(`^filter6?: -A CNI-FORWARD -m comment --comment "CNI firewall plugin admin overrides" -j CNI-ADMIN$`),
	regexp.MustCompile(`^nat6?: -A (PREROUTING|OUTPUT) -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT$`),
	regexp.MustCompile(`^nat6?: -A POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ$`),
	regexp.MustCompile(`^nat6?: -A CNI-HOSTPORT-MASQ -m mark --mark (0x[0-9a-f]+)/(0x[0-9a-f]+) -j MASQUERADE$`),
	regexp.MustCompile(`^nat6?: -A CNI-HOSTPORT-SETMARK -m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark (0x[0-9a-f]+)/(0x[0-9a-f]+)$`),
}

func isShared(line string) bool {
	for _, re := range sharedRules {
		if re.MatchString(line) {
			return true
		}
	}
	return false
}

// Layout is where berth's networking keeps what it makes: network.Paths.Layout
// gives it, converted (networktest.Layout(p.Layout())), so that this package does
// not import network and network's own tests can use it.
type Layout struct {
	RunDir, NetNS, IPAM, Networks, Endpoints, Pending, Departed, CNI, CNICache string
	// BridgeAliasPrefix marks, in its alias, a bridge berth made under a name of
	// the network's choosing.
	BridgeAliasPrefix string
}

// Inventory takes a Snapshot of the host and of the layout's directories.
func Inventory(p Layout) (Snapshot, error) {
	var s Snapshot
	var err error
	if s.Bridges, s.Veths, err = inventoryLinks(p.BridgeAliasPrefix); err != nil {
		return s, err
	}
	if s.IPTables, s.Shared, err = inventoryIPTables(); err != nil {
		return s, err
	}
	if s.Mounts, err = mountpoints.Under(p.RunDir); err != nil {
		return s, fmt.Errorf("inventory: %w", err)
	}
	if s.IPAM, err = ipamEntries(p.IPAM); err != nil {
		return s, err
	}
	for _, f := range []struct {
		dst *[]string
		dir string
	}{
		{&s.NetNS, p.NetNS},
		{&s.Networks, p.Networks},
		{&s.Endpoints, p.Endpoints},
		{&s.Pending, p.Pending},
		{&s.Departed, p.Departed},
		{&s.CNI, p.CNI},
		{&s.CNICache, p.CNICache},
	} {
		if *f.dst, err = filesUnder(f.dir); err != nil {
			return s, err
		}
	}
	return s, nil
}

func inventoryLinks(bridgeAliasPrefix string) (bridges, veths []string, err error) {
	links, err := netlinksafe.LinkList()
	if err != nil {
		return nil, nil, fmt.Errorf("inventory: list links: %w", err)
	}
	names := map[int]string{}
	berths := map[int]bool{}
	for _, l := range links {
		a := l.Attrs()
		names[a.Index] = a.Name
		berths[a.Index] = l.Type() == "bridge" && (strings.HasPrefix(a.Name, "berth") || strings.HasPrefix(a.Alias, bridgeAliasPrefix))
	}
	for _, l := range links {
		a := l.Attrs()
		switch {
		case berths[a.Index]:
			bridges = append(bridges, a.Name)
		case l.Type() == "veth" && (a.MasterIndex == 0 || berths[a.MasterIndex]):
			master := names[a.MasterIndex]
			if master == "" {
				master = "(no bridge)"
			}
			veths = append(veths, a.Name+" on "+master)
		}
	}
	slices.Sort(bridges)
	slices.Sort(veths)
	return bridges, veths, nil
}

var counters = regexp.MustCompile(` \[\d+:\d+\]$`)

// iptablesSaves are the tables the inventory reads, IPv4's and IPv6's, with the
// label each line gets.
var iptablesSaves = []struct{ cmd, table, label string }{
	{"iptables-save", "filter", "filter"}, {"iptables-save", "nat", "nat"},
	{"ip6tables-save", "filter", "filter6"}, {"ip6tables-save", "nat", "nat6"},
}

func inventoryIPTables() (rules, shared []string, err error) {
	for _, save := range iptablesSaves {
		table := save.table
		out, err := exec.Command(save.cmd, "-t", table).Output()
		if err != nil {
			return nil, nil, fmt.Errorf("inventory: %s -t %s: %w", save.cmd, table, err)
		}
		sc := bufio.NewScanner(bytes.NewReader(out))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if line == "" || line[0] == '#' || line[0] == '*' || line == "COMMIT" {
				continue
			}
			line = save.label + ": " + counters.ReplaceAllString(line, "")
			if isShared(line) {
				shared = append(shared, line)
			} else {
				rules = append(rules, line)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, nil, fmt.Errorf("inventory: %s -t %s: %w", save.cmd, table, err)
		}
	}
	// Sorted: the order of rules is not what a leak check is about.
	slices.Sort(rules)
	slices.Sort(shared)
	return rules, shared, nil
}

// ipamEntries lists host-local's network directories and lease files. Its "lock" and
// "last_reserved_ip.N" files are bookkeeping that lives as long as the network (a
// failed attach legitimately leaves them), so they are not listed.
func ipamEntries(dir string) ([]string, error) {
	nets, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	var out []string
	for _, n := range nets {
		if !n.IsDir() {
			out = append(out, n.Name())
			continue
		}
		out = append(out, n.Name()+"/")
		files, err := filesUnder(filepath.Join(dir, n.Name()))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			if f == "lock" || strings.HasPrefix(f, "last_reserved_ip.") {
				continue
			}
			out = append(out, n.Name()+"/"+f)
		}
	}
	slices.Sort(out)
	return out, nil
}

// filesUnder lists the non-directory entries below dir, relative to it.
func filesUnder(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if !d.IsDir() {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, rel)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("inventory: %w", err)
	}
	slices.Sort(out)
	return out, nil
}

type snapshotField struct {
	name  string
	items []string
}

// fields are the compared parts of a Snapshot (Shared is not one of them).
func (s Snapshot) fields() []snapshotField {
	return []snapshotField{
		{"bridges", s.Bridges}, {"veths", s.Veths}, {"iptables", s.IPTables},
		{"netns", s.NetNS}, {"mounts", s.Mounts}, {"ipam", s.IPAM},
		{"networks", s.Networks}, {"endpoints", s.Endpoints}, {"pending", s.Pending},
		{"departed", s.Departed}, {"cni", s.CNI}, {"cni-cache", s.CNICache},
	}
}

// Counts reduces s to numbers.
func (s Snapshot) Counts() Counts {
	return Counts{
		Bridges: len(s.Bridges), Veths: len(s.Veths), IPTables: len(s.IPTables),
		NetNS: len(s.NetNS), Mounts: len(s.Mounts), IPAM: len(s.IPAM),
		Networks: len(s.Networks), Endpoints: len(s.Endpoints), Pending: len(s.Pending),
		Departed: len(s.Departed), CNI: len(s.CNI), CNICache: len(s.CNICache),
	}
}

// Equal reports whether s and o hold the same things (Shared aside).
func (s Snapshot) Equal(o Snapshot) bool { return s.Diff(o) == "" }

// Diff describes what after has that s has not ("+ ") and the reverse ("- "), one
// line per item, prefixed by the kind; "" when they are equal.
func (s Snapshot) Diff(after Snapshot) string {
	var b strings.Builder
	af := after.fields()
	for i, f := range s.fields() {
		before := map[string]bool{}
		for _, x := range f.items {
			before[x] = true
		}
		now := map[string]bool{}
		for _, x := range af[i].items {
			now[x] = true
			if !before[x] {
				fmt.Fprintf(&b, "+ %s: %s\n", f.name, x)
			}
		}
		for _, x := range f.items {
			if !now[x] {
				fmt.Fprintf(&b, "- %s: %s\n", f.name, x)
			}
		}
	}
	return b.String()
}

// String prints the counts, then every item.
func (s Snapshot) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%+v\n", s.Counts())
	for _, f := range s.fields() {
		for _, x := range f.items {
			fmt.Fprintf(&b, "  %s: %s\n", f.name, x)
		}
	}
	return b.String()
}
