package compose

import (
	"strings"
	"testing"
)

func TestDetachKeysRead(t *testing.T) {
	for _, c := range []struct {
		typed string
		want  bool
	}{
		{"ls\n\x10\x11", true},
		{"\x10x\x10\x11more", true}, // a false start, then the keys
		{"\x10x\x11", false},        // not in a row
		{"", false},
	} {
		if got := detachKeysRead(strings.NewReader(c.typed), []byte{0x10, 0x11}); got != c.want {
			t.Errorf("typed %q: detached %v, want %v", c.typed, got, c.want)
		}
	}
}
