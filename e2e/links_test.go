package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestLinksAndMACs(t *testing.T) {
	s := newScenario(t)
	s.must("up", "-d")
	ipOf := func(service string) string {
		return strings.TrimSpace(s.must("exec", "-T", service, "hostname", "-i"))
	}
	db, legacy := ipOf("db"), ipOf("legacy")
	for name, want := range map[string]string{"database": db, "db": db, "oldie": legacy} {
		if got := lookupFrom(s, "app", name); strings.Join(got, ",") != want {
			t.Errorf("app resolves its link %q to %v, want %s", name, got, want)
		}
	}
	// The aliases are app's alone.
	for _, name := range []string{"database", "oldie"} {
		if got := lookupFrom(s, "peer", name); len(got) != 0 {
			t.Errorf("peer, which has no links, resolves %q to %v", name, got)
		}
	}
	if got := lookupFrom(s, "peer", "db"); strings.Join(got, ",") != db {
		t.Errorf("peer resolves the service db to %v, want %s", got, db)
	}

	// As in Docker: name.network answers on that network, and a reverse lookup of
	// an address gives container-name.network.
	if got := lookupFrom(s, "peer", "db."+s.project+"_default"); strings.Join(got, ",") != db {
		t.Errorf("peer resolves db.%s_default to %v, want %s", s.project, got, db)
	}
	if out := s.berth("exec", "-T", "peer", "nslookup", db).stdout; !strings.Contains(out, s.project+"-db-1."+s.project+"_default") {
		t.Errorf("reverse lookup of db's address %s: %q", db, out)
	}

	for iface, want := range map[string]string{"eth0": "02:42:ac:11:00:99", "eth1": "02:42:ac:11:00:aa"} {
		if out := s.must("exec", "-T", "app", "cat", "/sys/class/net/"+iface+"/address"); strings.TrimSpace(out) != want {
			t.Errorf("app's %s has MAC %q, want %s", iface, strings.TrimSpace(out), want)
		}
	}

	// A host reboot empties /run: the namespace is gone when app starts again, and
	// berth attaches it anew from the container's labels, links and MACs included.
	s.must("stop", "-t", "0", "app")
	var appID string
	for name, id := range s.ids() {
		if strings.HasSuffix(name, "-app-1") {
			appID = id
		}
	}
	nsPath := filepath.Join(statePaths().RunDir, "netns", appID)
	if err := unix.Unmount(nsPath, unix.MNT_DETACH); err != nil {
		t.Fatalf("unmount %s: %v", nsPath, err)
	}
	if err := os.Remove(nsPath); err != nil {
		t.Fatal(err)
	}
	s.must("start", "app")
	if got := lookupFrom(s, "app", "database"); strings.Join(got, ",") != db {
		t.Errorf("after its namespace was made anew, app resolves database to %v, want %s", got, db)
	}
	if out := s.must("exec", "-T", "app", "cat", "/sys/class/net/eth0/address"); strings.TrimSpace(out) != "02:42:ac:11:00:99" {
		t.Errorf("after its namespace was made anew, app's eth0 has MAC %q", strings.TrimSpace(out))
	}
}
