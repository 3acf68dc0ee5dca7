package builder

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"time"

	"berth.dev/berth/internal/filelock"
)

// buildLock serialises berth's builds on this host. buildah, stopped by a signal
// while it sets up a step, leaves that step's working container in its store and
// names it nowhere; with one build at a time, the containers that appeared during a
// failed build are its own and can be removed.
const buildLock = "/run/berth/build.lock"

// lockBuilds waits for the host's build lock, or for ctx to end.
func lockBuilds(ctx context.Context) (func(), error) {
	return filelock.Acquire(ctx, buildLock)
}

// workingContainers lists the IDs of the working containers in buildah's store.
func (b *Buildah) workingContainers(ctx context.Context) ([]string, error) {
	out, err := exec.CommandContext(ctx, b.Path, "containers", "--quiet", "--notruncate").Output()
	if err != nil {
		return nil, fmt.Errorf("list buildah's working containers: %w", err)
	}
	return strings.Fields(string(out)), nil
}

// removeWorkingContainers removes those that are not in before: what a failed
// build left. It runs to its end even when the build was cancelled, within a bound.
func (b *Buildah) removeWorkingContainers(before []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	now, err := b.workingContainers(ctx)
	if err != nil {
		return
	}
	for _, id := range now {
		if !slices.Contains(before, id) {
			_ = exec.CommandContext(ctx, b.Path, "rm", id).Run()
		}
	}
}
