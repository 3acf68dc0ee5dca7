// Package imagechange applies Dockerfile instructions to an image's config, as
// `docker commit --change` does: CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER,
// WORKDIR, VOLUME and STOPSIGNAL, the instructions that change the config and not
// the files.
package imagechange

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/mattn/go-shellwords"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// ErrInvalid is a change berth cannot read or apply.
var ErrInvalid = errors.New("invalid change")

// Apply applies each change, in order, to config.
func Apply(config *ocispec.ImageConfig, changes []string) error {
	for _, change := range changes {
		if err := apply(config, change); err != nil {
			return fmt.Errorf("%w: %q: %w", ErrInvalid, change, err)
		}
	}
	return nil
}

func apply(c *ocispec.ImageConfig, change string) error {
	instr, rest, _ := strings.Cut(strings.TrimSpace(change), " ")
	rest = strings.TrimSpace(rest)
	if rest == "" {
		return errors.New("no arguments")
	}
	switch strings.ToUpper(instr) {
	case "CMD":
		c.Cmd = command(rest)
	case "ENTRYPOINT":
		c.Entrypoint = command(rest)
	case "USER":
		c.User = rest
	case "WORKDIR":
		c.WorkingDir = rest
	case "STOPSIGNAL":
		c.StopSignal = rest
	case "ENV":
		pairs, err := keyValues(rest)
		if err != nil {
			return err
		}
		for _, kv := range pairs {
			c.Env = setEnv(c.Env, kv[0], kv[1])
		}
	case "LABEL":
		pairs, err := keyValues(rest)
		if err != nil {
			return err
		}
		if c.Labels == nil {
			c.Labels = map[string]string{}
		}
		for _, kv := range pairs {
			c.Labels[kv[0]] = kv[1]
		}
	case "EXPOSE":
		if c.ExposedPorts == nil {
			c.ExposedPorts = map[string]struct{}{}
		}
		for _, port := range strings.Fields(rest) {
			if !strings.Contains(port, "/") {
				port += "/tcp"
			}
			c.ExposedPorts[port] = struct{}{}
		}
	case "VOLUME":
		paths := jsonList(rest)
		if paths == nil {
			paths = strings.Fields(rest)
		}
		if c.Volumes == nil {
			c.Volumes = map[string]struct{}{}
		}
		for _, p := range paths {
			c.Volumes[p] = struct{}{}
		}
	default:
		return fmt.Errorf("%s is not an instruction commit can apply (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME, STOPSIGNAL)", instr)
	}
	return nil
}

// command reads the exec form (["a","b"]) or the shell form, which runs under
// /bin/sh -c as in a Dockerfile.
func command(s string) []string {
	if list := jsonList(s); list != nil {
		return list
	}
	return []string{"/bin/sh", "-c", s}
}

func jsonList(s string) []string {
	if !strings.HasPrefix(s, "[") {
		return nil
	}
	var list []string
	if json.Unmarshal([]byte(s), &list) != nil {
		return nil
	}
	return list
}

// keyValues reads ENV and LABEL arguments: K=V pairs, quoted as the shell quotes,
// or the old form "K V" (one pair, the value the rest of the line).
func keyValues(s string) ([][2]string, error) {
	words, err := shellwords.Parse(s)
	if err != nil {
		return nil, err
	}
	if len(words) > 0 && !strings.Contains(words[0], "=") {
		key, value, _ := strings.Cut(s, " ")
		return [][2]string{{key, strings.TrimSpace(value)}}, nil
	}
	var out [][2]string
	for _, w := range words {
		k, v, ok := strings.Cut(w, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q is not KEY=VALUE", w)
		}
		out = append(out, [2]string{k, v})
	}
	return out, nil
}

func setEnv(env []string, key, value string) []string {
	for i, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			env[i] = key + "=" + value
			return env
		}
	}
	return append(env, key+"="+value)
}
