package compose

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/internal/watch"
	"berth.dev/berth/project"
)

// WatchOptions are the flags of `watch` (and of `up --watch`).
type WatchOptions struct {
	Services []string // empty: every service with develop.watch
	Quiet    bool     // hide the builds' output
	// NoUp watches the services as they run; without it they are brought up
	// first (detached), and those that build and are watched are built anew.
	NoUp bool
	// Prune is --prune: images a rebuild replaced go. containerd already collects
	// an image's content once no name and no container holds it, so berth has
	// nothing more to remove; the flag is taken for docker compose's sake.
	Prune bool
}

// ErrNothingToWatch is returned when no selected service has develop.watch.
var ErrNothingToWatch = errors.New("none of the selected services is configured for watch, consider setting a 'develop' section")

// watchRule is one develop.watch entry of a service, with what it takes.
type watchRule struct {
	service string
	types.Trigger
	filter *watch.Filter
}

func isSyncAction(a types.WatchAction) bool {
	return a == types.WatchActionSync || a == types.WatchActionSyncRestart || a == types.WatchActionSyncExec
}

// CheckWatch refuses, before anything starts, develop.watch rules berth cannot
// carry out; the error names the files, the service and the rule. A path outside
// the project directory is allowed, as docker compose allows it.
func CheckWatch(p *types.Project, services []string) error {
	if err := checkServices(p, services); err != nil {
		return err
	}
	if len(services) == 0 {
		services = p.ServiceNames()
	}
	found := false
	for _, name := range services {
		s := p.Services[name]
		if s.Develop == nil {
			continue
		}
		found = found || len(s.Develop.Watch) > 0
		for i, t := range s.Develop.Watch {
			field := fmt.Sprintf("develop.watch[%d]", i)
			var problem string
			switch {
			case t.Path == "":
				problem = "path is required"
			case isSyncAction(t.Action) && !path.IsAbs(t.Target):
				problem = fmt.Sprintf("target %q is not an absolute path in the container", t.Target)
			case isSyncAction(t.Action) && s.ReadOnly:
				problem = fmt.Sprintf("action %s needs a writable root file system, and the service is read_only", t.Action)
			case t.Action == types.WatchActionRebuild && s.Build == nil:
				problem = "action rebuild needs a build: section"
			case t.Action == types.WatchActionSyncExec && len(t.Exec.Command) == 0:
				problem = "action sync+exec needs exec.command"
			}
			if problem != "" {
				return fmt.Errorf("%w: %s: service %q: %s: %s", project.ErrInvalid, project.FileNames(p), name, field, problem)
			}
		}
	}
	if !found {
		return ErrNothingToWatch
	}
	return nil
}

// watchRules are the rules of the selected services, with their filters; a rule
// whose path a bind mount of the service already shares is left out with a warning,
// as docker compose does.
func (e *Engine) watchRules(p *types.Project, services []string) ([]watchRule, error) {
	if len(services) == 0 {
		services = p.ServiceNames()
	}
	var rules []watchRule
	for _, name := range services {
		s := p.Services[name]
		if s.Develop == nil {
			continue
		}
		for _, t := range s.Develop.Watch {
			if bindMounted(s, t.Path) {
				e.warn("path '%s' also declared by a bind mount volume, this path won't be monitored!", t.Path)
				continue
			}
			var buildContext, dockerfile string
			if s.Build != nil {
				buildContext, dockerfile = s.Build.Context, s.Build.Dockerfile
			}
			f, err := watch.NewFilter(t.Path, t.Include, t.Ignore, buildContext, dockerfile)
			if err != nil {
				return nil, fmt.Errorf("%w: service %q: develop.watch %s: %w", project.ErrInvalid, name, t.Path, err)
			}
			rules = append(rules, watchRule{service: name, Trigger: t, filter: f})
		}
	}
	return rules, nil
}

func bindMounted(s types.ServiceConfig, p string) bool {
	for _, v := range s.Volumes {
		if v.Type == types.VolumeTypeBind && (p == v.Source || strings.HasPrefix(p, v.Source+string(filepath.Separator))) {
			return true
		}
	}
	return false
}

