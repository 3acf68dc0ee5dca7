package logdriver

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// The hand-made encoder writes what encoding/json wrote before it, byte for byte,
// and the fast decoder reads back what encoding/json reads.
var formatCases = []string{
	"", "plain line\n", "partial", `quote " and backslash \ and slash /`,
	"tabs\tand\rreturns\b\f\x00\x01\x1f\x7f", "<html> & 'quotes'", "héllo wörld ✓ 日本\n",
	"bad utf8 \xff\xfe end", "cut rune \xe2\x82", "line sep \u2028 para \u2029", "emoji 😀 (a surrogate pair in JSON)",
}

func FuzzFormat(f *testing.F) {
	for _, c := range formatCases {
		f.Add(c, int64(0))
	}
	f.Fuzz(func(t *testing.T, s string, nanos int64) {
		checkFormat(t, record{Log: s, Stream: "stderr", Time: t0.Add(time.Duration(nanos % int64(time.Hour)))})
	})
}

func TestFormat(t *testing.T) {
	for i, c := range formatCases {
		checkFormat(t, record{Log: c, Stream: "stdout", Time: t0.Add(time.Duration(i) * 1001)})
	}
	checkFormat(t, record{Log: "x\n", Stream: "stdout", Time: time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.UTC)})
}

func checkFormat(t *testing.T, r record) {
	t.Helper()
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		t.Fatal(err)
	}
	got := appendRecord(nil, r)
	if !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("appendRecord(%q):\n got %s\nwant %s", r.Log, got, want.Bytes())
	}
	var viaJSON record
	if err := json.Unmarshal(got, &viaJSON); err != nil {
		t.Fatal(err)
	}
	e, ok := decode(got)
	if !ok || e.Stream != r.Stream || !e.Time.Equal(r.Time) || e.Line+map[bool]string{false: "\n", true: ""}[e.Partial] != viaJSON.Log {
		t.Fatalf("decode(%s) = %+v, %v; encoding/json reads %q", got, e, ok, viaJSON.Log)
	}
}

// Lines in another shape than the writer's still read, through encoding/json.
func TestDecodeOtherShapes(t *testing.T) {
	for _, line := range []string{
		`{"stream":"stdout","log":"a\n","time":"2026-01-02T03:04:05Z"}`,
		`{"log": "a\n", "stream": "stdout", "time": "2026-01-02T03:04:05Z"}`,
		`{"log":"a\n","stream":"stdout","time":"2026-01-02T03:04:05+01:00"}`,
		`{"log":"\ud83d\ude00a\n","stream":"stdout","time":"2026-01-02T03:04:05Z"}`,
	} {
		if e, ok := decode([]byte(line)); !ok || e.Stream != "stdout" || e.Partial || e.Time.Location() != time.UTC {
			t.Errorf("decode(%s) = %+v, %v", line, e, ok)
		}
	}
	for _, line := range []string{`{"log":"a\n","stream":"stdout","time":"2026-01-02T03:04`, `{"log":"a`, `garbage`, `{"log":"a","stream":"","time":"2026-01-02T03:04:05Z"}`} {
		if e, ok := decode([]byte(line)); ok {
			t.Errorf("decode(%s) = %+v, want not a record", line, e)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	r := record{Log: "a short line of a log, as a web server writes them\n", Stream: "stdout", Time: t0}
	var buf []byte
	b.SetBytes(int64(len(r.Log)))
	for b.Loop() {
		buf = appendRecord(buf[:0], r)
	}
}

func BenchmarkDecode(b *testing.B) {
	line := appendRecord(nil, record{Log: "a short line of a log, as a web server writes them\n", Stream: "stdout", Time: t0})
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		if _, ok := decode(line); !ok {
			b.Fatal("not decoded")
		}
	}
}

func TestParseUTC(t *testing.T) {
	for _, s := range []string{"2026-01-02T03:04:05Z", "2026-01-02T03:04:05.1Z", "2026-12-31T23:59:59.123456789Z", "2024-02-29T00:00:00.000001Z"} {
		want, _ := time.Parse(time.RFC3339Nano, s)
		if got, ok := parseUTC([]byte(s)); !ok || !got.Equal(want) {
			t.Errorf("parseUTC(%s) = %v, %v; want %v", s, got, ok, want)
		}
	}
	for _, s := range []string{"2026-02-30T00:00:00Z", "2026-01-02T03:04:05.Z", "2026-01-02T03:04:05+01:00", "2026-01-02 03:04:05Z", "2026-13-02T03:04:05Z", "2026-01-02T03:04:05.1234567890Z", "0001-01-01T00:00:00Z"} {
		if got, ok := parseUTC([]byte(s)); ok {
			t.Errorf("parseUTC(%s) = %v, want not read", s, got)
		}
	}
}

// The lines a decoder gives out stay as they were while it reads on: its arena is
// only ever appended to.
func TestDecoderLinesStay(t *testing.T) {
	var d decoder
	var lines []string
	for i := range 5000 {
		e, ok := d.decode(appendRecord(nil, record{Log: fmt.Sprintf("line %d %s\n", i, strings.Repeat("x", i%300)), Stream: "stdout", Time: t0}))
		if !ok {
			t.Fatal("not decoded")
		}
		lines = append(lines, e.Line)
	}
	for i, l := range lines {
		if want := fmt.Sprintf("line %d %s", i, strings.Repeat("x", i%300)); l != want {
			t.Fatalf("line %d is now %q", i, l)
		}
	}
}
