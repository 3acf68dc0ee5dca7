package main

import (
	"testing"
	"time"
)

func TestParseLogTime(t *testing.T) {
	now := time.Date(2026, 1, 2, 15, 0, 0, 0, time.UTC)
	cases := map[string]time.Time{
		"":                     {},
		"42m":                  now.Add(-42 * time.Minute),
		"2013-01-02T13:23:37Z": time.Date(2013, 1, 2, 13, 23, 37, 0, time.UTC),
		"1700000000":           time.Unix(1700000000, 0),
		"1700000000.5":         time.Unix(1700000000, 500000000),
	}
	for in, want := range cases {
		got, err := parseLogTime("since", in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseLogTime("since", "yesterday", now); err == nil {
		t.Error("yesterday was accepted")
	}
}
