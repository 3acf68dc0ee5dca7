package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/compose-spec/compose-go/v2/utils"
	"github.com/spf13/cobra"

	"berth.dev/berth/project"
)

// The variables docker compose reads from its environment, beside those compose-go
// reads while loading (COMPOSE_FILE, COMPOSE_PROFILES, COMPOSE_PATH_SEPARATOR,
// COMPOSE_PROJECT_NAME, DOCKER_DEFAULT_PLATFORM).
const (
	envAnsi          = "COMPOSE_ANSI"
	envNoColor       = "NO_COLOR"
	envProgress      = "COMPOSE_PROGRESS"
	envBuildProgress = "BUILDKIT_PROGRESS"
	envEnvFiles      = "COMPOSE_ENV_FILES"
	envParallel      = "COMPOSE_PARALLEL_LIMIT"
	envIgnoreOrphans = "COMPOSE_IGNORE_ORPHANS"
	envRemoveOrphans = "COMPOSE_REMOVE_ORPHANS"
	envStatusStdout  = "COMPOSE_STATUS_STDOUT"
	envMenu          = "COMPOSE_MENU"
)

// readEnv gives the global flags the user did not set their values from the
// environment, as docker compose does before any verb runs: first the COMPOSE_
// variables of the env files (.env) the shell does not set, then each flag's.
func (g *globals) readEnv(cmd *cobra.Command) error {
	if cmd.Hidden {
		return nil // berth's own processes (the log driver, the agent) run in no project
	}
	flags := cmd.Flags()
	if !flags.Changed("env-file") {
		if files := splitList(os.Getenv(envEnvFiles)); len(files) > 0 {
			g.envFiles = files
		}
	}
	vars, err := project.ComposeVariables(project.Options{Files: g.files, WorkingDir: g.projectDir, EnvFiles: g.envFiles})
	if err != nil {
		return err
	}
	for k, v := range vars {
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	if v, ok := os.LookupEnv(envAnsi); ok && !flags.Changed("ansi") {
		g.ansi, g.ansiFrom = v, envAnsi
	}
	switch g.ansi {
	case "never", "always", "auto":
	default:
		return usageError("%s %q: use never, always or auto", g.ansiFrom, g.ansi)
	}
	if !flags.Changed("progress") {
		for _, key := range []string{envProgress, envBuildProgress} {
			if v := os.Getenv(key); v != "" {
				g.progress, g.progressFrom = progressMode(v), key
				break
			}
		}
	}
	if !flags.Changed("parallel") {
		g.parallel = envInt(envParallel, g.parallel)
	}
	if !flags.Changed("compatibility") {
		g.compatibility = utils.StringToBool(os.Getenv(project.EnvCompatibility))
	}
	g.noColor = os.Getenv(envNoColor) != ""
	g.statusStdout = utils.StringToBool(os.Getenv(envStatusStdout))
	return nil
}

// progressMode reads BuildKit's names for the progress modes as berth's.
func progressMode(v string) string {
	if v == "rawjson" {
		return "json"
	}
	return v
}

// splitList splits a comma-separated list, as docker compose reads COMPOSE_ENV_FILES.
func splitList(v string) []string {
	return strings.FieldsFunc(v, func(r rune) bool { return r == ',' })
}

// projectEnv is a variable of the project's environment (the shell and its .env
// files), or of the process's when there is no file.
func projectEnv(p *types.Project, key string) string {
	if v, ok := p.Environment[key]; ok {
		return v
	}
	return os.Getenv(key)
}

// orphanEnv applies COMPOSE_REMOVE_ORPHANS, unless --remove-orphans is given, and
// tells whether COMPOSE_IGNORE_ORPHANS silences the warnings about orphans.
func orphanEnv(cmd *cobra.Command, p *types.Project, remove *bool) (ignore bool) {
	if v := projectEnv(p, envRemoveOrphans); v != "" && !cmd.Flags().Changed("remove-orphans") {
		*remove = utils.StringToBool(v)
	}
	return utils.StringToBool(projectEnv(p, envIgnoreOrphans))
}

// orphanConflict refuses what docker compose's up refuses: to keep orphans unmentioned
// and remove them at once.
func orphanConflict(remove, ignore bool) error {
	if remove && ignore {
		return usageError("cannot combine %s and --remove-orphans", envIgnoreOrphans)
	}
	return nil
}

// menuNote is the line `up --menu` (or COMPOSE_MENU) gets: berth has no interactive
// menu, and says so rather than ignoring the flag in silence.
func menuNote(cmd *cobra.Command, menu, attached bool) string {
	if !cmd.Flags().Changed("menu") {
		menu = utils.StringToBool(os.Getenv(envMenu))
	}
	if !menu || !attached {
		return ""
	}
	return fmt.Sprintf("berth has no interactive menu (--menu, %s): Ctrl-C stops the containers", envMenu)
}
