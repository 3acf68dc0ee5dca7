package compose

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

// run's flags change the one-off's service: env files under -e, capabilities and
// labels over the file's.
func TestOneOffServiceFlags(t *testing.T) {
	envFile := filepath.Join(t.TempDir(), "run.env")
	if err := os.WriteFile(envFile, []byte("FROM_FILE=file\nBOTH=file\nDERIVED=${GIVEN}-x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := &types.Project{Name: "demo", Environment: types.Mapping{}}
	s := types.ServiceConfig{Name: "tool"}
	s.CapAdd, s.Labels = []string{"NET_ADMIN"}, types.Labels{"keep": "1", "over": "file"}
	o := RunOptions{
		Env: []string{"BOTH=flag", "GIVEN=g"}, EnvFiles: []string{envFile},
		CapAdd: []string{"SYS_TIME"}, CapDrop: []string{"CHOWN"}, Labels: []string{"over=flag", "new=2"},
	}
	got, err := oneOffService(p, s, o)
	if err != nil {
		t.Fatal(err)
	}
	env := got.Environment
	for k, want := range map[string]string{"FROM_FILE": "file", "BOTH": "flag", "DERIVED": "g-x"} {
		if v := env[k]; v == nil || *v != want {
			t.Errorf("%s = %v, want %s", k, v, want)
		}
	}
	if !slices.Equal(got.CapAdd, []string{"NET_ADMIN", "SYS_TIME"}) || !slices.Equal(got.CapDrop, []string{"CHOWN"}) {
		t.Errorf("cap_add %v, cap_drop %v", got.CapAdd, got.CapDrop)
	}
	if got.Labels["keep"] != "1" || got.Labels["over"] != "flag" || got.Labels["new"] != "2" {
		t.Errorf("labels %v", got.Labels)
	}
	if s.Labels["over"] != "file" || len(s.CapAdd) != 1 {
		t.Errorf("the project's service was changed: %v %v", s.Labels, s.CapAdd)
	}
	if _, err := oneOffService(p, s, RunOptions{EnvFiles: []string{filepath.Join(t.TempDir(), "missing.env")}}); err == nil {
		t.Error("a missing --env-from-file was accepted")
	}
}

// build --with-dependencies and push --include-deps reach the named services'
// dependencies, transitively; without them only the named ones.
func TestServicesAndDeps(t *testing.T) {
	p := &types.Project{Name: "demo", Services: types.Services{}}
	for name, dep := range map[string]string{"web": "api", "api": "db", "db": "", "other": ""} {
		s := types.ServiceConfig{Name: name}
		if dep != "" {
			s.DependsOn = types.DependsOnConfig{dep: {Condition: "service_started", Required: true}}
		}
		p.Services[name] = s
	}
	cases := []struct {
		names    []string
		withDeps bool
		want     []string
	}{
		{nil, false, []string{"api", "db", "other", "web"}},
		{[]string{"web"}, false, []string{"web"}},
		{[]string{"web"}, true, []string{"db", "api", "web"}},
	}
	for _, c := range cases {
		got, err := servicesAndDeps(p, c.names, c.withDeps)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%v with deps %v: %v, %v; want %v", c.names, c.withDeps, got, err, c.want)
		}
	}
	if _, err := servicesAndDeps(p, []string{"nope"}, true); err == nil {
		t.Error("an unknown service was accepted")
	}
}
