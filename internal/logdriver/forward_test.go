package logdriver

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestParseForward(t *testing.T) {
	c := ContainerInfo{ID: "0123456789abcdef0123", Name: "proj-web-1", ImageName: "busybox", ImageID: "sha256:abcdef0123456789",
		Labels: map[string]string{"team": "blue", "tier.a": "x", "tier.b": "y"}, Env: map[string]string{"STAGE": "dev"}}
	f, err := ParseForward("syslog", map[string]string{"syslog-address": "tcp://10.0.0.1", "labels": "team", "labels-regex": "^tier", "env": "STAGE,NONE"}, c)
	if err != nil {
		t.Fatal(err)
	}
	if f.Network != "tcp" || f.Address != "10.0.0.1:514" || f.Tag != "0123456789ab" || f.Facility != "daemon" {
		t.Errorf("syslog: %+v", f)
	}
	if len(f.Extra) != 4 || f.Extra["team"] != "blue" || f.Extra["tier.b"] != "y" || f.Extra["STAGE"] != "dev" {
		t.Errorf("labels and env picked: %v", f.Extra)
	}
	f, err = ParseForward("fluentd", map[string]string{"tag": "docker.{{.Name}}.{{.ImageName}}.{{.ImageID}}"}, c)
	if err != nil || f.Network != "tcp" || f.Address != "localhost:24224" || f.Tag != "docker.proj-web-1.busybox.abcdef012345" {
		t.Errorf("fluentd defaults: %+v, %v", f, err)
	}
	for _, bad := range []struct {
		driver string
		opts   map[string]string
		want   string
	}{
		{"gelf", nil, "gelf-address is required"},
		{"gelf", map[string]string{"gelf-address": "udp://host"}, "want udp://host:port"},
		{"gelf", map[string]string{"gelf-address": "http://host:1"}, "want udp:// or tcp://"},
		{"syslog", map[string]string{"syslog-tls-cert": "x"}, `option "syslog-tls-cert" of logging driver syslog is not supported`},
		{"syslog", map[string]string{"syslog-facility": "nope"}, "not a syslog facility"},
		{"journald", map[string]string{"tag": "{{.Name | upper}}"}, "only {{.ID}}"},
	} {
		_, err := ParseForward(bad.driver, bad.opts, c)
		if !errors.Is(err, ErrBadOption) || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("%s %v: %v, want %q", bad.driver, bad.opts, err, bad.want)
		}
	}
}

func TestJournalSender(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "journal.sock")
	l, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	old := JournalSocket
	JournalSocket = sock
	defer func() { JournalSocket = old }()
	s := openForward(t, "journald", map[string]string{"env": "STAGE"}, ContainerInfo{ID: "0123456789abcdef", Name: "web", Env: map[string]string{"STAGE": "dev"}})
	defer s.close()
	if err := s.send(record{Log: "two\nlines\n", Stream: "stderr", Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	n, err := l.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	got := string(buf[:n])
	size := binary.LittleEndian.AppendUint64(nil, uint64(len("two\nlines")))
	for _, want := range []string{"CONTAINER_ID=0123456789ab\n", "CONTAINER_NAME=web\n", "SYSLOG_IDENTIFIER=0123456789ab\n", "STAGE=dev\n",
		"MESSAGE\n" + string(size) + "two\nlines\n", "PRIORITY=3\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("journal datagram lacks %q:\n%q", want, got)
		}
	}
	JournalSocket = filepath.Join(t.TempDir(), "absent")
	f, _ := ParseForward("journald", nil, ContainerInfo{})
	if err := f.Check(); err == nil || !strings.Contains(err.Error(), "journald does not run on this host") {
		t.Errorf("no journal socket: %v", err)
	}
}

func TestSyslogFormats(t *testing.T) {
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for format, want := range map[string]string{
		"":             `^<30>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d web\[\d+\]: hello$`,
		"rfc3164":      `^<30>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ web\[\d+\]: hello$`,
		"rfc5424":      `^<30>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d) \S+ web \d+ web - hello$`,
		"rfc5424micro": `^<30>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d) \S+ web \d+ web - hello$`,
	} {
		f, err := ParseForward("syslog", map[string]string{"syslog-address": "udp://" + c.LocalAddr().String(), "syslog-format": format, "tag": "web"}, ContainerInfo{})
		if err != nil {
			t.Fatal(err)
		}
		s, err := f.open()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.send(record{Log: "hello\n", Stream: "stdout", Time: time.Now()}); err != nil {
			t.Fatal(err)
		}
		s.close()
		buf := make([]byte, 1024)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := c.ReadFrom(buf)
		if err != nil {
			t.Fatal(err)
		}
		if !regexpMatch(want, string(buf[:n])) {
			t.Errorf("format %q: %q, want %s", format, buf[:n], want)
		}
	}
}

func regexpMatch(pattern, s string) bool { return regexp.MustCompile(pattern).MatchString(s) }

// TestSyslogTransports: over tcp each message ends with a newline (RFC 6587's
// non-transparent framing); over a unix datagram socket it is the datagram.
func TestSyslogTransports(t *testing.T) {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	sock := filepath.Join(t.TempDir(), "log")
	u, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	send := func(address string) {
		t.Helper()
		s := openForward(t, "syslog", map[string]string{"syslog-address": address, "tag": "web", "syslog-format": "rfc3164"}, ContainerInfo{})
		defer s.close()
		for _, line := range []string{"one\n", "two\n"} {
			if err := s.send(record{Log: line, Stream: "stdout", Time: time.Now()}); err != nil {
				t.Fatal(err)
			}
		}
	}
	send("tcp://" + l.Addr().String())
	if c, err := l.Accept(); err == nil {
		c.Close() // Check's connection
	}
	c, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	got, _ := io.ReadAll(c)
	if lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n"); len(lines) != 2 || !strings.HasSuffix(lines[0], ": one") || !strings.HasSuffix(lines[1], ": two") {
		t.Errorf("over tcp: %q", got)
	}
	send("unixgram://" + sock)
	buf := make([]byte, 1024)
	u.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := u.Read(buf)
	if err != nil || !strings.HasSuffix(string(buf[:n]), "web["+strconv.Itoa(os.Getpid())+"]: one") {
		t.Errorf("over unixgram: %q, %v", buf[:n], err)
	}
}

// openForward parses, checks and opens a forward as the log driver does.
func openForward(t *testing.T, driver string, options map[string]string, info ContainerInfo) sender {
	t.Helper()
	f, err := ParseForward(driver, options, info)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Check(); err != nil {
		t.Fatal(err)
	}
	s, err := f.open()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
