package containerd

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"berth.dev/berth/internal/statefile"
)

// A creating record marks a container berth is making: written before anything of
// it exists beside containerd (its network namespace, copied files and secrets, log
// options, the shm of a shareable IPC namespace), removed once Create has finished,
// made or undone. A berth killed in between leaves the record; the project's next
// lock, under which no create of the project runs, undoes each such container that
// containerd does not have (see sweep).
func (r *Runtime) creatingFile(projectName, id string) string {
	return filepath.Join(r.o.StateDir, "creating", projectName, id)
}

func (r *Runtime) markCreating(projectName, id string) error {
	if err := statefile.Write(r.creatingFile(projectName, id), nil, 0o600); err != nil {
		return fmt.Errorf("container %s: %w", id, err)
	}
	return nil
}

func (r *Runtime) unmarkCreating(projectName, id string) error {
	return statefile.Remove(r.creatingFile(projectName, id))
}

// creating lists the IDs of the project's containers whose create did not finish.
func (r *Runtime) creating(projectName string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Dir(r.creatingFile(projectName, "x")))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, e := range entries {
		if e.Type().IsRegular() && e.Name()[0] != '.' {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}

// sweepCreating undoes the creates a killed berth left half-way: the container's
// files go with cleanup unless containerd has the container (the create had got to
// its end), and the record goes either way.
func (r *Runtime) sweepCreating(ctx context.Context, projectName string, have map[string]bool) error {
	ids, err := r.creating(projectName)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !have[id] {
			if err := r.cleanup(ctx, id, nil); err != nil {
				return fmt.Errorf("clean up after an interrupted create: %w", err)
			}
		}
		if err := r.unmarkCreating(projectName, id); err != nil {
			return err
		}
	}
	return nil
}
