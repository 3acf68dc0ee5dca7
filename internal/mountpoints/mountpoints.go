// Package mountpoints lists the mount points under a directory, from the kernel's
// mountinfo read by moby's library (which undoes its escapes).
package mountpoints

import (
	"path/filepath"
	"slices"

	"github.com/moby/sys/mountinfo"
)

// Under lists the mount points below dir (not dir itself), sorted; none for "".
func Under(dir string) ([]string, error) {
	if dir == "" {
		return nil, nil
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	mounts, err := mountinfo.GetMounts(mountinfo.PrefixFilter(abs))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range mounts {
		if m.Mountpoint != abs {
			out = append(out, m.Mountpoint)
		}
	}
	slices.Sort(out)
	return out, nil
}
