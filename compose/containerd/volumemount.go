package containerd

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/sys/mountinfo"
	"golang.org/x/sys/unix"

	"berth.dev/berth/internal/statefile"
)

// mountFlags are the mount options of driver_opts' o that are flags, not data.
var mountFlags = map[string]uintptr{
	"ro": unix.MS_RDONLY, "rw": 0, "bind": unix.MS_BIND, "rbind": unix.MS_BIND | unix.MS_REC,
	"nosuid": unix.MS_NOSUID, "nodev": unix.MS_NODEV, "noexec": unix.MS_NOEXEC,
	"noatime": unix.MS_NOATIME, "relatime": unix.MS_RELATIME, "sync": unix.MS_SYNCHRONOUS,
}

// mountVolumes mounts, as Docker's local driver does when a container first uses
// the volume, what the driver_opts of each volume name: type, o and device.
func (r *Runtime) mountVolumes(names map[string]string) error {
	for _, name := range names {
		var rec volumeRecord
		if err := statefile.ReadJSON(filepath.Join(r.volumeDir(name), "volume.json"), &rec); err != nil || len(rec.DriverOpts) == 0 {
			continue
		}
		data := r.volumeData(name)
		mounted, err := mountinfo.Mounted(data)
		if err != nil {
			return fmt.Errorf("volume %s: %w", name, err)
		}
		if mounted {
			continue
		}
		if err := mountDriverOpts(rec.DriverOpts, data); err != nil {
			return fmt.Errorf("volume %s: driver_opts: %w", name, err)
		}
	}
	return nil
}

func mountDriverOpts(o map[string]string, target string) error {
	var flags uintptr
	var data []string
	for _, opt := range strings.Split(o["o"], ",") {
		if opt == "" {
			continue
		}
		if f, ok := mountFlags[opt]; ok {
			flags |= f
		} else {
			data = append(data, opt)
		}
	}
	device, fstype := o["device"], o["type"]
	if device == "" {
		device = fstype // tmpfs and the like need none
	}
	if err := unix.Mount(device, target, fstype, flags, strings.Join(data, ",")); err != nil {
		return fmt.Errorf("mount %s (type %s, o %q) on %s: %w", device, fstype, o["o"], target, err)
	}
	return nil
}

// unmountVolume undoes mountDriverOpts, if the volume is mounted.
func unmountVolume(data string) error {
	mounted, err := mountinfo.Mounted(data)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil || !mounted {
		return err
	}
	return unix.Unmount(data, unix.MNT_DETACH)
}
