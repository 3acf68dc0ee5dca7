// Package project loads a compose project with compose-go and answers the questions
// every verb asks of it: which services, in what order, under which names and labels,
// and whether berth can run what the file asks for.
package project

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
)

// Options are docker compose's global flags that shape loading.
type Options struct {
	Files      []string // -f, repeatable; empty = COMPOSE_FILE or default discovery
	Name       string   // -p; empty = COMPOSE_PROJECT_NAME, the file's name:, or the directory
	WorkingDir string   // --project-directory
	EnvFiles   []string // --env-file
	Profiles   []string // --profile; empty = COMPOSE_PROFILES
	// Services limits the project to these services and their dependencies.
	Services []string
	// For `config`: print any valid file, also one berth cannot run, as loaded.
	SkipSupportCheck bool
	// AllowRefused loads a file with fields berth refuses, for the verbs that make
	// nothing (down, ps, logs, stop, rm …): a user can always clean up.
	AllowRefused  bool
	NoInterpolate bool
	NoNormalize   bool
	// config's --no-path-resolution, --no-consistency and --no-env-resolution.
	NoPathResolution bool
	NoConsistency    bool
	NoEnvResolution  bool
	// Compatibility is --compatibility: docker compose v1's container names.
	Compatibility bool
	// Warn gets a line for each field berth accepts but ignores; nil: standard error.
	Warn func(string)
	// Remote reads files that are not paths of this host (-f oci://…).
	Remote []loader.ResourceLoader
}

// Load reads, interpolates, merges and normalises the project, then checks that berth
// can run it. Every error names the file it comes from.
func Load(ctx context.Context, o Options) (*types.Project, error) {
	opts, err := projectOptions(o)
	if err != nil {
		return nil, err
	}
	p, err := opts.LoadProject(ctx)
	if err != nil {
		msg := oneLine(err.Error())
		if !mentionsAny(msg, opts.ConfigPaths) {
			msg = strings.Join(opts.ConfigPaths, ",") + ": " + msg
		}
		return nil, fmt.Errorf("%w: %s", ErrInvalid, msg)
	}
	if len(o.Services) > 0 {
		for _, s := range o.Services {
			if _, err := p.GetService(s); err != nil {
				return nil, fmt.Errorf("%w: no such service: %s", ErrInvalid, s)
			}
		}
		if p, err = p.WithSelectedServices(o.Services); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
	}
	if o.Compatibility {
		p.Environment[EnvCompatibility] = "true"
	}
	if o.SkipSupportCheck {
		return p, nil
	}
	if _, err := NewGraph(p); err != nil {
		return nil, err
	}
	applyDeployRestart(p)
	applyBridgeMode(p)
	ignored, err := CheckSupported(p)
	if err == nil {
		err = checkDefaultPlatform(p)
	}
	if err != nil && !o.AllowRefused {
		return nil, err
	}
	if err := checkNames(p); err != nil {
		return nil, err
	}
	warn := o.Warn
	if warn == nil {
		warn = func(line string) { fmt.Fprintln(os.Stderr, "WARN[0000] "+line) }
	}
	for _, line := range ignored {
		warn(line)
	}
	nameBuiltImages(p)
	return p, nil
}

// projectOptions are compose-go's options for the files and flags o names.
func projectOptions(o Options) (*cli.ProjectOptions, error) {
	fns := []cli.ProjectOptionsFn{
		cli.WithWorkingDirectory(o.WorkingDir),
		cli.WithOsEnv,
		// As docker compose: the .env of the working directory first, so that its
		// COMPOSE_FILE, COMPOSE_PATH_SEPARATOR and COMPOSE_PROFILES choose the files;
		// then the .env of the project directory the files were found in. The
		// variables of the first one read win.
		cli.WithEnvFiles(o.EnvFiles...),
		cli.WithDotEnv,
		cli.WithConfigFileEnv,
		cli.WithDefaultConfigPath,
		cli.WithEnvFiles(o.EnvFiles...),
		cli.WithDotEnv,
		cli.WithName(o.Name),
		cli.WithDefaultProfiles(o.Profiles...),
		cli.WithResolvedPaths(!o.NoPathResolution),
		cli.WithInterpolation(!o.NoInterpolate),
		cli.WithNormalization(!o.NoNormalize),
		cli.WithConsistency(!o.NoConsistency),
	}
	if o.NoEnvResolution {
		fns = append(fns, cli.WithoutEnvironmentResolution)
	}
	for _, r := range o.Remote {
		fns = append(fns, cli.WithResourceLoader(r))
	}
	opts, err := cli.NewProjectOptions(o.Files, fns...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if len(opts.ConfigPaths) == 0 {
		wd, _ := os.Getwd()
		if o.WorkingDir != "" {
			wd = o.WorkingDir
		}
		return nil, fmt.Errorf("%w: no configuration file provided: not found in %s or its parents", ErrInvalid, wd)
	}
	return opts, nil
}

// Variables are the variables the files use, with their defaults, read before
// interpolation: config --variables.
func Variables(ctx context.Context, o Options) (map[string]template.Variable, error) {
	o.NoInterpolate, o.NoEnvResolution = true, true
	opts, err := projectOptions(o)
	if err != nil {
		return nil, err
	}
	model, err := opts.LoadModel(ctx)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalid, oneLine(err.Error()))
	}
	return template.ExtractVariables(model, template.DefaultPattern), nil
}

// FileNames is how errors name the project's files: the files as given, joined.
func FileNames(p *types.Project) string {
	if len(p.ComposeFiles) == 0 {
		return "compose file"
	}
	return strings.Join(p.ComposeFiles, ",")
}

// oneLine folds a multi-line loader error into the one line the CLI prints.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func mentionsAny(msg string, paths []string) bool {
	for _, p := range paths {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
