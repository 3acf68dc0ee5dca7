package compose

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/internal/builder"
)

// bakeFile is the builds as `docker buildx bake --print` writes them, which is
// what `docker compose build --print` prints: a default group of targets, one
// target per image to build.
type bakeFile struct {
	Group  map[string]bakeGroup  `json:"group"`
	Target map[string]bakeTarget `json:"target"`
}

type bakeGroup struct {
	Targets []string `json:"targets"`
}

type bakeTarget struct {
	Context          string            `json:"context"`
	Contexts         map[string]string `json:"contexts,omitempty"`
	Dockerfile       string            `json:"dockerfile,omitempty"`
	DockerfileInline string            `json:"dockerfile-inline,omitempty"`
	Args             map[string]string `json:"args,omitempty"`
	Labels           map[string]string `json:"labels,omitempty"`
	Tags             []string          `json:"tags"`
	CacheFrom        []string          `json:"cache-from,omitempty"`
	CacheTo          []string          `json:"cache-to,omitempty"`
	Target           string            `json:"target,omitempty"`
	Secrets          []string          `json:"secret,omitempty"`
	SSH              []string          `json:"ssh,omitempty"`
	Platforms        []string          `json:"platforms,omitempty"`
	Pull             bool              `json:"pull,omitempty"`
	NoCache          bool              `json:"no-cache,omitempty"`
	Network          string            `json:"network,omitempty"`
	ShmSize          int64             `json:"shm-size,omitempty"`
	Ulimits          []string          `json:"ulimits,omitempty"`
	ExtraHosts       map[string]string `json:"extra-hosts,omitempty"`
	Call             string            `json:"call,omitempty"`
	Attest           []string          `json:"attest,omitempty"`
	Outputs          []string          `json:"output"`
}

// printBake writes the planned builds as a bake file to e.Out and builds nothing.
func (e *Engine) printBake(p *types.Project, plan Plan, o BuildOptions) error {
	f := bakeFile{Group: map[string]bakeGroup{"default": {Targets: []string{}}}, Target: map[string]bakeTarget{}}
	for _, op := range plan.Ops {
		s := p.Services[op.Service]
		spec, err := buildSpec(p, s, o)
		if err != nil {
			return err
		}
		t := bakeTarget{
			Context: spec.Context, Dockerfile: spec.Dockerfile, DockerfileInline: spec.DockerfileInline,
			Labels: spec.Labels, Tags: append([]string{s.Image}, s.Build.Tags...), CacheFrom: s.Build.CacheFrom,
			CacheTo: s.Build.CacheTo, Target: spec.Target, SSH: spec.SSH, Platforms: s.Build.Platforms, Pull: spec.Pull,
			NoCache: spec.NoCache, Network: spec.Network, ShmSize: spec.ShmSize, Ulimits: spec.Ulimits,
			Outputs: []string{"type=image"},
		}
		if len(spec.Contexts) > 0 {
			t.Contexts = spec.Contexts
		}
		if len(spec.Args) > 0 {
			t.Args = map[string]string{}
			for _, a := range spec.Args {
				k, v, _ := strings.Cut(a, "=")
				t.Args[k] = v
			}
		}
		if len(spec.ExtraHosts) > 0 {
			t.ExtraHosts = map[string]string{}
			for _, h := range spec.ExtraHosts {
				k, v, _ := strings.Cut(h, ":")
				t.ExtraHosts[k] = v
			}
		}
		for _, sec := range spec.Secrets {
			if sec.File != "" {
				t.Secrets = append(t.Secrets, "id="+sec.ID+",type=file,src="+sec.File)
			} else {
				t.Secrets = append(t.Secrets, "id="+sec.ID+",type=env,env="+sec.Env)
			}
		}
		for _, a := range builder.Attestations(spec) {
			if a.Attrs == "" {
				t.Attest = append(t.Attest, "type="+a.Kind)
			} else {
				t.Attest = append(t.Attest, "type="+a.Kind+","+a.Attrs)
			}
		}
		if o.Check {
			t.Call, t.Outputs = "check", nil
		}
		f.Target[op.Service] = t
		f.Group["default"] = bakeGroup{Targets: append(f.Group["default"].Targets, op.Service)}
	}
	slices.Sort(f.Group["default"].Targets)
	out, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.Out, string(out))
	return err
}
