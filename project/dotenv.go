package project

import (
	"fmt"
	"os"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
)

// ComposeVariables are the COMPOSE_ variables that the env files set (--env-file,
// else the .env of the project directory given, of the first file's directory, or
// of the working directory) and the process's environment does not: docker compose
// reads them as if they came from the shell, before anything else, so that a .env
// can set COMPOSE_FILE, COMPOSE_PROJECT_NAME, COMPOSE_ANSI and the others.
func ComposeVariables(o Options) (map[string]string, error) {
	opts, err := cli.NewProjectOptions(o.Files,
		cli.WithWorkingDirectory(o.WorkingDir),
		cli.WithOsEnv,
		cli.WithEnvFiles(o.EnvFiles...),
		cli.WithDotEnv,
	)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInvalid, oneLine(err.Error()))
	}
	out := map[string]string{}
	for k, v := range opts.Environment {
		if _, set := os.LookupEnv(k); !set && strings.HasPrefix(k, "COMPOSE_") {
			out[k] = v
		}
	}
	return out, nil
}
