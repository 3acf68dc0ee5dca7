package project

import (
	"fmt"
	"os"
	"path"

	"github.com/compose-spec/compose-go/v2/types"
)

// FileObjectContent reads a secret's or config's content from where the file says it
// is: a file, a variable of the project's environment, or inline content.
func FileObjectContent(p *types.Project, obj types.FileObjectConfig) ([]byte, error) {
	switch {
	case obj.File != "":
		return os.ReadFile(obj.File)
	case obj.Environment != "":
		v, set := p.Environment[obj.Environment]
		if !set {
			return nil, fmt.Errorf("environment variable %s is not set", obj.Environment)
		}
		return []byte(v), nil
	default:
		return []byte(obj.Content), nil
	}
}

// FileTarget is where a service sees a secret (kind "secret") or config: secrets
// under /run/secrets unless the target is absolute, configs at /<source> by default.
func FileTarget(kind string, ref types.FileReferenceConfig) string {
	target := ref.Target
	switch {
	case kind == "secret" && target == "":
		return "/run/secrets/" + ref.Source
	case kind == "secret" && !path.IsAbs(target):
		return "/run/secrets/" + target
	case kind == "config" && target == "":
		return "/" + ref.Source
	}
	return target
}

// FileMode is the mode of a secret or config file: 0444 unless the file says.
func FileMode(ref types.FileReferenceConfig) os.FileMode {
	if ref.Mode != nil {
		return os.FileMode(*ref.Mode)
	}
	return 0o444
}
