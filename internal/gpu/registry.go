package gpu

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/types"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"tags.cncf.io/container-device-interface/pkg/cdi"
)

// DefaultSpecDirs are where CDI specs live when no directory is given: /etc/cdi
// and /var/run/cdi, as podman, nerdctl and containerd read them.
var DefaultSpecDirs = cdi.DefaultSpecDirs

// EnvSpecDirs names the variable that overrides the spec directories
// (colon-separated), as --cdi-spec-dir does.
const EnvSpecDirs = "BERTH_CDI_SPEC_DIRS"

// ErrNoDevice is the cause of every refusal: the host lacks what the file asks.
var ErrNoDevice = errors.New("no such device on this host")

// noDevice is a refusal that says what the host lacks and has, and is ErrNoDevice.
type noDevice string

func (e noDevice) Error() string        { return string(e) }
func (e noDevice) Is(target error) bool { return target == ErrNoDevice }

func missing(format string, args ...any) error { return noDevice(fmt.Sprintf(format, args...)) }

// Options configure a Registry.
type Options struct {
	// SpecDirs are read in order, a later one overriding an earlier one's devices;
	// none: DefaultSpecDirs.
	SpecDirs []string
	// GeneratedDir is where berth writes the NVIDIA spec it makes itself when no spec
	// names nvidia.com/gpu; "" makes none.
	GeneratedDir string
	// HostRoot is where the host's /dev, loader cache and driver files are looked
	// for ("" is /).
	HostRoot string
	// Notify gets the one line berth prints when it makes a spec.
	Notify func(string)
}

// Registry is the host's CDI devices, read once per process.
type Registry struct {
	o     Options
	mu    sync.Mutex
	cache *cdi.Cache
	tried bool // a spec was generated (or could not be) in this process
}

// NewRegistry reads nothing yet: the specs are read on the first request.
func NewRegistry(o Options) *Registry {
	if len(o.SpecDirs) == 0 {
		o.SpecDirs = DefaultSpecDirs
	}
	if o.HostRoot == "" {
		o.HostRoot = "/"
	}
	return &Registry{o: o}
}

// SpecDirsFromEnv is the directories flags give, else those of the environment,
// else none (the defaults).
func SpecDirsFromEnv(flags []string) []string {
	if len(flags) > 0 {
		return flags
	}
	var out []string
	for _, d := range strings.Split(os.Getenv(EnvSpecDirs), ":") {
		if d != "" {
			out = append(out, d)
		}
	}
	return out
}

// load reads the specs of the spec directories; berth's generated one joins them
// only once made in this process (see generateNVIDIA).
func (r *Registry) load() *cdi.Cache {
	if r.cache == nil {
		// No auto-refresh: berth is a short-lived CLI and needs no watcher.
		r.cache, _ = cdi.NewCache(cdi.WithSpecDirs(r.o.SpecDirs...), cdi.WithAutoRefresh(false))
	}
	return r.cache
}

// Resolve turns a service's requests into CDI device names, in a stable order.
// An error names the field and says what the host has.
func (r *Registry) Resolve(s types.ServiceConfig) ([]string, error) {
	reqs, err := Requests(s)
	if err != nil || len(reqs) == 0 {
		return nil, err
	}
	return r.ResolveRequests(reqs)
}

// ResolveRequests resolves each request and joins the answers, each device once.
func (r *Registry) ResolveRequests(reqs []Request) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, q := range reqs {
		names, err := r.resolve(q)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", q.Field, err)
		}
		for _, n := range names {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out, nil
}

func (r *Registry) resolve(q Request) ([]string, error) {
	names := r.devicesOf(q.Kind)
	if len(names) == 0 && q.Kind == DefaultKind && !r.tried {
		r.tried = true
		if err := r.generateNVIDIA(); err != nil {
			return nil, err
		}
		names = r.devicesOf(q.Kind)
	}
	if len(names) == 0 {
		has := r.hostHas()
		if q.Kind == DefaultKind && r.o.GeneratedDir != "" {
			has += ", and no NVIDIA GPU node (/dev/nvidiaN)"
		}
		return nil, missing("no CDI spec gives %s devices (looked in %s); %s", q.Kind, strings.Join(r.dirs(), ", "), has)
	}
	units := units(names)
	switch {
	case q.All:
		if len(units) == 0 {
			return []string{q.Kind + "=all"}, nil
		}
		return qualify(q.Kind, units), nil
	case len(q.IDs) > 0:
		for _, id := range q.IDs {
			if !slices.Contains(names, id) {
				return nil, missing("device id %q: the host has %s", id, has(q.Kind, units))
			}
		}
		return qualify(q.Kind, q.IDs), nil
	case q.Count > len(units):
		return nil, missing("%d asked, the host has %s", q.Count, has(q.Kind, units))
	default:
		return qualify(q.Kind, units[:q.Count]), nil
	}
}

// dirs are the spec directories as the user gave them.
func (r *Registry) dirs() []string { return r.o.SpecDirs }

// devicesOf lists the device names the specs give of kind.
func (r *Registry) devicesOf(kind string) []string {
	var out []string
	for _, d := range r.load().ListDevices() {
		if k, name, ok := strings.Cut(d, "="); ok && k == kind {
			out = append(out, name)
		}
	}
	return out
}

// hostHas says which kinds the host's specs give, for an error.
func (r *Registry) hostHas() string {
	kinds := map[string]int{}
	for _, d := range r.load().ListDevices() {
		k, name, _ := strings.Cut(d, "=")
		if name != "all" {
			kinds[k]++
		}
	}
	if len(kinds) == 0 {
		msg := "the host has no CDI devices"
		for path, errs := range r.load().GetErrors() {
			if len(errs) > 0 {
				msg += fmt.Sprintf(" (%s: %v)", filepath.Base(path), errs[0])
				break
			}
		}
		return msg
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(kinds)) {
		parts = append(parts, fmt.Sprintf("%d %s", kinds[k], k))
	}
	return "the host has " + strings.Join(parts, ", ")
}

// units are the devices a count is taken from, in index order: the numbered ones
// where a spec numbers them (an NVIDIA spec names each GPU twice, by index and by
// UUID), else every one but "all".
func units(names []string) []string {
	var numbered, other []string
	for _, n := range names {
		if _, err := strconv.Atoi(n); err == nil {
			numbered = append(numbered, n)
		} else if n != "all" {
			other = append(other, n)
		}
	}
	if len(numbered) > 0 {
		sort.Slice(numbered, func(i, j int) bool {
			a, _ := strconv.Atoi(numbered[i])
			b, _ := strconv.Atoi(numbered[j])
			return a < b
		})
		return numbered
	}
	sort.Strings(other)
	return other
}

func qualify(kind string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = kind + "=" + n
	}
	return out
}

// has says what devices of a kind the host has.
func has(kind string, units []string) string {
	switch len(units) {
	case 0:
		return "no " + kind + " device but " + kind + "=all"
	case 1:
		return "1 " + kind + " device (" + units[0] + ")"
	}
	return fmt.Sprintf("%d %s devices (%s)", len(units), kind, strings.Join(units, ", "))
}

// Inject edits spec as the named devices' CDI specs say: device nodes and their
// cgroup rules, mounts, environment, hooks.
func (r *Registry) Inject(spec *specs.Spec, names []string) error {
	if len(names) == 0 {
		return nil
	}
	r.mu.Lock()
	c := r.load()
	r.mu.Unlock()
	if _, err := c.InjectDevices(spec, names...); err != nil {
		return fmt.Errorf("CDI: %w", err)
	}
	return nil
}
