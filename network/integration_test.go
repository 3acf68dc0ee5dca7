package network

import (
	"berth.dev/berth/internal/statefile"
	"berth.dev/berth/network/networktest"
	"bytes"

	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/containernetworking/plugins/pkg/ns"
	"github.com/vishvananda/netlink"
)

// These tests make real bridges, namespaces and iptables rules. They need root and the
// CNI plugins at /usr/lib/cni; traffic goes only to 127.0.0.1, the test's own gateway
// addresses and the test's own namespaces.

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipping: needs root (creates bridges, network namespaces and iptables rules)")
	}
	if _, err := os.Stat("/usr/lib/cni/bridge"); err != nil {
		t.Skip("skipping: CNI plugins not installed at /usr/lib/cni")
	}
	if _, err := exec.LookPath("iptables-save"); err != nil {
		t.Skip("skipping: iptables-save not found")
	}
}

// rootManager returns a Manager on fresh temp dirs and cleans up everything it may
// have made, even when the test fails half-way.
func rootManager(t *testing.T) *Manager {
	t.Helper()
	requireRoot(t)
	m := NewManager(Paths{StateDir: t.TempDir(), RunDir: t.TempDir()})
	// Registered after TempDir, so it runs before the directories are removed.
	t.Cleanup(func() { cleanupAll(t, m) })
	return m
}

func cleanupAll(t *testing.T, m *Manager) {
	ctx := context.Background()
	for _, dir := range []string{EndpointsDir, pendingDir, departedDir} {
		ids, _ := statefile.JSONNames(filepath.Join(m.paths.StateDir, dir))
		for _, id := range ids {
			if err := m.Teardown(ctx, id); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
	}
	if entries, err := os.ReadDir(m.paths.netnsDir()); err == nil {
		for _, e := range entries {
			if err := m.Teardown(ctx, e.Name()); err != nil {
				t.Errorf("cleanup: %v", err)
			}
		}
	}
	nets, _ := statefile.JSONNames(filepath.Join(m.paths.StateDir, NetworksDir))
	for _, n := range nets {
		if err := m.Remove(ctx, n); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	}
}

func inventory(t *testing.T, m *Manager) networktest.Snapshot {
	t.Helper()
	s, err := networktest.Inventory(networktest.Layout(m.paths.Layout()))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// eventuallySame is assertSame for after a namespace was unmounted without a DEL
// inside it: the kernel destroys a namespace (and the veth end in it, and so its
// host-side peer) asynchronously, seconds later on a busy host, so the host is
// polled for up to 30 seconds.
func eventuallySame(t *testing.T, what string, m *Manager, before networktest.Snapshot) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		d := before.Diff(inventory(t, m))
		if d == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: left behind or lost:\n%s", what, d)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func assertSame(t *testing.T, what string, before, after networktest.Snapshot) {
	t.Helper()
	if d := before.Diff(after); d != "" {
		t.Fatalf("%s: left behind or lost:\n%s", what, d)
	}
}

// freeHostPorts finds n ports in 18000-18999 that nothing listens on (TCP and UDP).
func freeHostPorts(t *testing.T, n int) []uint16 {
	t.Helper()
	var out []uint16
	for p := 18000 + os.Getpid()%500; p < 19000 && len(out) < n; p++ {
		l, err := net.Listen("tcp4", fmt.Sprintf(":%d", p))
		if err != nil {
			continue
		}
		u, err := net.ListenPacket("udp4", fmt.Sprintf(":%d", p))
		l.Close()
		if err != nil {
			continue
		}
		u.Close()
		out = append(out, uint16(p))
	}
	if len(out) < n {
		t.Fatal("no free host ports in 18000-18999")
	}
	return out
}

// serveInNS listens in the namespace at nsPath on TCP and UDP port and answers every
// connection (datagram) with reply. The sockets belong to the namespace; the serving
// goroutines may run on any thread.
func serveInNS(t *testing.T, nsPath string, port uint16, reply string) {
	t.Helper()
	var l net.Listener
	var pc net.PacketConn
	err := ns.WithNetNSPath(nsPath, func(ns.NetNS) error {
		var err error
		if l, err = net.Listen("tcp4", fmt.Sprintf(":%d", port)); err != nil {
			return err
		}
		pc, err = net.ListenPacket("udp4", fmt.Sprintf(":%d", port))
		return err
	})
	if err != nil {
		t.Fatalf("listen in %s: %v", nsPath, err)
	}
	t.Cleanup(func() { l.Close(); pc.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Write([]byte(reply + "\n"))
			c.Close()
		}
	}()
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			_ = n
			pc.WriteTo([]byte(reply+"\n"), from)
		}
	}()
}

