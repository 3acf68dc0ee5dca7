package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/containerd/containerd/v2/pkg/identifiers"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"berth.dev/berth/compose"
	berthctr "berth.dev/berth/compose/containerd"
	"berth.dev/berth/internal/gpu"
	"berth.dev/berth/internal/names"
	"berth.dev/berth/internal/progress"
	"berth.dev/berth/project"
)

// globals are docker compose's global flags plus berth's containerd ones.
type globals struct {
	files      []string
	name       string
	projectDir string
	envFiles   []string
	profiles   []string
	namespace  string
	address    string
	progress   string
	ansi       string
	parallel   int
	debug      bool
	hostsDir   string
	dryRun     bool
	cdiDirs    []string
	// --compatibility and --all-resources; the rest the environment sets (env.go).
	compatibility bool
	allResources  bool
	ansiFrom      string // the flag or variable that set ansi, for its errors
	progressFrom  string
	noColor       bool
	statusStdout  bool

	force <-chan struct{}
}

type rootCommand struct {
	*cobra.Command
	*globals
}

func newRootCommand(force <-chan struct{}) *rootCommand {
	g := &globals{force: force, ansiFrom: "--ansi", progressFrom: "--progress"}
	root := &cobra.Command{
		Use:           "berth",
		Short:         "Run Compose projects on containerd",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	f := root.PersistentFlags()
	// -f and -p are docker compose's shorthands for --file and --project-name before
	// the verb, and mean other things after it (logs -f, run -p): cobra cannot scope
	// a shorthand so, see globalShorthands.
	f.StringArrayVar(&g.files, "file", nil, "Compose configuration files (-f before the command)")
	f.StringVar(&g.name, "project-name", "", "Project name (-p before the command)")
	f.StringVar(&g.projectDir, "project-directory", "", "Alternate working directory (default: the directory of the first file)")
	f.StringArrayVar(&g.envFiles, "env-file", nil, "Alternate environment files")
	f.StringArrayVar(&g.profiles, "profile", nil, "Profiles to enable")
	f.StringVar(&g.namespace, "namespace", envOr("CONTAINERD_NAMESPACE", "berth"), "containerd namespace")
	f.StringVar(&g.address, "address", envOr("CONTAINERD_ADDRESS", "/run/containerd/containerd.sock"), "containerd socket")
	f.StringVar(&g.progress, "progress", "auto", "Progress output: auto, tty, plain, json, quiet")
	f.StringVar(&g.ansi, "ansi", "auto", `Control when to print ANSI control characters ("never"|"always"|"auto")`)
	f.IntVar(&g.parallel, "parallel", envInt("COMPOSE_PARALLEL_LIMIT", -1), "Maximum parallelism, -1 for unlimited")
	f.BoolVar(&g.debug, "debug", false, "Print the full error chain")
	f.StringVar(&g.hostsDir, "hosts-dir", berthctr.DefaultHostsDir, "Directory of containerd hosts.toml registry configuration (mirrors, plain HTTP, insecure hosts)")
	f.BoolVar(&g.dryRun, "dry-run", false, "Print what the command would do, and change nothing")
	f.BoolVar(&g.compatibility, "compatibility", false, "Run compose in backward compatibility mode (container names project_service_1)")
	f.BoolVar(&g.allResources, "all-resources", false, "Include all resources, even those not used by services")
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := g.readEnv(cmd); err != nil {
			return err
		}
		if g.dryRun && noDryRun[cmd.Name()] {
			return usageError("--dry-run: berth %s has no dry run: it runs a process or copies files for you to see", cmd.Name())
		}
		return nil
	}
	f.StringArrayVar(&g.cdiDirs, "cdi-spec-dir", nil, "Directory of CDI specs, repeatable (default: $"+gpu.EnvSpecDirs+" split at colons, else /etc/cdi and /var/run/cdi)")

	root.AddCommand(
		newUpCommand(g), newDownCommand(g), newPsCommand(g), newLogsCommand(g), newExecCommand(g),
		newCreateCommand(g), newStartCommand(g), newStopCommand(g), newRestartCommand(g), newKillCommand(g),
		newPauseCommand(g), newUnpauseCommand(g), newRmCommand(g), newWaitCommand(g), newPortCommand(g),
		newTopCommand(g), newImagesCommand(g), newLsCommand(g), newRunCommand(g), newEventsCommand(g), newAttachCommand(g), newCpCommand(g), newStatsCommand(g),
		newNetworkCommand(g), newVolumeCommand(g), newPullCommand(g), newPushCommand(g), newBuildCommand(g), newConfigCommand(g), newConvertCommand(g), newDeployCommand(g), newUndeployCommand(g),
		newVersionCommand(), newScaleCommand(g), newVolumesCommand(g), newWatchCommand(g),
		newCommitCommand(g), newExportCommand(g), newPublishCommand(g),
		newLogDriverCommand(), newAgentCommand(),
	)
	return &rootCommand{Command: root, globals: g}
}

// noDryRun are the verbs --dry-run cannot mean anything for. Every other verb runs
// on compose.DryRun: it reads the real state and changes nothing.
var noDryRun = map[string]bool{"exec": true, "run": true, "attach": true, "cp": true, "export": true, "watch": true, "convert": true, "undeploy": true}

