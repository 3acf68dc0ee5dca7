package compose

import (
	"strings"
	"testing"
)

func TestForwardInput(t *testing.T) {
	for _, c := range []struct {
		typed, passed string
		want          bool
	}{
		{"ls\n\x10\x11", "ls\n", true},
		{"\x10x\x10\x11more", "\x10x", true}, // a false start, then the keys
		{"\x10x\x11", "\x10x\x11", false},    // not in a row
		{"", "", false},
	} {
		var passed strings.Builder
		if got := forwardInput(strings.NewReader(c.typed), []byte{0x10, 0x11}, &passed); got != c.want || passed.String() != c.passed {
			t.Errorf("typed %q: detached %v, passed %q; want %v, %q", c.typed, got, passed.String(), c.want, c.passed)
		}
	}
}