// dial connects to addr (from the namespace at nsPath, or the host's if "") and
// returns the first line it reads.
func dial(nsPath, proto, addr string) (string, error) {
	var conn net.Conn
	do := func() error {
		var err error
		conn, err = net.DialTimeout(proto, addr, 3*time.Second)
		return err
	}
	var err error
	if nsPath == "" {
		err = do()
	} else {
		err = ns.WithNetNSPath(nsPath, func(ns.NetNS) error { return do() })
	}
	if err != nil {
		return "", err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(3 * time.Second))
	if proto == "udp4" {
		if _, err := conn.Write([]byte("ping\n")); err != nil {
			return "", err
		}
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", err
	}
	return strings.TrimSpace(line), nil
}

func mustAnswer(t *testing.T, nsPath, proto, addr, want string) {
	t.Helper()
	got, err := dial(nsPath, proto, addr)
	if err != nil || got != want {
		where := "host"
		if nsPath != "" {
			where = filepath.Base(nsPath)
		}
		t.Fatalf("%s %s from %s: got %q, %v; want %q", proto, addr, where, got, err, want)
	}
}

func inSubnet(t *testing.T, ip, subnet string) {
	t.Helper()
	if !netip.MustParsePrefix(subnet).Contains(netip.MustParseAddr(ip)) {
		t.Fatalf("%s is not in %s", ip, subnet)
	}
}

