package logdriver

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"
)

// Entry is one logged line.
type Entry struct {
	Time   time.Time // UTC
	Stream string    // "stdout" or "stderr"
	Line   string    // without the trailing newline
	// Partial is set when the container wrote no newline here: a line longer
	// than 16KiB split in pieces, a prompt, or the output cut by exit. A
	// printer joins it with the next entry of the stream instead of adding "\n".
	Partial bool
}

// record is one line on disk, docker json-file's format:
// {"log":"text\n","stream":"stdout","time":"2026-01-02T03:04:05.123456789Z"}
type record struct {
	Log    string    `json:"log"`
	Stream string    `json:"stream"`
	Time   time.Time `json:"time"`
}

// appendRecord appends r as one line of the file: the bytes encoding/json writes
// for it with HTML escaping off, made by hand because the driver writes every
// line a container prints and encoding/json's reflection was most of its CPU.
// format_test.go holds the two to the same output.
func appendRecord(b []byte, r record) []byte {
	var st stamp
	return st.appendRecord(b, r)
}

// stamp keeps the last time formatted: the records of one read share theirs.
type stamp struct {
	t    time.Time
	text []byte
}

func (st *stamp) appendRecord(b []byte, r record) []byte {
	b = append(b, `{"log":`...)
	b = appendString(b, r.Log)
	b = append(b, `,"stream":`...)
	b = appendString(b, r.Stream)
	b = append(b, `,"time":"`...)
	if st.text == nil || !r.Time.Equal(st.t) {
		st.t, st.text = r.Time, r.Time.AppendFormat(st.text[:0], time.RFC3339Nano)
	}
	b = append(b, st.text...)
	return append(b, "\"}\n"...)
}

const hex = "0123456789abcdef"

// appendString quotes s as encoding/json does without HTML escaping: control
// characters escaped, invalid UTF-8 as U+FFFD, U+2028 and U+2029 escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; ; {
		i += plainLen(s[i:])
		if i == len(s) {
			break
		}
		c := s[i]
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			switch r {
			case utf8.RuneError:
				b = append(b, `\ufffd`...)
			default:
				b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// plainLen is the length of s's start that stands for itself in a JSON
// string: printable ASCII but the quote and the backslash. Most of a line
// goes 8 bytes at a step.
func plainLen(s string) int {
	i := 0
	for i+8 <= len(s) && plainWord(binary.LittleEndian.Uint64(unsafe.Slice(unsafe.StringData(s[i:]), 8))) {
		i += 8
	}
	for i < len(s) && s[i] >= 0x20 && s[i] != '"' && s[i] != '\\' && s[i] < utf8.RuneSelf {
		i++
	}
	return i
}

// plainWord says whether the 8 bytes of x all stand for themselves, testing
// them at once: a byte's high bit in each mask marks it below 0x20, a quote,
// a backslash or not ASCII. The masks are exact about whether any byte is so
// (a borrow only runs on from a byte that is), which is all that is asked.
func plainWord(x uint64) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	control := (x - ones*0x20) &^ x
	quote := x ^ (ones * '"')
	backslash := x ^ (ones * '\\')
	quote = (quote - ones) &^ quote
	backslash = (backslash - ones) &^ backslash
	return (control|quote|backslash|x)&highs == 0
}

// decode parses one line of a log file; ok is false for anything that is not
// a log record (a torn write, garbage), which readers skip.
func decode(line []byte) (e Entry, ok bool) {
	var d decoder
	return d.decode(line)
}

// decoder is decode for a reader of many lines: it keeps the last time read,
// which the lines of one read of the driver share.
type decoder struct {
	text  []byte
	t     time.Time
	arena []byte // where the lines' text is copied, 64KiB at a time
}

const arenaSize = 64 << 10

// str is string(b) with one allocation per arenaSize of lines, not one per
// line: bytes once appended to the arena are never written again, so a string
// over them stays as immutable as Go's own (and keeps only its arena alive).
func (d *decoder) str(b []byte) string {
	if len(b) == 0 || len(b) > arenaSize/4 {
		return string(b)
	}
	if len(d.arena)+len(b) > cap(d.arena) {
		d.arena = make([]byte, 0, arenaSize)
	}
	start := len(d.arena)
	d.arena = append(d.arena, b...)
	return unsafe.String(&d.arena[start], len(b))
}

func (d *decoder) decode(line []byte) (e Entry, ok bool) {
	if e, ok := d.decodeFast(line); ok {
		return e, true
	}
	var r record
	if err := json.Unmarshal(line, &r); err != nil || r.Stream == "" || r.Time.IsZero() {
		return Entry{}, false
	}
	text, complete := strings.CutSuffix(r.Log, "\n")
	return Entry{Time: r.Time.UTC(), Stream: r.Stream, Line: text, Partial: !complete}, true
}

