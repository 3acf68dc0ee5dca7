package project

import (
	"fmt"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/containerd/platforms"
)

// checkPullPolicy accepts docker compose's pull policies, the refresh ones included.
func checkPullPolicy(s types.ServiceConfig) error {
	policy, every, err := s.GetPullPolicy()
	switch {
	case err != nil:
		return fmt.Errorf("field \"pull_policy\": %q: use always, missing, never, build, daily, weekly or every_<duration>", s.PullPolicy)
	case policy == types.PullPolicyBuild && s.Build == nil:
		return fmt.Errorf("field \"pull_policy\": build needs a build: section")
	case policy == types.PullPolicyRefresh && every <= 0:
		return fmt.Errorf("field \"pull_policy\": %q: refresh with pull_refresh_after is not supported yet: use daily, weekly or every_<duration>", s.PullPolicy)
	}
	return nil
}

// checkPlatform refuses a platform this host cannot run: berth runs containers
// natively, with no emulation. The platforms library parses and normalises docker's
// platform strings ("linux/x86_64" is linux/amd64). wasi/wasm runs on a wasm
// runtime's shim, which the service must name.
func checkPlatform(platform, runtime string) error {
	if platform == "" {
		return nil
	}
	p, err := platforms.Parse(platform)
	if err != nil {
		return fmt.Errorf("field \"platform\": %w", err)
	}
	if p.OS == "wasi" || p.Architecture == "wasm" {
		if !IsWasmRuntime(runtime) {
			return fmt.Errorf("field \"platform\": %q needs a wasm runtime in field \"runtime\": %s", platform, strings.Join(wasmRuntimeExamples, ", "))
		}
		return nil
	}
	if err := hostPlatform(platform); err != nil {
		return fmt.Errorf("field \"platform\": %w", err)
	}
	return nil
}

func hostPlatform(platform string) error {
	if platform == "" {
		return nil
	}
	p, err := platforms.Parse(platform)
	if err != nil {
		return err
	}
	if !platforms.Default().Match(p) {
		return fmt.Errorf("%q: this host runs %s only", platform, platforms.Format(platforms.DefaultSpec()))
	}
	return nil
}

// EnvDefaultPlatform is Docker's variable for the platform of the services that
// name none, read from the project's environment (the shell or .env).
const EnvDefaultPlatform = "DOCKER_DEFAULT_PLATFORM"

// Platform is the platform a service's image is pulled and built for: its
// platform:, else DOCKER_DEFAULT_PLATFORM, else "" (the host's). The service's
// config is left as the file wrote it, so that the variable recreates nothing.
func Platform(p *types.Project, s types.ServiceConfig) string {
	if s.Platform != "" {
		return s.Platform
	}
	return p.Environment[EnvDefaultPlatform]
}

// checkDefaultPlatform refuses a DOCKER_DEFAULT_PLATFORM this host cannot run, when
// a service would take it.
func checkDefaultPlatform(p *types.Project) error {
	def := p.Environment[EnvDefaultPlatform]
	if def == "" {
		return nil
	}
	for _, s := range p.Services {
		if s.Platform == "" {
			if err := hostPlatform(def); err != nil {
				return fmt.Errorf("%w: %s: service %q: %s (the platform of services without platform:): %w", ErrInvalid, FileNames(p), s.Name, EnvDefaultPlatform, err)
			}
		}
	}
	return nil
}
