package logdriver

import (
	"bytes"
	"encoding/binary"
	"net"
	"strings"
)

// journalSender writes journald's native protocol: one datagram per line, each
// field KEY=value, or KEY, a newline, a little-endian length and the raw value when
// the value holds a newline. Written here because the protocol is these few lines,
// and the module that speaks it (go-systemd) knows only the fixed socket path,
// where a test cannot put a listener of its own.
type journalSender struct {
	conn   net.Conn
	fields [][2]string // sent with every line
	buf    bytes.Buffer
}

func (f *Forward) openJournal() (sender, error) {
	conn, err := net.Dial("unixgram", f.Address)
	if err != nil {
		return nil, err
	}
	c := f.Container
	s := &journalSender{conn: conn, fields: [][2]string{
		{"CONTAINER_ID", c.ID[:min(12, len(c.ID))]}, {"CONTAINER_ID_FULL", c.ID}, {"CONTAINER_NAME", c.Name},
		{"CONTAINER_TAG", f.Tag}, {"SYSLOG_IDENTIFIER", f.Tag}, {"IMAGE_NAME", c.ImageName},
	}}
	for k, v := range f.Extra {
		s.fields = append(s.fields, [2]string{journalKey(k), v})
	}
	return s, nil
}

// journalKey is docker's field name for a label or variable: upper case, with
// what journald does not take in a name made "_", and no leading "_" (journald
// keeps those for itself).
func journalKey(k string) string {
	k = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, k)
	return strings.TrimLeft(k, "_")
}

func (s *journalSender) send(r record) error {
	priority := "6" // info
	if r.Stream == "stderr" {
		priority = "3" // err
	}
	s.buf.Reset()
	for _, f := range append(s.fields, [2]string{"MESSAGE", text(r)}, [2]string{"PRIORITY", priority}) {
		if !strings.Contains(f[1], "\n") {
			s.buf.WriteString(f[0] + "=" + f[1] + "\n")
			continue
		}
		s.buf.WriteString(f[0] + "\n")
		s.buf.Write(binary.LittleEndian.AppendUint64(nil, uint64(len(f[1]))))
		s.buf.WriteString(f[1] + "\n")
	}
	_, err := s.conn.Write(s.buf.Bytes())
	return err
}

func (s *journalSender) close() error { return s.conn.Close() }
