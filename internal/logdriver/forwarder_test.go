package logdriver

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeForwards: the driver sends each line to the collector and keeps it in
// the local log; with no collector the local log has every line all the same.
func TestServeForwards(t *testing.T) {
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	closed, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	absent := closed.Addr().String()
	closed.Close()
	for _, tc := range []struct {
		name string
		fwd  Forward
	}{
		{"collector", Forward{Driver: "syslog", Network: "udp", Address: c.LocalAddr().String(), Tag: "web", Facility: "daemon"}},
		{"no collector", Forward{Driver: "fluentd", Network: "tcp", Address: absent, Tag: "web"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := filepath.Join(t.TempDir(), "c.log")
			if err := WriteOptions(log, Options{MaxFiles: 1, Forward: &tc.fwd}); err != nil {
				t.Fatal(err)
			}
			d := startDriver(t, log)
			for i := range 3 {
				fmt.Fprintf(d.stdout, "line %d\n", i)
			}
			start := time.Now()
			d.exit(t)
			if took := time.Since(start); took > closeGrace+time.Second {
				t.Errorf("the driver took %s to end", took)
			}
			wantRange(t, lineNums(t, readAll(t, log, ReadOptions{Tail: -1})), 0, 3)
			if tc.fwd.Network != "udp" {
				return
			}
			buf := make([]byte, 1024)
			for i := range 3 {
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				n, _, err := c.ReadFrom(buf)
				if err != nil {
					t.Fatal(err)
				}
				if got := string(buf[:n]); !strings.HasPrefix(got, "<30>") || !strings.HasSuffix(got, fmt.Sprintf("web[%d]: line %d", os.Getpid(), i)) {
					t.Errorf("collector got %q", got)
				}
			}
		})
	}
}
