package compose

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/internal/fscopy"
	"berth.dev/berth/project"
)

// CpOptions are the arguments of `cp`: one side is SERVICE:PATH.
type CpOptions struct {
	Src, Dst string
	Index    int
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
	c, err := e.replica(ctx, p, service, o.Index)
	if err != nil {
		return err
	}
	root, release, err := e.Runtime.FilesRoot(ctx, c.ID)
	if err != nil {
		return err
	}
	defer release()
	// The container's path is resolved inside its root: its symlinks must not lead
	// out, in either direction. -L follows a link on the host's side only.
	if dstIn {
		src := o.Src
		if o.FollowLink {
			if src, err = filepath.EvalSymlinks(src); err != nil {
				return err
			}
		}
		return fscopy.CopyIn(src, root, inner, o.Archive)
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