// decodeFast reads a line in the exact shape appendRecord writes, without
// reflection; anything else (another field order, a surrogate pair, spaces) is
// left to encoding/json, so both read the same files.
func (d *decoder) decodeFast(line []byte) (e Entry, ok bool) {
	rest, ok := cutPrefix(line, `{"log":"`)
	if !ok {
		return e, false
	}
	// The common line: plain text and its newline, one string to make.
	i := plainPrefix(rest)
	if i+2 < len(rest) && rest[i] == '\\' && rest[i+1] == 'n' && rest[i+2] == '"' {
		e.Line, rest = d.str(rest[:i]), rest[i+3:]
	} else {
		var text string
		if text, rest, ok = unquote(rest); !ok {
			return e, false
		}
		var complete bool
		e.Line, complete = strings.CutSuffix(text, "\n")
		e.Partial = !complete
	}
	if rest, ok = cutPrefix(rest, `,"stream":"`); !ok {
		return e, false
	}
	switch {
	case len(rest) > 7 && string(rest[:7]) == `stdout"`:
		e.Stream, rest = "stdout", rest[7:]
	case len(rest) > 7 && string(rest[:7]) == `stderr"`:
		e.Stream, rest = "stderr", rest[7:]
	default:
		return e, false
	}
	if rest, ok = cutPrefix(rest, `,"time":"`); !ok {
		return e, false
	}
	end := bytes.IndexByte(rest, '"')
	if end < 0 {
		return e, false
	}
	if text := rest[:end]; d.text == nil || !bytes.Equal(text, d.text) {
		t, ok := parseUTC(text)
		if !ok {
			return e, false
		}
		d.text, d.t = append(d.text[:0], text...), t
	}
	e.Time = d.t
	switch tail := string(rest[end+1:]); tail {
	case "}", "}\n":
		return e, true
	}
	return e, false
}

// parseUTC reads the times appendRecord writes, 2006-01-02T15:04:05.999999999Z,
// a digit at a time: time.Parse was most of a read's cost.
func parseUTC(b []byte) (time.Time, bool) {
	if len(b) < 20 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[len(b)-1] != 'Z' {
		return time.Time{}, false
	}
	num := func(b []byte) (int, bool) {
		n := 0
		for _, c := range b {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	var f [6]int
	for i, span := range [6][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}} {
		v, ok := num(b[span[0]:span[1]])
		if !ok {
			return time.Time{}, false
		}
		f[i] = v
	}
	nanos := 0
	if frac := b[19 : len(b)-1]; len(frac) > 0 {
		if len(frac) < 2 || len(frac) > 10 || frac[0] != '.' {
			return time.Time{}, false
		}
		v, ok := num(frac[1:])
		if !ok {
			return time.Time{}, false
		}
		for range 10 - len(frac) {
			v *= 10
		}
		nanos = v
	}
	if f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 59 {
		return time.Time{}, false // time.Date would normalise what encoding/json rejects
	}
	t := time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], nanos, time.UTC)
	if t.Day() != f[2] || t.IsZero() { // February 30th
		return time.Time{}, false
	}
	return t, true
}

func cutPrefix(b []byte, prefix string) ([]byte, bool) {
	if len(b) < len(prefix) || string(b[:len(prefix)]) != prefix {
		return b, false
	}
	return b[len(prefix):], true
}

// plainPrefix is the length of b's start that stands for itself in a JSON
// string: printable ASCII but the quote and the backslash.
func plainPrefix(b []byte) int {
	return plainLen(unsafe.String(unsafe.SliceData(b), len(b)))
}

// unquote reads a JSON string's body up to its closing quote, returning the
// text and what follows the quote; ok is false for what it does not handle.
func unquote(b []byte) (s string, rest []byte, ok bool) {
	i := plainPrefix(b)
	if i < len(b) && b[i] == '"' {
		return string(b[:i]), b[i+1:], true
	}
	out := make([]byte, 0, len(b))
	out = append(out, b[:i]...)
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			if !utf8.Valid(out) {
				return "", nil, false // encoding/json makes these U+FFFD
			}
			return string(out), b[i+1:], true
		case c < 0x20:
			return "", nil, false
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(b) {
			return "", nil, false
		}
		switch b[i+1] {
		case '"', '\\', '/':
			out = append(out, b[i+1])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			if i+6 > len(b) {
				return "", nil, false
			}
			var r rune
			for _, h := range b[i+2 : i+6] {
				switch {
				case '0' <= h && h <= '9':
					r = r<<4 | rune(h-'0')
				case 'a' <= h && h <= 'f':
					r = r<<4 | rune(h-'a'+10)
				case 'A' <= h && h <= 'F':
					r = r<<4 | rune(h-'A'+10)
				default:
					return "", nil, false
				}
			}
			if utf8.RuneLen(r) < 0 { // a surrogate: encoding/json pairs them
				return "", nil, false
			}
			out = utf8.AppendRune(out, r)
			i += 6
			continue
		default:
			return "", nil, false
		}
		i += 2
	}
	return "", nil, false
}
