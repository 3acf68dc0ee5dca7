package containerd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	securejoin "github.com/cyphar/filepath-securejoin"

	"berth.dev/berth/compose"
	"berth.dev/berth/internal/fscopy"
	"berth.dev/berth/internal/names"
	"berth.dev/berth/internal/statefile"
)

// A named volume is a directory in the state dir: volumes/<name>/_data, with its
// record beside it in volume.json.
type volumeRecord struct {
	Name    string            `json:"name"`
	Project string            `json:"project,omitempty"`
	Key     string            `json:"key,omitempty"`
	Labels  map[string]string `json:"labels,omitempty"`
	// DriverOpts of the local driver (type, o, device): what is mounted on _data
	// when a container first uses the volume.
	DriverOpts map[string]string `json:"driver_opts,omitempty"`
	Created    time.Time         `json:"created"`
	// Filled: a container has mounted it, so the image's content was copied in, or
	// there was none. Docker fills a volume once, when it is new.
	Filled bool `json:"filled,omitempty"`
}

func (r *Runtime) volumeDir(name string) string {
	return filepath.Join(r.volumesDir(), name)
}

func (r *Runtime) volumesDir() string { return filepath.Join(r.o.StateDir, "volumes") }

// volumesMode keeps every host user but root out of the volumes: their data is the
// containers', at predictable paths, and may hold what a container meant for itself
// alone (a setuid binary, a database's files; moby's CVE-2021-41091). Docker keeps
// its volumes under a directory only root can enter likewise. Containers are not
// hindered: runc mounts the volume as root, and a container's user sees the mount.
const volumesMode = 0o700

// privateVolumesDir makes the volumes' directory, and closes one a berth before
// this rule left open.
func (r *Runtime) privateVolumesDir() error {
	dir := r.volumesDir()
	if err := os.MkdirAll(dir, volumesMode); err != nil {
		return err
	}
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if st.Mode().Perm() != volumesMode {
		return os.Chmod(dir, volumesMode)
	}
	return nil
}

func (r *Runtime) volumeData(name string) string {
	return filepath.Join(r.volumeDir(name), "_data")
}

// Volumes lists the project's volumes, or all with project "".
func (r *Runtime) Volumes(ctx context.Context, project string) ([]compose.Volume, error) {
	entries, err := os.ReadDir(r.volumesDir())
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []compose.Volume
	for _, e := range entries {
		var v volumeRecord
		if err := statefile.ReadJSON(filepath.Join(r.volumeDir(e.Name()), "volume.json"), &v); err != nil || (project != "" && v.Project != project) {
			continue // being created or removed, or another project's
		}
		out = append(out, compose.Volume{Name: v.Name, Project: v.Project, Key: v.Key, Labels: v.Labels,
			Mountpoint: r.volumeData(v.Name), Created: v.Created})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// EnsureVolume makes the volume's directory and record unless they exist.
func (r *Runtime) EnsureVolume(ctx context.Context, v compose.Volume) error {
	if err := names.Check(names.Volume, v.Name); err != nil {
		return err
	}
	if err := r.privateVolumesDir(); err != nil {
		return err
	}
	rec := filepath.Join(r.volumeDir(v.Name), "volume.json")
	if _, err := os.Stat(rec); err == nil {
		return nil
	}
	if err := os.MkdirAll(r.volumeData(v.Name), 0o755); err != nil {
		return err
	}
	return statefile.WriteJSON(rec, volumeRecord{Name: v.Name, Project: v.Project, Key: v.Key, Labels: v.Labels, DriverOpts: v.DriverOpts, Created: time.Now().UTC()}, 0o644)
}

// RemoveVolume deletes the volume with its data.
func (r *Runtime) RemoveVolume(ctx context.Context, name string) error {
	if err := names.Check(names.Volume, name); err != nil {
		return err
	}
	dir := r.volumeDir(name)
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return compose.ErrNotFound
	}
	// What the local driver mounted goes first: removing the data must never reach
	// into a bound host directory.
	if err := unmountVolume(r.volumeData(name)); err != nil {
		return fmt.Errorf("volume %s: %w", name, err)
	}
	// Remove the record first: a half-removed volume is then no longer listed.
	if err := os.Remove(filepath.Join(dir, "volume.json")); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return os.RemoveAll(dir)
}

// fillVolumes copies, as Docker does, what the container's image holds at each
// volume's mount point into the volume, when the volume is new and the mount does not
// say nocopy: then its owner and
// files are those the image meant, a database's data directory for one.
func (r *Runtime) fillVolumes(ctx context.Context, id string, s types.ServiceConfig, volumes map[string]string) error {
	type fill struct {
		target, name string
		rec          volumeRecord
		nocopy       bool // volume.nocopy: the volume stays as it is
	}
	var todo []fill
	for _, v := range s.Volumes {
		name, ok := volumes[v.Source]
		if v.Type != types.VolumeTypeVolume || !ok {
			continue
		}
		nocopy := v.Volume != nil && v.Volume.NoCopy
		if v.Volume != nil && v.Volume.Subpath != "" {
			continue // a part of the volume: the image's content is not copied into it
		}
		var rec volumeRecord
		recFile := filepath.Join(r.volumeDir(name), "volume.json")
		if err := statefile.ReadJSON(recFile, &rec); err != nil || rec.Filled {
			continue
		}
		todo = append(todo, fill{v.Target, name, rec, nocopy})
	}
	if len(todo) == 0 {
		return nil
	}
	root, release, err := r.FilesRoot(ctx, id)
	if err != nil {
		return err
	}
	defer release()
	for _, f := range todo {
		src, err := securejoin.SecureJoin(root, f.target)
		if err != nil {
			return err
		}
		if st, err := os.Stat(src); err == nil && st.IsDir() && !f.nocopy {
			// A fill a killed berth began is begun again: what it copied is not the
			// user's data, and would otherwise keep the volume half-filled for good.
			filling := filepath.Join(r.volumeDir(f.name), "filling")
			if _, err := os.Stat(filling); err == nil {
				if err := emptyDir(r.volumeData(f.name)); err != nil {
					return fmt.Errorf("volume %q: undo an interrupted fill: %w", f.name, err)
				}
			}
			if entries, _ := os.ReadDir(r.volumeData(f.name)); len(entries) == 0 {
				if err := statefile.Write(filling, nil, 0o600); err != nil {
					return err
				}
				if err := fscopy.CopyKeepingOwners(src+"/.", r.volumeData(f.name)); err != nil {
					return fmt.Errorf("volume %q: fill from the image at %s: %w", f.name, f.target, err)
				}
				// The volume's root takes the owner and mode of the image's directory.
				if sys, ok := st.Sys().(*syscall.Stat_t); ok {
					_ = os.Chown(r.volumeData(f.name), int(sys.Uid), int(sys.Gid))
				}
				_ = os.Chmod(r.volumeData(f.name), st.Mode()&(os.ModePerm|os.ModeSticky|os.ModeSetuid|os.ModeSetgid))
			}
		}
		f.rec.Filled = true
		if err := statefile.WriteJSON(filepath.Join(r.volumeDir(f.name), "volume.json"), f.rec, 0o644); err != nil {
			return err
		}
		if err := statefile.Remove(filepath.Join(r.volumeDir(f.name), "filling")); err != nil {
			return err
		}
	}
	return nil
}

// emptyDir removes what dir holds, keeping dir (a volume's data, perhaps mounted).
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}
