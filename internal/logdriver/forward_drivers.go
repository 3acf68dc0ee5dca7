package logdriver

import (
	"cmp"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/Graylog2/go-gelf/gelf"
	"github.com/tinylib/msgp/msgp"
)

// sender sends one line to a collector.
type sender interface {
	send(r record) error
	close() error
}

// open connects to the collector.
func (f *Forward) open() (sender, error) {
	switch f.Driver {
	case "syslog":
		return f.openSyslog()
	case "gelf":
		return f.openGelf()
	case "fluentd":
		return f.openFluentd()
	case "journald":
		return f.openJournal()
	}
	return nil, fmt.Errorf("logging driver %q does not forward", f.Driver)
}

// text is the line a record carries, without its newline.
func text(r record) string { return strings.TrimSuffix(r.Log, "\n") }

// syslogFacilities are the facility codes by the names syslog-facility takes.
var syslogFacilities = map[string]int{
	"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
	"uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11,
	"local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
}

func (f *Forward) parseSyslog(opts map[string]string) error {
	if a := opts["syslog-address"]; a != "" {
		var err error
		if f.Network, f.Address, err = parseAddress("syslog-address", a, []string{"udp", "tcp", "unix", "unixgram"}, "514"); err != nil {
			return err
		}
	}
	f.Facility = cmp.Or(opts["syslog-facility"], "daemon")
	if _, ok := syslogFacilities[f.Facility]; !ok {
		return fmt.Errorf("%w: syslog-facility %q is not a syslog facility", ErrBadOption, f.Facility)
	}
	switch f.Format = opts["syslog-format"]; f.Format {
	case "", "rfc3164", "rfc5424", "rfc5424micro":
	default:
		return fmt.Errorf("%w: syslog-format %q: want rfc3164, rfc5424 or rfc5424micro", ErrBadOption, f.Format)
	}
	return nil
}

// syslogSender writes the lines docker's syslog driver writes, in its formats.
// Written here rather than with srslog (docker's): srslog links crypto/tls into
// the driver every container runs, some 2 MB, for these few lines of format.
type syslogSender struct {
	conn     net.Conn
	stream   bool // a stream socket: each message ends with a newline
	facility int
	format   string
	host     string
	tag      string
	buf      []byte
}

func (f *Forward) openSyslog() (sender, error) {
	var conn net.Conn
	var err error
	if f.Network == "" {
		conn, err = dialLocalSyslog()
	} else {
		conn, err = net.DialTimeout(f.Network, f.Address, 3*time.Second)
	}
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	_, datagram := conn.(net.PacketConn)
	return &syslogSender{conn: conn, stream: !datagram, facility: syslogFacilities[f.Facility], format: f.Format, host: host, tag: f.Tag}, nil
}

// dialLocalSyslog dials the host's syslog socket, where docker's driver does.
func dialLocalSyslog() (net.Conn, error) {
	for _, network := range []string{"unixgram", "unix"} {
		for _, path := range localSyslogSockets {
			if c, err := net.Dial(network, path); err == nil {
				return c, nil
			}
		}
	}
	return nil, errors.New("no local syslog answers at " + strings.Join(localSyslogSockets, ", "))
}

func (s *syslogSender) send(r record) error {
	severity := 6 // info
	if r.Stream == "stderr" {
		severity = 3 // err
	}
	pri, now, pid := s.facility*8+severity, time.Now(), os.Getpid()
	s.buf = s.buf[:0]
	switch s.format {
	case "": // the local form, without the host
		s.buf = fmt.Appendf(s.buf, "<%d>%s %s[%d]: %s", pri, now.Format(time.Stamp), s.tag, pid, text(r))
	case "rfc3164":
		s.buf = fmt.Appendf(s.buf, "<%d>%s %s %s[%d]: %s", pri, now.Format(time.Stamp), s.host, s.tag, pid, text(r))
	case "rfc5424", "rfc5424micro":
		stamp := time.RFC3339
		if s.format == "rfc5424micro" {
			stamp = "2006-01-02T15:04:05.000000Z07:00"
		}
		// The tag is both APP-NAME and MSGID, as docker writes it.
		s.buf = fmt.Appendf(s.buf, "<%d>1 %s %s %s %d %s - %s", pri, now.Format(stamp), s.host, s.tag, pid, s.tag, text(r))
	}
	if s.stream {
		s.buf = append(s.buf, '\n')
	}
	s.conn.SetWriteDeadline(time.Now().Add(3 * time.Second))
	_, err := s.conn.Write(s.buf)
	return err
}

func (s *syslogSender) close() error { return s.conn.Close() }