// containerPath maps a changed host path under the rule's path to its place in
// the container; false when the rule does not take it.
func (r watchRule) containerPath(hostPath string) (string, bool) {
	if hostPath != r.Path && !strings.HasPrefix(hostPath, r.Path+string(filepath.Separator)) {
		return "", false
	}
	if !r.filter.Takes(hostPath) {
		return "", false
	}
	rel, err := filepath.Rel(r.Path, hostPath)
	if err != nil {
		return "", false
	}
	return path.Join(r.Target, filepath.ToSlash(rel)), true
}

// syncMapping is one host path to bring into a service's containers.
type syncMapping struct{ host, container string }

// Watch follows the selected services' develop.watch paths until ctx ends and
// carries out their actions: sync (the files written straight into each running
// container's root file system), restart, sync+restart, sync+exec, and rebuild
// (the image built again, then up for that service alone, which recreates its
// containers when, and only when, the image changed). An action that fails is
// reported and the watch goes on, as docker compose's does.
func (e *Engine) Watch(ctx context.Context, p *types.Project, o WatchOptions) error {
	if err := CheckWatch(p, o.Services); err != nil {
		return err
	}
	rules, err := e.watchRules(p, o.Services)
	if err != nil {
		return err
	}
	if !o.NoUp {
		if err := e.Up(ctx, withWatchedBuilt(p), UpOptions{PlanOptions: PlanOptions{Services: o.Services}, Detach: true, QuietPull: o.Quiet}); err != nil {
			return err
		}
	}
	var paths []string
	for _, r := range rules {
		paths = append(paths, r.Path)
	}
	w, err := watch.New(paths)
	if err != nil {
		return err
	}
	defer w.Close()
	if err := e.initialSync(ctx, p, rules); err != nil {
		e.warn("initial sync: %v", err)
	}
	fmt.Fprintln(e.Err, "Watch enabled")
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-w.Errors():
			e.warn("watch: %v", err)
		case batch, ok := <-w.Batches():
			if !ok {
				return nil
			}
			if err := e.handleBatch(ctx, p, o, rules, batch); err != nil && ctx.Err() == nil {
				e.warn("Error handling changed files: %v", err)
			}
		}
	}
}

// withWatchedBuilt is the project with pull_policy build for each service that
// builds and has develop.watch, as docker compose's watch brings them up: the
// image is made from the files as they are now.
func withWatchedBuilt(p *types.Project) *types.Project {
	q := *p
	q.Services = maps.Clone(p.Services)
	for name, s := range q.Services {
		if s.Build != nil && s.Develop != nil {
			s.PullPolicy = types.PullPolicyBuild
			q.Services[name] = s
		}
	}
	return &q
}

// handleBatch sorts a batch of changed paths by service and action, then
// rebuilds, syncs, restarts and execs, in docker compose's order.
func (e *Engine) handleBatch(ctx context.Context, p *types.Project, o WatchOptions, rules []watchRule, batch []string) error {
	rebuild, restart := map[string]bool{}, map[string]bool{}
	syncs := map[string][]syncMapping{}
	execs := map[string][]int{} // rule indexes, each run once per batch
	for _, changed := range batch {
		for i, r := range rules {
			target, ok := r.containerPath(changed)
			if !ok {
				continue
			}
			switch r.Action {
			case types.WatchActionRebuild:
				rebuild[r.service] = true
			case types.WatchActionRestart:
				restart[r.service] = true
			case types.WatchActionSync:
				syncs[r.service] = append(syncs[r.service], syncMapping{changed, target})
			case types.WatchActionSyncRestart:
				syncs[r.service] = append(syncs[r.service], syncMapping{changed, target})
				restart[r.service] = true
			case types.WatchActionSyncExec:
				syncs[r.service] = append(syncs[r.service], syncMapping{changed, target})
				if !slices.Contains(execs[r.service], i) {
					execs[r.service] = append(execs[r.service], i)
				}
			}
		}
	}
	if len(rebuild) > 0 {
		if err := e.rebuild(ctx, p, o, slices.Sorted(maps.Keys(rebuild))); err != nil {
			return err
		}
	}
	for _, service := range slices.Sorted(maps.Keys(syncs)) {
		fmt.Fprintf(e.Err, "Syncing service %q after %d changes were detected\n", service, len(syncs[service]))
		if err := e.syncService(ctx, p, service, syncs[service]); err != nil {
			return err
		}
	}
	if len(restart) > 0 {
		services := slices.Sorted(maps.Keys(restart))
		if err := e.Restart(ctx, p, services, nil, false); err != nil {
			return err
		}
		fmt.Fprintf(e.Err, "service(s) %q restarted\n", services)
	}
	for _, service := range slices.Sorted(maps.Keys(execs)) {
		cs, err := e.runningContainers(ctx, p, service)
		if err != nil {
			return err
		}
		for _, i := range execs[service] {
			for _, c := range cs {
				code, err := e.execHook(ctx, c, rules[i].Exec)
				if err == nil && code != 0 {
					err = fmt.Errorf("exit code %d", code)
				}
				if err != nil {
					return fmt.Errorf("service %q: exec %v: %w", service, []string(rules[i].Exec.Command), err)
				}
			}
		}
	}
	return nil
}

