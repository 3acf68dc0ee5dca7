package compose

import (
	"context"
	"fmt"
	"strings"

	"berth.dev/berth/internal/format"
	"berth.dev/berth/internal/names"
)

// `berth volume …`: volumes outside projects.

// VolumeCreate makes a volume that belongs to no project.
func (e *Engine) VolumeCreate(ctx context.Context, v Volume) error {
	if err := names.Check(names.Volume, v.Name); err != nil {
		return err
	}
	v.Project = ""
	if err := e.Runtime.EnsureVolume(ctx, v); err != nil {
		return err
	}
	fmt.Fprintln(e.Out, v.Name)
	return nil
}

// VolumeRm removes volumes with their data; one mounted by a container is refused.
func (e *Engine) VolumeRm(ctx context.Context, volumes []string, force bool) error {
	if err := checkNames(names.Volume, volumes); err != nil {
		return err
	}
	for _, name := range volumes {
		if users, err := e.volumeUsers(ctx, name); err != nil {
			return err
		} else if len(users) > 0 && !force {
			return fmt.Errorf("volume %q is in use by %s", name, strings.Join(users, ", "))
		}
		if err := e.Runtime.RemoveVolume(ctx, name); err != nil {
			return fmt.Errorf("volume %q: %w", name, err)
		}
		fmt.Fprintln(e.Out, name)
	}
	return nil
}

// volumeUsers names the containers whose labels say they mount the volume.
func (e *Engine) volumeUsers(ctx context.Context, name string) ([]string, error) {
	cs, err := e.Runtime.Containers(ctx, "")
	if err != nil {
		return nil, err
	}
	var users []string
	for _, c := range cs {
		for _, v := range strings.Split(c.Labels[LabelVolumes], ",") {
			if v == name {
				users = append(users, c.Name)
			}
		}
	}
	return users, nil
}

// LabelVolumes lists the named volumes a container mounts, comma-separated.
const LabelVolumes = "berth.volumes"

// LabelAnonymousVolumes lists the anonymous volumes made for a container, which
// rm -v removes with it.
const LabelAnonymousVolumes = "berth.anonymous-volumes"

// VolumeLs lists every volume berth made.
func (e *Engine) VolumeLs(ctx context.Context) ([]format.VolumeRow, error) {
	vols, err := e.Runtime.Volumes(ctx, "")
	if err != nil {
		return nil, err
	}
	return volumeRows(vols), nil
}

// VolumeInspect describes the volumes.
func (e *Engine) VolumeInspect(ctx context.Context, volumes []string) ([]format.VolumeRow, error) {
	if err := checkNames(names.Volume, volumes); err != nil {
		return nil, err
	}
	vols, err := e.Runtime.Volumes(ctx, "")
	if err != nil {
		return nil, err
	}
	var out []Volume
	for _, name := range volumes {
		found := false
		for _, v := range vols {
			if v.Name == name {
				out, found = append(out, v), true
			}
		}
		if !found {
			return nil, fmt.Errorf("volume %q: %w", name, ErrNotFound)
		}
	}
	return volumeRows(out), nil
}

func volumeRows(vols []Volume) []format.VolumeRow {
	rows := make([]format.VolumeRow, 0, len(vols))
	for _, v := range vols {
		rows = append(rows, format.VolumeRow{Name: v.Name, Driver: "local", Mountpoint: v.Mountpoint,
			Created: v.Created, Labels: nonNil(v.Labels), Project: v.Project})
	}
	return rows
}
