package containerd

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/compose-spec/compose-go/v2/types"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"berth.dev/berth/project"
)

// fileMounts gives the container its secrets and configs: each one written into the
// container's own state directory from its source (a file, a variable of the
// project's environment, or inline content), with the owner and mode asked for, and
// bind-mounted read-only at its target, as docker compose does outside swarm.
func fileMounts(p *types.Project, s types.ServiceConfig, dir string) ([]specs.Mount, error) {
	var mounts []specs.Mount
	add := func(kind string, i int, ref types.FileReferenceConfig, obj types.FileObjectConfig, ok bool) error {
		if !ok {
			return fmt.Errorf("service %q: %s %q is not declared in the project", s.Name, kind, ref.Source)
		}
		content, err := project.FileObjectContent(p, obj)
		if err != nil {
			return fmt.Errorf("service %q: %s %q: %w", s.Name, kind, ref.Source, err)
		}
		target := project.FileTarget(kind, ref)
		mode := project.FileMode(ref)
		uid, err := idOrZero(ref.UID)
		if err != nil {
			return fmt.Errorf("service %q: %s %q: uid: %w", s.Name, kind, ref.Source, err)
		}
		gid, err := idOrZero(ref.GID)
		if err != nil {
			return fmt.Errorf("service %q: %s %q: gid: %w", s.Name, kind, ref.Source, err)
		}
		host := filepath.Join(dir, kind+"s", fmt.Sprintf("%d-%s", i, filepath.Base(ref.Source)))
		if err := os.MkdirAll(filepath.Dir(host), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(host, content, 0o600); err != nil {
			return err
		}
		if err := os.Chown(host, uid, gid); err != nil {
			return err
		}
		if err := os.Chmod(host, mode); err != nil {
			return err
		}
		mounts = append(mounts, specs.Mount{Destination: target, Type: "bind", Source: host, Options: []string{"rbind", "rprivate", "ro"}})
		return nil
	}
	for i, ref := range s.Secrets {
		obj, ok := p.Secrets[ref.Source]
		if err := add("secret", i, types.FileReferenceConfig(ref), types.FileObjectConfig(obj), ok); err != nil {
			return nil, err
		}
	}
	for i, ref := range s.Configs {
		obj, ok := p.Configs[ref.Source]
		if err := add("config", i, types.FileReferenceConfig(ref), types.FileObjectConfig(obj), ok); err != nil {
			return nil, err
		}
	}
	return mounts, nil
}

func idOrZero(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.Atoi(s)
}
