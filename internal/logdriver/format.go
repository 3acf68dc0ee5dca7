package logdriver

import (
	"encoding/json"
	"strings"
	"time"
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

// decode parses one line of a log file; ok is false for anything that is not
// a log record (a torn write, garbage), which readers skip.
func decode(line []byte) (e Entry, ok bool) {
	var r record
	if err := json.Unmarshal(line, &r); err != nil || r.Stream == "" || r.Time.IsZero() {
		return Entry{}, false
	}
	text, complete := strings.CutSuffix(r.Log, "\n")
	return Entry{Time: r.Time.UTC(), Stream: r.Stream, Line: text, Partial: !complete}, true
}