func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return v
	}
	return def
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// loadProject loads the compose file. When the command can work on the project by
// name alone (down, ps, logs) and there is no file, it returns a project with only
// the name.
func (g *globals) loadProject(ctx context.Context, nameOnlyOK bool) (*types.Project, error) {
	profiles := g.profiles
	// The verbs that can work by name alone make nothing: they load a file berth
	// refuses to run, so a user can always stop and clean up what an earlier file made.
	p, err := project.Load(ctx, project.Options{
		Files: g.files, Name: g.name, WorkingDir: g.projectDir, EnvFiles: g.envFiles, Profiles: profiles,
		AllowRefused: nameOnlyOK, Compatibility: g.compatibility, Remote: g.remoteLoaders(),
	})
	if err == nil {
		return p, nil
	}
	if nameOnlyOK && len(g.files) == 0 && os.Getenv("COMPOSE_FILE") == "" && strings.Contains(err.Error(), "no configuration file provided") {
		name := g.name
		if name == "" {
			name = os.Getenv("COMPOSE_PROJECT_NAME")
		}
		if name == "" {
			return nil, err
		}
		// With no file, compose-go never saw the name: it becomes a path (the
		// project's lock) all the same.
		if err := names.Check(names.Project, name); err != nil {
			return nil, err
		}
		return &types.Project{Name: name, Services: types.Services{}}, nil
	}
	return nil, err
}

// engine connects to containerd and wires the engine with the chosen progress output.
func (g *globals) engine() (*compose.Engine, func(), error) {
	// The namespace names berth's state and run directories.
	if err := identifiers.Validate(g.namespace); err != nil {
		return nil, nil, usageError("--namespace: %v", err)
	}
	o := berthctr.Options{
		Address:   g.address,
		Namespace: g.namespace,
		StateDir:  filepath.Join(envOr("BERTH_STATE_ROOT", "/var/lib/berth"), g.namespace),
		RunDir:    filepath.Join(envOr("BERTH_RUN_ROOT", "/run/berth"), g.namespace),
		HostsDir:  g.hostsDir,
	}
	devices := gpu.NewRegistry(gpu.Options{
		SpecDirs:     gpu.SpecDirsFromEnv(g.cdiDirs),
		GeneratedDir: filepath.Join(o.RunDir, "cdi"),
		Notify:       func(line string) { fmt.Fprintln(os.Stderr, line) },
	})
	o.Devices = devices
	// BERTH_DNS_UPSTREAMS overrides the resolver's upstreams ("none" for none), so
	// tests can point it at a server of their own on loopback.
	if v, ok := os.LookupEnv("BERTH_DNS_UPSTREAMS"); ok {
		o.Upstreams = []string{}
		if v != "none" && v != "" {
			o.Upstreams = strings.Split(v, ",")
		}
	}
	rt, err := berthctr.New(o)
	if err != nil {
		return nil, nil, err
	}
	pw, err := g.progressWriter()
	if err != nil {
		rt.Close()
		return nil, nil, err
	}
	parallel := g.parallel
	if parallel < 0 {
		parallel = 0
	}
	var runtime compose.Runtime = rt
	if g.dryRun {
		runtime = compose.DryRun{Runtime: rt}
		fmt.Fprintln(os.Stderr, "DRY-RUN MODE: berth reads the state as it is and changes nothing")
	}
	return &compose.Engine{Runtime: runtime, Progress: pw, Out: os.Stdout, Err: os.Stderr, Parallel: parallel, Devices: devices},
		func() { rt.Close() }, nil
}

// withEngine loads the project, connects, and runs fn.
func (g *globals) withEngine(ctx context.Context, nameOnlyOK bool, fn func(*compose.Engine, *types.Project) error) error {
	p, err := g.loadProject(ctx, nameOnlyOK)
	if err != nil {
		return err
	}
	e, done, err := g.engine()
	if err != nil {
		return err
	}
	defer done()
	return fn(e, p)
}

// cancelled reports an error that only says the user interrupted.
func cancelled(err error) bool { return errors.Is(err, context.Canceled) }

var errUsage = errors.New("usage")

func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
}

// colour tells whether container output gets coloured prefixes: --ansi, else
// whether stdout is a terminal.
func (g *globals) colour() bool {
	switch {
	case g.noColor, g.ansi == "never":
		return false
	case g.ansi == "always":
		return true
	}
	return term.IsTerminal(int(os.Stdout.Fd()))
}

// statusOut is where progress goes: standard error, or standard output with
// COMPOSE_STATUS_STDOUT.
func (g *globals) statusOut() *os.File {
	if g.statusStdout {
		return os.Stdout
	}
	return os.Stderr
}

// progressWriter is the renderer --progress and --ansi choose, on statusOut.
func (g *globals) progressWriter() (progress.Writer, error) {
	mode := g.progress
	if mode == "auto" || mode == "" {
		switch g.ansi {
		case "never":
			mode = "plain"
		case "always":
			mode = "tty"
		case "auto", "":
		default:
			return nil, usageError("%s %q: use never, always or auto", g.ansiFrom, g.ansi)
		}
	}
	out := g.statusOut()
	pw, err := progress.New(mode, out, term.IsTerminal(int(out.Fd())))
	if err != nil {
		return nil, usageError("%s: %v", g.progressFrom, err)
	}
	if g.noColor {
		pw = progress.Monochrome(pw)
	}
	if g.dryRun {
		pw = progress.DryRun(pw)
	}
	return pw, nil
}
