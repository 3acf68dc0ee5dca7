package mountpoints

import (
	"slices"
	"testing"
)

// Linux mounts devpts at /dev/pts (and most hosts a tmpfs at /dev/shm); Under
// lists what is below /dev, not /dev itself.
func TestUnder(t *testing.T) {
	got, err := Under("/dev")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got, "/dev/pts") || slices.Contains(got, "/dev") || !slices.IsSorted(got) {
		t.Errorf("mount points under /dev: %v", got)
	}
	if got, err := Under(""); err != nil || got != nil {
		t.Errorf(`Under(""): %v, %v`, got, err)
	}
}
