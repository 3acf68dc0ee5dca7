package network

import (
	"errors"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"berth.dev/berth/internal/statefile"
)

// TestCheckHostPorts: a fixed host port is refused when a program listens on it or
// a container of another project publishes it, in this namespace or another one;
// the project's own containers keep theirs.
func TestCheckHostPorts(t *testing.T) {
	root := t.TempDir()
	m := NewManager(Paths{StateDir: filepath.Join(root, "ns-a"), RunDir: t.TempDir()})
	record := func(ns, dir, id string, ep Endpoint) {
		t.Helper()
		if err := statefile.WriteJSON(filepath.Join(root, ns, dir, id+".json"), ep, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	record("ns-a", EndpointsDir, "c1", Endpoint{Project: "mine", ContainerName: "mine-web-1", Ports: []Port{{HostPort: 18601, ContainerPort: 80, Protocol: "tcp"}}})
	record("ns-a", pendingDir, "c2", Endpoint{Project: "other", ContainerName: "other-web-1", Ports: []Port{{HostIP: "127.0.0.1", HostPort: 18602, ContainerPort: 80, Protocol: "udp"}}})
	record("ns-b", EndpointsDir, "c3", Endpoint{Project: "mine", ContainerName: "mine-web-1", Ports: []Port{{HostPort: 18603, ContainerPort: 80, Protocol: "tcp"}}})

	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	listening := uint16(l.Addr().(*net.TCPAddr).Port)

	for _, c := range []struct {
		port Port
		want string // "" = free
	}{
		{Port{HostPort: 18601, ContainerPort: 80}, ""}, // the project's own: a recreate keeps it
		{Port{HostPort: 18602, ContainerPort: 80, Protocol: "udp"}, "container other-web-1"},
		{Port{HostPort: 18602, ContainerPort: 80}, ""}, // tcp, not udp
		{Port{HostIP: "0.0.0.0", HostPort: 18603, ContainerPort: 80}, "container mine-web-1 (containerd namespace ns-b)"},
		{Port{HostIP: "127.0.0.1", HostPort: listening, ContainerPort: 80}, "address already in use"},
		{Port{HostPort: listening, ContainerPort: 80}, "address already in use"},       // every address covers 127.0.0.1
		{Port{HostPort: listening, HostPortEnd: listening + 5, ContainerPort: 80}, ""}, // a range: picked at create
	} {
		err := m.CheckHostPorts("mine", []Port{c.port})
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%+v: %v", c.port, err)
		case c.want != "" && (!errors.Is(err, ErrPortAllocated) || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%+v: %v, want %q", c.port, err, c.want)
		}
	}
}

// TestCheckHostPortsReadsRecordsForFixedPorts: the records are read only when a
// fixed host port needs them, so a service that publishes none (or only ports berth
// picks) is not held to them; one with a fixed port still is.
func TestCheckHostPortsReadsRecordsForFixedPorts(t *testing.T) {
	state := filepath.Join(t.TempDir(), "ns")
	m := NewManager(Paths{StateDir: state, RunDir: t.TempDir()})
	// A file where the endpoints directory should be: reading the records fails.
	if err := statefile.WriteJSON(filepath.Join(state, EndpointsDir), Endpoint{}, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, ports := range [][]Port{nil, {{ContainerPort: 80}}, {{HostPort: 18610, HostPortEnd: 18615, ContainerPort: 80}}} {
		if err := m.CheckHostPorts("mine", ports); err != nil {
			t.Errorf("%+v: %v", ports, err)
		}
	}
	if err := m.CheckHostPorts("mine", []Port{{HostPort: 18610, ContainerPort: 80}}); err == nil {
		t.Error("a fixed host port was checked without the records")
	}
}
