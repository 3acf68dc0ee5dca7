package compose

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// ErrHookFailed is returned when a post_start or pre_stop hook exits non-zero.
var ErrHookFailed = errors.New("hook failed")

// runHooks runs a service's post_start or pre_stop hooks in one of its running
// containers, one after the other, through the same path as `exec`. A hook that
// exits non-zero stops the rest and fails, in docker compose's words.
func (e *Engine) runHooks(ctx context.Context, s types.ServiceConfig, c Container, hooks []types.ServiceHook) error {
	for _, h := range hooks {
		code, err := e.execHook(ctx, c, h)
		if err != nil {
			return fmt.Errorf("service %q: %w", s.Name, err)
		}
		if code != 0 {
			return fmt.Errorf("%w: %s hook exited with status %d", ErrHookFailed, s.Name, code)
		}
	}
	return nil
}

// execHook runs one hook (or a sync+exec's exec) and prints what it wrote under
// the container's name, as docker compose does ("web-1 -> line").
func (e *Engine) execHook(ctx context.Context, c Container, h types.ServiceHook) (int, error) {
	var out bytes.Buffer
	code, err := e.Runtime.Exec(ctx, c.ID, ExecRequest{
		Cmd:        h.Command,
		Env:        hookEnv(h.Environment),
		WorkDir:    h.WorkingDir,
		User:       h.User,
		Privileged: h.Privileged,
		Stdio:      Stdio{Out: &out, Err: &out},
	})
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		fmt.Fprintf(e.Err, "%s -> %s\n", c.Name, sc.Text())
	}
	return code, err
}

// hookEnv is a hook's environment as KEY=VALUE; a key without a value (unset in
// the environment compose-go read) is left out, as docker does.
func hookEnv(m types.MappingWithEquals) []string {
	var env []string
	for k, v := range m {
		if v != nil {
			env = append(env, k+"="+*v)
		}
	}
	sort.Strings(env)
	return env
}

// stopContainer runs the service's pre_stop hooks in a running container, then
// stops it: every verb that stops a container (stop, down, restart, a recreate)
// comes here.
func (e *Engine) stopContainer(ctx context.Context, c Container, s types.ServiceConfig, timeout time.Duration) error {
	if c.State == StateRunning && !c.OneOff {
		if err := e.runHooks(ctx, s, c, s.PreStop); err != nil {
			return err
		}
	}
	return e.Runtime.Stop(ctx, c.ID, timeout)
}