// rebuild builds the services' images again, then brings those services (and not
// their dependencies) up through the same plan as `up`: a container whose image
// changed is recreated, the others are left as they run.
func (e *Engine) rebuild(ctx context.Context, p *types.Project, o WatchOptions, services []string) error {
	fmt.Fprintf(e.Err, "Rebuilding service(s) %q after changes were detected...\n", services)
	if err := e.Build(ctx, p, BuildOptions{Services: services, Quiet: o.Quiet}); err != nil {
		fmt.Fprintf(e.Err, "Build failed. Error: %v\n", err)
		return err
	}
	fmt.Fprintf(e.Err, "service(s) %q successfully built\n", services)
	err := e.Up(ctx, p, UpOptions{PlanOptions: PlanOptions{Services: services, NoDeps: true}, Detach: true, QuietPull: true})
	if err != nil {
		fmt.Fprintf(e.Err, "Failed to recreate services after update. Error: %v\n", err)
	}
	return err
}

// runningContainers are the running containers of a service (not one-offs).
func (e *Engine) runningContainers(ctx context.Context, p *types.Project, service string) ([]Container, error) {
	cs, err := e.projectContainers(ctx, p, []string{service})
	if err != nil {
		return nil, err
	}
	var out []Container
	for _, c := range cs {
		if c.State == StateRunning {
			out = append(out, c)
		}
	}
	return out, nil
}

// syncService writes the mappings into every running container of the service,
// through the container's root file system as the host sees it: no process is
// started in the container and nothing is archived on the way.
func (e *Engine) syncService(ctx context.Context, p *types.Project, service string, ms []syncMapping) error {
	cs, err := e.runningContainers(ctx, p, service)
	if err != nil {
		return err
	}
	if len(cs) == 0 {
		e.warn("service %q has no running container to sync to", service)
		return nil
	}
	for _, c := range cs {
		root, release, err := e.Runtime.FilesRoot(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if err := watch.Sync(root, m.host, m.container); err != nil {
				release()
				return fmt.Errorf("sync %s to %s:%s: %w", m.host, c.Name, m.container, err)
			}
		}
		release()
	}
	return nil
}

// initialSync brings the paths of the sync rules with initial_sync into the
// containers before the first change: every file the rule takes.
func (e *Engine) initialSync(ctx context.Context, p *types.Project, rules []watchRule) error {
	for _, r := range rules {
		if !r.InitialSync || !isSyncAction(r.Action) {
			continue
		}
		var ms []syncMapping
		err := filepath.WalkDir(r.Path, func(host string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if target, ok := r.containerPath(host); ok && !d.IsDir() {
				ms = append(ms, syncMapping{host, target})
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			continue
		}
		if err := e.syncService(ctx, p, r.service, ms); err != nil {
			return err
		}
	}
	return nil
}