func linksIn(t *testing.T, nsPath string) []string {
	t.Helper()
	var names []string
	err := ns.WithNetNSPath(nsPath, func(ns.NetNS) error {
		links, err := netlink.LinkList()
		for _, l := range links {
			names = append(names, l.Attrs().Name)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func TestLifecycle(t *testing.T) {
	m := rootManager(t)
	ctx := context.Background()
	before := inventory(t, m)
	ports := freeHostPorts(t, 3)
	pubAll, pubLocal, pubUDP := ports[0], ports[1], ports[2]

	n1, err := m.Ensure(ctx, Config{Name: "lc_front", Project: "lc"})
	if err != nil {
		t.Fatal(err)
	}
	n2, err := m.Ensure(ctx, Config{Name: "lc_back", Project: "lc", Internal: true})
	if err != nil {
		t.Fatal(err)
	}
	if n1.Subnet == n2.Subnet {
		t.Fatalf("both networks got %s", n1.Subnet)
	}
	again, err := m.Ensure(ctx, Config{Name: "lc_front"})
	if err != nil || again.Subnet != n1.Subnet || again.Bridge != n1.Bridge {
		t.Fatalf("Ensure is not idempotent: %+v %v", again, err)
	}
	if list, err := m.List(); err != nil || len(list) != 2 {
		t.Fatalf("List: %v %v", list, err)
	}
	// The bridge carries the gateway at once (the resolver binds there).
	br, err := netlink.LinkByName(n1.Bridge)
	if err != nil {
		t.Fatal(err)
	}
	addrs, _ := netlink.AddrList(br, netlink.FAMILY_V4)
	if len(addrs) != 1 || addrs[0].IP.String() != n1.Gateway {
		t.Fatalf("bridge %s addresses %v, want %s", n1.Bridge, addrs, n1.Gateway)
	}

	bridgeMAC := br.Attrs().HardwareAddr.String()

	nsA, err := m.CreateNetNS("lc-a")
	if err != nil {
		t.Fatal(err)
	}
	if p, err := m.CreateNetNS("lc-a"); err != nil || p != nsA {
		t.Fatalf("CreateNetNS again: %s %v", p, err)
	}
	nsB, err := m.CreateNetNS("lc-b")
	if err != nil {
		t.Fatal(err)
	}

	epA, err := m.Setup(ctx, Endpoint{ContainerID: "lc-a", Project: "lc", Service: "web", ContainerName: "lc-web-1", NetNS: nsA},
		[]Attachment{{Network: "lc_front", Aliases: []string{"web"}}},
		[]Port{
			{HostPort: pubAll, ContainerPort: 8080},
			{HostIP: "127.0.0.1", HostPort: pubLocal, ContainerPort: 8081, Protocol: "tcp"},
			{HostPort: pubUDP, ContainerPort: 8053, Protocol: "udp"},
		})
	if err != nil {
		t.Fatal(err)
	}
	epB, err := m.Setup(ctx, Endpoint{ContainerID: "lc-b", Project: "lc", Service: "worker", ContainerName: "lc-worker-1", NetNS: nsB},
		[]Attachment{{Network: "lc_front"}, {Network: "lc_back", Aliases: []string{"w"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}

	// Ports joining do not move the gateway's MAC address: containers keep it in
	// their ARP caches.
	if br, err := netlink.LinkByName(n1.Bridge); err != nil || br.Attrs().HardwareAddr.String() != bridgeMAC {
		t.Errorf("bridge %s changed its MAC address from %s when containers joined: %v %v", n1.Bridge, bridgeMAC, br.Attrs().HardwareAddr, err)
	}
	if len(epA.Networks) != 1 || epA.Networks[0].Interface != "eth0" || epA.Networks[0].MAC == "" {
		t.Fatalf("endpoint A %+v", epA)
	}
	inSubnet(t, epA.Networks[0].IP, n1.Subnet)
	if len(epB.Networks) != 2 || epB.Networks[1].Interface != "eth1" || epB.Networks[1].Aliases[0] != "w" {
		t.Fatalf("endpoint B %+v", epB)
	}
	inSubnet(t, epB.Networks[0].IP, n1.Subnet)
	inSubnet(t, epB.Networks[1].IP, n2.Subnet)
	if eps, err := m.Endpoints(); err != nil || len(eps) != 2 || eps[0].ContainerName != "lc-web-1" {
		t.Fatalf("Endpoints: %v %v", eps, err)
	}
	// Setup again with the same request is a no-op; with another one it is refused.
	if again, err := m.Setup(ctx, Endpoint{ContainerID: "lc-b", ContainerName: "lc-worker-1", NetNS: nsB},
		[]Attachment{{Network: "lc_front"}, {Network: "lc_back"}}, nil); err != nil || again.Networks[1].IP != epB.Networks[1].IP {
		t.Fatalf("Setup again: %+v %v", again, err)
	}
	if _, err := m.Setup(ctx, Endpoint{ContainerID: "lc-b", NetNS: nsB}, []Attachment{{Network: "lc_back"}}, nil); !errors.Is(err, ErrAttached) {
		t.Fatalf("Setup with other networks: %v", err)
	}
	if err := m.Remove(ctx, "lc_front"); !errors.Is(err, ErrInUse) || !strings.Contains(err.Error(), "lc-web-1") {
		t.Fatalf("Remove of a used network: %v", err)
	}

	// portmap's per-container chain is one berth scrubs by name; masquerading is the
	// network's one rule, no chain per container.
	during := inventory(t, m)
	rules := strings.Join(during.IPTables, "\n")
	if chain := cniChainName("DN-", "lc_front", "lc-a"); !strings.Contains(rules, "nat: :"+chain+" ") {
		t.Errorf("chain %s not found; iptables:\n%s", chain, rules)
	}
	if chain := cniChainName("", "lc_front", "lc-a"); strings.Contains(rules, chain) {
		t.Errorf("a masquerading chain per container, %s; iptables:\n%s", chain, rules)
	}
	masq := func(n *Network) string {
		return fmt.Sprintf("nat: -A %s -s %s ! -d 224.0.0.0/4 ! -o %s -j MASQUERADE", masqueradeChain, n.Subnet, n.Bridge)
	}
	for _, want := range []string{masq(n1), "filter: -A " + forwardChain + " -i " + n1.Bridge + " -j ACCEPT",
		"filter: -A " + forwardChain + " -i " + n2.Bridge + " -j ACCEPT"} {
		if !strings.Contains(rules, want) {
			t.Errorf("missing %q; iptables:\n%s", want, rules)
		}
	}
	if strings.Contains(rules, masq(n2)) {
		t.Errorf("internal network %s masquerades; iptables:\n%s", n2.Name, rules)
	}
	if len(during.Veths) != 3 || len(during.NetNS) != 2 || len(during.Mounts) != 2 || len(during.Endpoints) != 2 {
		t.Fatalf("inventory while attached:\n%s", during)
	}

	aIP := epA.Networks[0].IP
	serveInNS(t, nsA, 8080, "A8080")
	serveInNS(t, nsA, 8081, "A8081")
	serveInNS(t, nsA, 8053, "A8053")

	mustAnswer(t, nsA, "tcp4", "127.0.0.1:8080", "A8080") // lo is up
	mustAnswer(t, nsB, "tcp4", net.JoinHostPort(aIP, "8080"), "A8080")
	mustAnswer(t, "", "tcp4", net.JoinHostPort(aIP, "8080"), "A8080")
	// Published: on 127.0.0.1 and on a host address (the bridge's own gateway).
	mustAnswer(t, "", "tcp4", fmt.Sprintf("127.0.0.1:%d", pubAll), "A8080")
	mustAnswer(t, "", "tcp4", fmt.Sprintf("%s:%d", n1.Gateway, pubAll), "A8080")
	mustAnswer(t, "", "tcp4", fmt.Sprintf("127.0.0.1:%d", pubLocal), "A8081")
	mustAnswer(t, "", "udp4", fmt.Sprintf("127.0.0.1:%d", pubUDP), "A8053")
	// From another container through the host address (hairpin via portmap's SNAT).
	mustAnswer(t, nsB, "tcp4", fmt.Sprintf("%s:%d", n1.Gateway, pubAll), "A8080")
	// host_ip 127.0.0.1 is published on loopback only.
	if got, err := dial("", "tcp4", fmt.Sprintf("%s:%d", n1.Gateway, pubLocal)); err == nil {
		t.Fatalf("port bound to 127.0.0.1 answered on %s: %q", n1.Gateway, got)
	}

	for i := 0; i < 2; i++ { // twice: Teardown is idempotent
		for _, id := range []string{"lc-a", "lc-b"} {
			if err := m.Teardown(ctx, id); err != nil {
				t.Fatalf("Teardown %s (round %d): %v", id, i, err)
			}
		}
	}
	if _, err := os.Stat(nsA); !os.IsNotExist(err) {
		t.Fatalf("netns file still there: %v", err)
	}
	for i := 0; i < 2; i++ {
		for _, n := range []string{"lc_front", "lc_back"} {
			if err := m.Remove(ctx, n); err != nil {
				t.Fatalf("Remove %s (round %d): %v", n, i, err)
			}
		}
	}
	if _, err := m.Get("lc_front"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Remove: %v", err)
	}
	after := inventory(t, m)
	assertSame(t, "after down", before, after)
	t.Logf("shared CNI plumbing that stays on the host:\n  %s", strings.Join(after.Shared, "\n  "))
}

func TestEnsureConcurrent(t *testing.T) {
	m := rootManager(t)
	before := inventory(t, m)
	const n = 4
	nets := make([]*Network, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// A Manager each, as two berth processes would have.
			mi := NewManager(m.paths)
			nets[i], errs[i] = mi.Ensure(context.Background(), Config{Name: fmt.Sprintf("cc_net%d", i)})
		}(i)
	}
	wg.Wait()
	seen := map[string]string{}
	for i := 0; i < n; i++ {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if other, dup := seen[nets[i].Subnet]; dup {
			t.Fatalf("%s and %s both got %s", other, nets[i].Name, nets[i].Subnet)
		}
		seen[nets[i].Subnet] = nets[i].Name
	}
	// An explicit subnet that overlaps one of them is refused, naming both.
	_, err := m.Ensure(context.Background(), Config{Name: "cc_clash", Subnet: nets[0].Subnet})
	if !errors.Is(err, ErrOverlap) || !strings.Contains(err.Error(), nets[0].Name) || !strings.Contains(err.Error(), "cc_clash") {
		t.Fatalf("overlap: %v", err)
	}
	for i := 0; i < n; i++ {
		if err := m.Remove(context.Background(), nets[i].Name); err != nil {
			t.Fatal(err)
		}
	}
	assertSame(t, "after remove", before, inventory(t, m))
}

func TestSetupFailureLeavesNothing(t *testing.T) {
	m := rootManager(t)
	ctx := context.Background()
	before := inventory(t, m)
	port := freeHostPorts(t, 1)[0]

	n1, err := m.Ensure(ctx, Config{Name: "sf_one"})
	if err != nil {
		t.Fatal(err)
	}
	n2, err := m.Ensure(ctx, Config{Name: "sf_two"})
	if err != nil {
		t.Fatal(err)
	}
	nsC, err := m.CreateNetNS("sf-c")
	if err != nil {
		t.Fatal(err)
	}
	ready := inventory(t, m)

	// A network that does not exist: refused before anything is done.
	_, err = m.Setup(ctx, Endpoint{ContainerID: "sf-c", NetNS: nsC}, []Attachment{{Network: "sf_one"}, {Network: "sf_nope"}}, nil)
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "sf_nope") {
		t.Fatalf("Setup with a missing network: %v", err)
	}
	assertSame(t, "after refused Setup", ready, inventory(t, m))

	// A failure half-way: eth0 on sf_one is made, then the bridge plugin fails on
	// sf_two because a non-bridge link holds its bridge's name.
	if err := deleteBridge(n2.Bridge); err != nil {
		t.Fatal(err)
	}
	// A veth pair (the kernel may lack the dummy driver); its peer name is derived
	// from the bridge name so that parallel runs do not collide.
	dummy := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: n2.Bridge}, PeerName: "sfp" + n2.Bridge[5:]}
	if err := netlink.LinkAdd(dummy); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { netlink.LinkDel(dummy) })
	sabotaged := inventory(t, m)
	_, err = m.Setup(ctx, Endpoint{ContainerID: "sf-c", NetNS: nsC},
		[]Attachment{{Network: "sf_one"}, {Network: "sf_two"}}, []Port{{HostPort: port, ContainerPort: 80}})
	if err == nil || !strings.Contains(err.Error(), "sf_two") || !strings.Contains(err.Error(), "sf-c") {
		t.Fatalf("Setup half-way: %v", err)
	}
	assertSame(t, "after failed Setup", sabotaged, inventory(t, m))
	if links := linksIn(t, nsC); len(links) != 1 || links[0] != "lo" {
		t.Fatalf("links left in the netns: %v", links)
	}
	_ = n1

	// Once repaired, the same container attaches fine.
	if err := netlink.LinkDel(dummy); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Ensure(ctx, Config{Name: "sf_two"}); err != nil { // re-makes the bridge
		t.Fatal(err)
	}
	if _, err := m.Setup(ctx, Endpoint{ContainerID: "sf-c", NetNS: nsC}, []Attachment{{Network: "sf_one"}, {Network: "sf_two"}}, nil); err != nil {
		t.Fatal(err)
	}
	if err := m.Teardown(ctx, "sf-c"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"sf_one", "sf_two"} {
		if err := m.Remove(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	assertSame(t, "after down", before, inventory(t, m))
}

// TestTeardownFromLeftovers: Teardown cleans up from whatever is left, here with the
// namespace gone before it (the bridge plugin then skips its masquerade chain, which
// berth scrubs) and with berth's endpoint record lost (libcni's cache remains).
func TestTeardownFromLeftovers(t *testing.T) {
	m := rootManager(t)
	ctx := context.Background()
	before := inventory(t, m)
	ports := freeHostPorts(t, 2)

	if _, err := m.Ensure(ctx, Config{Name: "lo_net"}); err != nil {
		t.Fatal(err)
	}
	for i, id := range []string{"lo-gone-netns", "lo-lost-record"} {
		p, err := m.CreateNetNS(id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Setup(ctx, Endpoint{ContainerID: id, NetNS: p}, []Attachment{{Network: "lo_net"}}, []Port{{HostPort: ports[i], ContainerPort: 80}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := removeNetNS(m.NetNSPath("lo-gone-netns")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(m.paths.endpointFile("lo-lost-record")); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"lo-gone-netns", "lo-lost-record"} {
		if err := m.Teardown(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Remove(ctx, "lo_net"); err != nil {
		t.Fatal(err)
	}
	eventuallySame(t, "after down", m, before)
}

func TestSetupConcurrent(t *testing.T) {
	m := rootManager(t)
	ctx := context.Background()
	before := inventory(t, m)
	n, err := m.Ensure(ctx, Config{Name: "sc_net"})
	if err != nil {
		t.Fatal(err)
	}
	const count = 4
	eps := make([]*Endpoint, count)
	errs := make([]error, count)
	var wg sync.WaitGroup
	for i := 0; i < count; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			id := fmt.Sprintf("sc-%d", i)
			p, err := m.CreateNetNS(id)
			if err != nil {
				errs[i] = err
				return
			}
			eps[i], errs[i] = m.Setup(ctx, Endpoint{ContainerID: id, NetNS: p}, []Attachment{{Network: "sc_net"}}, nil)
		}(i)
	}
	wg.Wait()
	ips := map[string]bool{}
	for i := 0; i < count; i++ {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		ip := eps[i].Networks[0].IP
		inSubnet(t, ip, n.Subnet)
		if ips[ip] {
			t.Fatalf("address %s given twice", ip)
		}
		ips[ip] = true
	}
	for i := 0; i < count; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = m.Teardown(ctx, fmt.Sprintf("sc-%d", i))
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Remove(ctx, "sc_net"); err != nil {
		t.Fatal(err)
	}
	assertSame(t, "after down", before, inventory(t, m))
}

// TestTeardownWithoutBridge: the bridge vanished under attached containers (someone
// deleted it); Teardown and Remove still converge to nothing.
func TestTeardownWithoutBridge(t *testing.T) {
	m := rootManager(t)
	ctx := context.Background()
	before := inventory(t, m)
	port := freeHostPorts(t, 1)[0]
	n, err := m.Ensure(ctx, Config{Name: "nb_net"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := m.CreateNetNS("nb-a")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Setup(ctx, Endpoint{ContainerID: "nb-a", NetNS: p}, []Attachment{{Network: "nb_net"}}, []Port{{HostPort: port, ContainerPort: 80}}); err != nil {
		t.Fatal(err)
	}
	if err := deleteBridge(n.Bridge); err != nil {
		t.Fatal(err)
	}
	if err := m.Teardown(ctx, "nb-a"); err != nil {
		t.Fatal(err)
	}
	if err := m.Remove(ctx, "nb_net"); err != nil {
		t.Fatal(err)
	}
	assertSame(t, "after down", before, inventory(t, m))
}

// TestEnsureAcrossProcesses runs Ensure in two processes at once on one state dir:
// the flock keeps them from handing out the same subnet.
func TestEnsureAcrossProcesses(t *testing.T) {
	m := rootManager(t)
	before := inventory(t, m)
	var cmds []*exec.Cmd
	for i := 0; i < 2; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperEnsure$", "-test.count=1")
		cmd.Env = append(os.Environ(),
			"BERTH_NETWORK_HELPER_STATE="+m.paths.StateDir,
			"BERTH_NETWORK_HELPER_RUN="+m.paths.RunDir,
			fmt.Sprintf("BERTH_NETWORK_HELPER_PREFIX=xp%d", i))
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if t.Failed() {
				t.Logf("helper %d output:\n%s", i, out.String())
			}
		})
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper process: %v", err)
		}
	}
	nets, err := m.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(nets) != 6 {
		t.Fatalf("%d networks, want 6", len(nets))
	}
	seen := map[string]string{}
	for _, n := range nets {
		if other, dup := seen[n.Subnet]; dup {
			t.Fatalf("%s and %s both got %s", other, n.Name, n.Subnet)
		}
		seen[n.Subnet] = n.Name
		if err := m.Remove(context.Background(), n.Name); err != nil {
			t.Fatal(err)
		}
	}
	assertSame(t, "after remove", before, inventory(t, m))
}

// TestEnsureAcrossStateDirs: two berth namespaces (two state dirs, two locks of their
// own) allocating at the same moment still get distinct subnets.
func TestEnsureAcrossStateDirs(t *testing.T) {
	managers := []*Manager{rootManager(t), rootManager(t)}
	const each = 3
	nets := make([][]*Network, len(managers))
	errs := make([]error, len(managers))
	var wg sync.WaitGroup
	for i, m := range managers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < each && errs[i] == nil; j++ {
				var n *Network
				n, errs[i] = m.Ensure(context.Background(), Config{Name: fmt.Sprintf("sd_net%d", j), IPv6: true})
				nets[i] = append(nets[i], n)
			}
		}()
	}
	wg.Wait()
	seen := map[string]string{}
	for i := range managers {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		for _, n := range nets[i] {
			for _, s := range []string{n.Subnet, n.Subnet6} {
				if other, dup := seen[s]; dup {
					t.Fatalf("%s and %s (dir %d) both got %s", other, n.Name, i, s)
				}
				seen[s] = fmt.Sprintf("%s (dir %d)", n.Name, i)
			}
		}
	}
}

// TestHelperEnsure is TestEnsureAcrossProcesses's child process, not a test of its own.
func TestHelperEnsure(t *testing.T) {
	state := os.Getenv("BERTH_NETWORK_HELPER_STATE")
	if state == "" {
		t.Skip("helper process for TestEnsureAcrossProcesses")
	}
	m := NewManager(Paths{StateDir: state, RunDir: os.Getenv("BERTH_NETWORK_HELPER_RUN")})
	for i := 0; i < 3; i++ {
		name := fmt.Sprintf("%s_net%d", os.Getenv("BERTH_NETWORK_HELPER_PREFIX"), i)
		if _, err := m.Ensure(context.Background(), Config{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSetupFinishesHalfMadeNetwork: a berth killed while it made a network (or
// removed it) leaves the state file without the conflist, its bridge rules or its
// bridge; an older berth's network has a conflist with the plugins' rules per
// container and none of its own. The next up's plan finds the state file and makes
// nothing. Attaching a container, with published ports (the network's own conflist)
// or without, makes the network whole first.
func TestSetupFinishesHalfMadeNetwork(t *testing.T) {
	m := rootManager(t)
	ctx := context.Background()
	before := inventory(t, m)
	port := freeHostPorts(t, 1)[0]
	n, err := m.Ensure(ctx, Config{Name: "hm_net"})
	if err != nil {
		t.Fatal(err)
	}
	conflist := m.paths.conflistFile("hm_net")
	whole, err := os.ReadFile(conflist)
	if err != nil {
		t.Fatal(err)
	}
	older := bytes.Replace(whole, []byte(`"ipMasq": false`), []byte(`"ipMasq": true`), 1)
	if bytes.Equal(older, whole) {
		t.Fatalf("no ipMasq in the conflist:\n%s", whole)
	}
	for i, tc := range []struct {
		name    string
		damage  func() error
		publish []Port
	}{
		{"conflist removed", func() error { return os.Remove(conflist) }, []Port{{HostPort: port, ContainerPort: 80, Protocol: "tcp"}}},
		{"conflist removed", func() error { return os.Remove(conflist) }, nil},
		{"an older berth's conflist", func() error { return os.WriteFile(conflist, older, 0o644) }, nil},
	} {
		if err := tc.damage(); err != nil {
			t.Fatal(err)
		}
		if err := unisolate(n.Bridge, false); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if err := deleteBridge(n.Bridge); err != nil {
				t.Fatal(err)
			}
		}
		id := fmt.Sprintf("hm-%d", i)
		p, err := m.CreateNetNS(id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Setup(ctx, Endpoint{ContainerID: id, NetNS: p}, []Attachment{{Network: "hm_net"}}, tc.publish); err != nil {
			t.Fatalf("%s: Setup of %s: %v", tc.name, id, err)
		}
		if got, err := os.ReadFile(conflist); err != nil || !bytes.Equal(got, whole) {
			t.Fatalf("%s: after Setup of %s the conflist is\n%s (%v)", tc.name, id, got, err)
		}
		rules := strings.Join(inventory(t, m).IPTables, "\n")
		for _, want := range []string{"filter: -A " + forwardChain + " -i " + n.Bridge + " -j ACCEPT", "nat: -A " + masqueradeChain + " -s " + n.Subnet} {
			if !strings.Contains(rules, want) {
				t.Errorf("%s: the network's rules are not back: no %q in\n%s", tc.name, want, rules)
			}
		}
	}
	for _, id := range []string{"hm-0", "hm-1", "hm-2"} {
		if err := m.Teardown(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Remove(ctx, "hm_net"); err != nil {
		t.Fatal(err)
	}
	assertSame(t, "after remove", before, inventory(t, m))
}