func (f *Forward) parseGelf(opts map[string]string) error {
	a := opts["gelf-address"]
	if a == "" {
		return fmt.Errorf("%w: gelf-address is required (udp://host:port or tcp://host:port)", ErrBadOption)
	}
	var err error
	if f.Network, f.Address, err = parseAddress("gelf-address", a, []string{"udp", "tcp"}, ""); err != nil {
		return err
	}
	switch f.Compression = cmp.Or(opts["gelf-compression-type"], "gzip"); f.Compression {
	case "gzip", "zlib", "none":
	default:
		return fmt.Errorf("%w: gelf-compression-type %q: want gzip, zlib or none", ErrBadOption, f.Compression)
	}
	f.CompressionLevel = flate.BestSpeed
	if l := opts["gelf-compression-level"]; l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < flate.HuffmanOnly || n > flate.BestCompression {
			return fmt.Errorf("%w: gelf-compression-level %q: want -2 to 9", ErrBadOption, l)
		}
		f.CompressionLevel = n
	}
	return nil
}

type gelfSender struct {
	w     gelf.Writer
	host  string
	extra map[string]any
}

func (f *Forward) openGelf() (sender, error) {
	s := gelfSender{extra: map[string]any{
		"_container_id": f.Container.ID, "_container_name": f.Container.Name, "_image_id": f.Container.ImageID,
		"_image_name": f.Container.ImageName, "_command": f.Container.Command, "_tag": f.Tag,
		"_created": f.Container.Created,
	}}
	for k, v := range f.Extra {
		s.extra["_"+k] = v
	}
	s.host, _ = os.Hostname()
	if f.Network == "tcp" {
		w, err := gelf.NewTCPWriter(f.Address)
		if err != nil {
			return nil, err
		}
		w.MaxReconnect = 0 // the forwarder reconnects, without holding up the lines
		s.w = w
		return s, nil
	}
	w, err := gelf.NewUDPWriter(f.Address)
	if err != nil {
		return nil, err
	}
	w.CompressionType = map[string]gelf.CompressType{"gzip": gelf.CompressGzip, "zlib": gelf.CompressZlib, "none": gelf.CompressNone}[f.Compression]
	w.CompressionLevel = f.CompressionLevel
	s.w = w
	return s, nil
}

func (s gelfSender) send(r record) error {
	level := int32(gelf.LOG_INFO)
	if r.Stream == "stderr" {
		level = gelf.LOG_ERR
	}
	return s.w.WriteMessage(&gelf.Message{Version: "1.1", Host: s.host, Short: text(r),
		TimeUnix: float64(r.Time.UnixNano()) / 1e9, Level: level, Extra: s.extra})
}

func (s gelfSender) close() error { return s.w.Close() }

func (f *Forward) parseFluentd(opts map[string]string) error {
	a := cmp.Or(opts["fluentd-address"], "localhost:24224")
	if !strings.Contains(a, "://") {
		a = "tcp://" + a
	}
	var err error
	if f.Network, f.Address, err = parseAddress("fluentd-address", a, []string{"tcp", "unix"}, "24224"); err != nil {
		return err
	}
	// fluentd-async only changes when a line waits for the collector; berth's
	// driver never makes the container wait on it beyond its queue.
	if s := opts["fluentd-sub-second-precision"]; s != "" {
		if f.SubSecond, err = strconv.ParseBool(s); err != nil {
			return fmt.Errorf("%w: fluentd-sub-second-precision %q: want true or false", ErrBadOption, s)
		}
	}
	return nil
}

// fluentdSender speaks fluentd's forward protocol: each line one msgpack array of
// tag, time and record over the connection. Encoded with msgp, framed here rather
// than with fluent-logger-golang, which links crypto/tls into the driver every
// container runs (some 2 MB).
type fluentdSender struct {
	conn      net.Conn
	tag       string
	fields    map[string]string
	subSecond bool
	buf       []byte
}

func (f *Forward) openFluentd() (sender, error) {
	conn, err := net.DialTimeout(f.Network, f.Address, 3*time.Second)
	if err != nil {
		return nil, err
	}
	fields := map[string]string{"container_id": f.Container.ID, "container_name": "/" + f.Container.Name}
	for k, v := range f.Extra {
		fields[k] = v
	}
	return &fluentdSender{conn: conn, tag: f.Tag, fields: fields, subSecond: f.SubSecond}, nil
}

func (s *fluentdSender) send(r record) error {
	b := msgp.AppendArrayHeader(s.buf[:0], 3)
	b = msgp.AppendString(b, s.tag)
	if s.subSecond {
		// fluentd's EventTime: extension 0, seconds and nanoseconds, big-endian.
		t := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(r.Time.Unix())), uint32(r.Time.Nanosecond()))
		var err error
		if b, err = msgp.AppendExtension(b, &msgp.RawExtension{Type: 0, Data: t}); err != nil {
			return err
		}
	} else {
		b = msgp.AppendInt64(b, r.Time.Unix())
	}
	b = msgp.AppendMapHeader(b, uint32(len(s.fields)+2))
	for k, v := range s.fields {
		b = msgp.AppendString(msgp.AppendString(b, k), v)
	}
	b = msgp.AppendString(msgp.AppendString(b, "source"), r.Stream)
	b = msgp.AppendString(msgp.AppendString(b, "log"), text(r))
	s.buf = b
	s.conn.SetWriteDeadline(time.Now().Add(3 * time.Second))
	_, err := s.conn.Write(b)
	return err
}

func (s *fluentdSender) close() error { return s.conn.Close() }
