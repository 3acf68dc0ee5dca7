package compose

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"berth.dev/berth/internal/names"
	"berth.dev/berth/project"
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
func (e *Engine) VolumeLs(ctx context.Context, format string, quiet bool) error {
	vols, err := e.Runtime.Volumes(ctx, "")
	if err != nil {
		return err
	}
	return e.printVolumes(vols, format, quiet)
}

func (e *Engine) printVolumes(vols []Volume, format string, quiet bool) error {
	switch {
	case quiet:
		for _, v := range vols {
			fmt.Fprintln(e.Out, v.Name)
		}
		return nil
	case format == "json":
		enc := json.NewEncoder(e.Out)
		for _, v := range vols {
			if err := enc.Encode(volumeJSON(v)); err != nil {
				return err
			}
		}
		return nil
	case format != "" && format != "table":
		return fmt.Errorf("%w: unknown format %q: use table or json", project.ErrInvalid, format)
	}
	tw := tabwriter.NewWriter(e.Out, 0, 4, 3, ' ', 0)
	fmt.Fprintln(tw, "DRIVER\tVOLUME NAME\tPROJECT")
	for _, v := range vols {
		fmt.Fprintf(tw, "local\t%s\t%s\n", v.Name, v.Project)
	}
	return tw.Flush()
}

// VolumeInspect prints volumes as a JSON array.
func (e *Engine) VolumeInspect(ctx context.Context, volumes []string) error {
	if err := checkNames(names.Volume, volumes); err != nil {
		return err
	}
	vols, err := e.Runtime.Volumes(ctx, "")
	if err != nil {
		return err
	}
	var out []map[string]any
	for _, name := range volumes {
		found := false
		for _, v := range vols {
			if v.Name == name {
				out, found = append(out, volumeJSON(v)), true
			}
		}
		if !found {
			return fmt.Errorf("volume %q: %w", name, ErrNotFound)
		}
	}
	return writeJSONArray(e, out)
}

func volumeJSON(v Volume) map[string]any {
	return map[string]any{"Name": v.Name, "Driver": "local", "Mountpoint": v.Mountpoint, "Created": v.Created, "Labels": nonNil(v.Labels)}
}
