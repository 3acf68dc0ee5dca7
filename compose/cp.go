package compose

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/internal/fscopy"
	"berth.dev/berth/project"
)

// CpOptions are the arguments of `cp`: one side is SERVICE:PATH.
type CpOptions struct {
	Src, Dst string
	Index    int
	// All also copies into the service's one-off (run) containers.
	All bool
	// Archive keeps the files' owners (-a); FollowLink copies what a host source
	// that is a symbolic link points to, not the link (-L).
	Archive    bool
	FollowLink bool
}

// Cp copies files between a service's container and the host, as `docker compose
// cp` does.
func (e *Engine) Cp(ctx context.Context, p *types.Project, o CpOptions) error {
	srcService, srcPath, srcIn := splitServicePath(p, o.Src)
	dstService, dstPath, dstIn := splitServicePath(p, o.Dst)
	switch {
	case o.Src == "-" || o.Dst == "-":
		return fmt.Errorf("%w: cp: tar streams (\"-\") are not supported yet", project.ErrInvalid)
	case srcIn == dstIn:
		return fmt.Errorf("%w: cp: exactly one of source and destination must be SERVICE:PATH", project.ErrInvalid)
	}
	service, inner := srcService, srcPath
	if dstIn {
		service, inner = dstService, dstPath
	}
	if !strings.HasPrefix(inner, "/") {
		return fmt.Errorf("%w: cp: the path in the container must be absolute: %s", project.ErrInvalid, inner)
	}
	targets, err := e.cpTargets(ctx, p, service, o, dstIn)
	if err != nil {
		return err
	}
	src := o.Src
	if dstIn && o.FollowLink {
		if src, err = filepath.EvalSymlinks(src); err != nil {
			return err
		}
	}
	for _, c := range targets {
		if err := e.cpOne(ctx, c, src, inner, o, dstIn); err != nil {
			return fmt.Errorf("cp: %s: %w", c.Name, err)
		}
	}
	return nil
}

// cpTargets are the containers a copy reaches, as docker compose picks them: the
// replica --index names; else, copying in, every replica of the service (and with
// --all its one-off containers too); copying out, the first of those.
func (e *Engine) cpTargets(ctx context.Context, p *types.Project, service string, o CpOptions, into bool) ([]Container, error) {
	if o.Index > 0 {
		c, err := e.replica(ctx, p, service, o.Index)
		return []Container{c}, err
	}
	if err := checkServices(p, []string{service}); err != nil {
		return nil, err
	}
	cs, err := e.Runtime.Containers(ctx, p.Name)
	if err != nil {
		return nil, err
	}
	var targets []Container
	for _, c := range serviceContainers(cs, []string{service}) {
		if !c.OneOff || o.All {
			targets = append(targets, c)
		}
	}
	// Replicas before one-offs: copying out reads the first replica when there is one.
	slices.SortStableFunc(targets, func(a, b Container) int {
		switch {
		case a.OneOff == b.OneOff:
			return 0
		case b.OneOff:
			return -1
		}
		return 1
	})
	if len(targets) == 0 {
		return nil, fmt.Errorf("service %q has no container: %w", service, ErrNotFound)
	}
	if !into {
		targets = targets[:1]
	}
	return targets, nil
}

// cpOne copies between the host and one container. The container's path is
// resolved inside its root: its symlinks must not lead out, in either direction.
func (e *Engine) cpOne(ctx context.Context, c Container, hostPath, inner string, o CpOptions, into bool) error {
	root, release, err := e.Runtime.FilesRoot(ctx, c.ID)
	if err != nil {
		return err
	}
	defer release()
	if into {
		return fscopy.CopyIn(hostPath, root, inner, o.Archive)
	}
	return fscopy.CopyOut(root, inner, o.Dst, o.Archive)
}

// splitServicePath reads SERVICE:PATH; a host path (even one with a colon) is
// anything whose part before the colon is not a service of the project.
func splitServicePath(p *types.Project, arg string) (string, string, bool) {
	service, path, ok := strings.Cut(arg, ":")
	if !ok {
		return "", arg, false
	}
	if _, known := p.Services[service]; !known {
		return "", arg, false
	}
	return service, path, true
}
