package resolver

import (
	"fmt"
	"testing"

	"github.com/miekg/dns"
)

// TestListenFreebind binds an address this host does not have, as the resolver does
// for a gateway whose bridge is not up yet. Nothing is sent to it.
func TestListenFreebind(t *testing.T) {
	addr := fmt.Sprintf("192.0.2.1:%d", freePort(t)) // TEST-NET-1, never local
	l, err := listen(t.Context(), addr, dns.HandlerFunc(func(dns.ResponseWriter, *dns.Msg) {}))
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	if l.dead() {
		t.Error("listener dead at once")
	}
	l.stop()
	if !l.dead() {
		t.Error("listener alive after stop")
	}
}
