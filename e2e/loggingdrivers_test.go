package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tinylib/msgp/msgp"
)

// received collects what a test's log collectors receive.
type received struct {
	mu   sync.Mutex
	msgs []string
}

func (r *received) add(m string) {
	r.mu.Lock()
	r.msgs = append(r.msgs, m)
	r.mu.Unlock()
}

// find returns the first message holding every one of parts.
func (r *received) find(parts ...string) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range r.msgs {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(m, p)
		}
		if all {
			return m, nil
		}
	}
	return "", fmt.Errorf("no message with %q among %q", parts, r.msgs)
}

// udpCollector receives datagrams on 127.0.0.1, each turned to text by decode.
func udpCollector(t *testing.T, decode func([]byte) string) (*received, int) {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	r := &received{}
	go func() {
		buf := make([]byte, 65536)
		for {
			n, _, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			r.add(decode(bytes.Clone(buf[:n])))
		}
	}()
	return r, c.LocalAddr().(*net.UDPAddr).Port
}

// fluentdCollector takes fluentd forward messages on 127.0.0.1 over TCP, each as
// JSON.
func fluentdCollector(t *testing.T) (*received, int) {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	r := &received{}
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				in := msgp.NewReader(conn)
				for {
					msg, err := in.ReadIntf()
					if err != nil {
						return
					}
					text, err := json.Marshal(msg)
					if err != nil {
						text = []byte(err.Error())
					}
					r.add(string(text))
				}
			}()
		}
	}()
	return r, l.Addr().(*net.TCPAddr).Port
}

func TestLoggingDrivers(t *testing.T) {
	s := newScenario(t)
	syslog, syslogPort := udpCollector(t, func(b []byte) string { return string(b) })
	gelf, gelfPort := udpCollector(t, func(b []byte) string {
		z, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return "not gzip: " + err.Error()
		}
		text, _ := io.ReadAll(z)
		return string(text)
	})
	fluentd, fluentdPort := fluentdCollector(t)
	s.env = append(s.env, fmt.Sprint("SYSLOG_PORT=", syslogPort), fmt.Sprint("GELF_PORT=", gelfPort), fmt.Sprint("FLUENTD_PORT=", fluentdPort))
	s.must("up", "-d")
	name := func(service string) string { return s.project + "-" + service + "-1" }

	// syslog in RFC 5424: <local3*8+info>1 TIME HOST TAG PID TAG - LINE; stderr at err.
	host, _ := os.Hostname()
	eventually(t, 10*time.Second, "syslog lines", func() error {
		if _, err := syslog.find("<158>1 ", " "+host+" "+name("syslogged")+" ", " - to-syslog"); err != nil {
			return err
		}
		_, err := syslog.find("<155>1 ", " - err-to-syslog")
		return err
	})
	eventually(t, 10*time.Second, "a GELF message", func() error {
		m, err := gelf.find("to-gelf")
		if err != nil {
			return err
		}
		var msg map[string]any
		if err := json.Unmarshal([]byte(m), &msg); err != nil {
			return fmt.Errorf("%q: %v", m, err)
		}
		if msg["short_message"] != "to-gelf" || msg["_container_name"] != name("gelfed") || msg["_com.example.team"] != "blue" || msg["version"] != "1.1" {
			t.Errorf("GELF message %s", m)
		}
		return nil
	})
	eventually(t, 10*time.Second, "a fluentd message", func() error {
		m, err := fluentd.find("to-fluentd")
		if err != nil {
			return err
		}
		var msg []any
		if err := json.Unmarshal([]byte(m), &msg); err != nil || len(msg) != 3 {
			return fmt.Errorf("%q: %v", m, err)
		}
		rec, _ := msg[2].(map[string]any)
		if msg[0] != "app."+name("fluented") || rec["log"] != "to-fluentd" || rec["source"] != "stdout" || rec["STAGE"] != "e2e" || rec["container_name"] != "/"+name("fluented") {
			t.Errorf("fluentd message %s", m)
		}
		return nil
	})
	// The local log stays, as with docker's dual logging.
	if out := s.must("logs", "--no-log-prefix", "syslogged", "fluented"); !strings.Contains(out, "to-syslog") || !strings.Contains(out, "to-fluentd") {
		t.Errorf("berth logs lacks the forwarded lines:\n%s", out)
	}

	// A collector that is not there stops up before anything is made, naming it.
	if _, err := os.Stat("/run/systemd/journal/socket"); err == nil {
		t.Log("this host runs journald: its refusal is not checked")
	} else {
		r := s.berth("-f", "journald.yaml", "-p", s.project+"-j", "up", "-d")
		if r.code == 0 || !strings.Contains(r.stderr, `service "journaled": field "logging.driver": journald: /run/systemd/journal/socket is absent`) {
			t.Errorf("up with journald on a host without it: exit %d\n%s", r.code, r.stderr)
		}
	}
	closed, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := closed.Addr().(*net.TCPAddr).Port
	closed.Close()
	r := s.berthEnv([]string{fmt.Sprint("CLOSED_PORT=", port)}, "-f", "nocollector.yaml", "-p", s.project+"-n", "up", "-d")
	if r.code == 0 || !strings.Contains(r.stderr, `service "lonely": field "logging.driver": fluentd: dial tcp 127.0.0.1:`) {
		t.Errorf("up with an absent fluentd: exit %d\n%s", r.code, r.stderr)
	}
	if out := s.must("-p", s.project+"-n", "ps", "-a", "-q"); strings.TrimSpace(out) != "" {
		t.Errorf("a refused up made containers: %s", out)
	}
}
