package project

import (
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

var update = flag.Bool("update", false, "rewrite docs/compatibility.md")

// Every field compose-go knows is classified: upgrading compose-go can never add a
// field berth would ignore in silence.
func TestEveryFieldClassified(t *testing.T) {
	for _, c := range []struct {
		typ   reflect.Type
		table map[string]Support
	}{
		{reflect.TypeOf(types.Project{}), ProjectFields},
		{reflect.TypeOf(types.ServiceConfig{}), ServiceFields},
		{reflect.TypeOf(types.NetworkConfig{}), NetworkFields},
		{reflect.TypeOf(types.VolumeConfig{}), VolumeFields},
		{reflect.TypeOf(types.BuildConfig{}), BuildFields},
	} {
		known := map[string]bool{}
		for _, f := range yamlFields(c.typ) {
			name := f.Name
			known[name] = true
			if _, ok := c.table[name]; !ok {
				t.Errorf("%s: field %q is not in berth's table", c.typ.Name(), name)
			}
		}
		for name := range c.table {
			if !known[name] {
				t.Errorf("%s: the table has %q, which compose-go does not", c.typ.Name(), name)
			}
		}
	}
}

// The Kubernetes column has a row for every field of the tables, and no other.
func TestKubeColumnCoversEveryField(t *testing.T) {
	for _, c := range []struct {
		name        string
		table, kube map[string]Support
	}{
		{"project", ProjectFields, KubeProjectFields},
		{"service", ServiceFields, KubeServiceFields},
		{"network", NetworkFields, KubeNetworkFields},
		{"volume", VolumeFields, KubeVolumeFields},
	} {
		for name := range c.table {
			if _, ok := c.kube[name]; !ok {
				t.Errorf("%s field %q has no Kubernetes entry in project/fields_kube.go", c.name, name)
			}
		}
		for name := range c.kube {
			if _, ok := c.table[name]; !ok {
				t.Errorf("%s field %q is in the Kubernetes column but not in the field table", c.name, name)
			}
		}
	}
}

// Every struct inside a supported field has its table, down to the last level, and
// every table classifies exactly the fields of its type.
func TestEveryPartClassified(t *testing.T) {
	reached := map[*Part]bool{}
	var walk func(scope, path string, typ reflect.Type, table map[string]Support)
	walk = func(scope, path string, typ reflect.Type, table map[string]Support) {
		for _, f := range yamlFields(typ) {
			if sup, ok := table[f.Name]; !ok || !sup.Supported || sup.Ignored {
				continue // refused or ignored whole (or reported by the flat check)
			}
			inner := structInside(f.Type)
			if inner == nil || len(yamlFields(inner)) == 0 {
				continue
			}
			child := join(path, f.Name)
			p := part(scope, child)
			if p == nil {
				t.Errorf("%s %s: %s has no table in Parts", scope, child, inner)
				continue
			}
			reached[p] = true
			if p.Type != inner {
				t.Errorf("%s %s: the table is for %s, compose-go has %s", scope, child, p.Type, inner)
			}
			known := map[string]bool{}
			for _, g := range yamlFields(inner) {
				known[g.Name] = true
				if _, ok := p.Fields[g.Name]; !ok {
					t.Errorf("%s %s: field %q of %s is not in berth's table", scope, child, g.Name, inner)
				}
			}
			for name := range p.Fields {
				if !known[name] {
					t.Errorf("%s %s: the table has %q, which compose-go does not", scope, child, name)
				}
			}
			walk(scope, child, inner, p.Fields)
		}
	}
	walk("service", "", reflect.TypeOf(types.ServiceConfig{}), ServiceFields)
	walk("network", "", reflect.TypeOf(types.NetworkConfig{}), NetworkFields)
	walk("volume", "", reflect.TypeOf(types.VolumeConfig{}), VolumeFields)
	for i := range Parts {
		if !reached[&Parts[i]] {
			t.Errorf("%s %s: a table no supported field reaches", Parts[i].Scope, Parts[i].Path)
		}
	}
}

// structInside is the struct type a field holds: itself, through pointers, or as
// the elements of a list or the values of a map.
func structInside(t reflect.Type) reflect.Type {
	for {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Map:
			t = t.Elem()
		case reflect.Struct:
			return t
		default:
			return nil
		}
	}
}

// A field refused deep inside a supported one is named by its whole path.
func TestPartsRefusedByPath(t *testing.T) {
	cases := map[string]struct {
		s    func(*types.ServiceConfig)
		want string
	}{
		"reservation generic_resources": {func(s *types.ServiceConfig) {
			s.Deploy = &types.DeployConfig{Resources: types.Resources{Reservations: &types.Resource{GenericResources: []types.GenericResource{{DiscreteResourceSpec: &types.DiscreteGenericResource{Kind: "ssd", Value: 1}}}}}}
		}, `field "deploy.resources.reservations.generic_resources" is not supported yet`},
		"network driver_opts": {func(s *types.ServiceConfig) {
			s.Networks = map[string]*types.ServiceNetworkConfig{"front": {DriverOpts: types.Options{"a": "b"}}}
		}, `field "networks.front.driver_opts" is not supported yet`},
		"bind propagation": {func(s *types.ServiceConfig) {
			s.Volumes = []types.ServiceVolumeConfig{{Type: "bind", Source: "/x", Target: "/y", Bind: &types.ServiceVolumeBind{Propagation: "rshared"}}}
		}, `field "volumes[0].bind.propagation" is not supported yet`},
		"limits devices": {func(s *types.ServiceConfig) {
			s.Deploy = &types.DeployConfig{Resources: types.Resources{Limits: &types.Resource{Devices: []types.DeviceRequest{{Count: 1}}}}}
		}, `field "deploy.resources.limits.devices" is not supported yet`},
	}
	for name, c := range cases {
		s := types.ServiceConfig{Name: "web"}
		c.s(&s)
		err := checkParts("service", reflect.ValueOf(s), ServiceFields)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: %v, want %s", name, err, c.want)
		}
	}
	ok := types.ServiceConfig{Name: "web"}
	ok.Deploy = &types.DeployConfig{Resources: types.Resources{Limits: &types.Resource{MemoryBytes: 1 << 20, NanoCPUs: 1}}}
	if err := checkParts("service", reflect.ValueOf(ok), ServiceFields); err != nil {
		t.Errorf("limits of memory and cpus: %v", err)
	}
}

// Every nested table but the build section's has a Kubernetes column with the same
// fields.
func TestKubePartsCoverEveryPart(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range Parts {
		key := p.Scope + " " + p.Path
		if p.Path == "build" || strings.HasPrefix(p.Path, "build.") {
			continue
		}
		seen[key] = true
		kube, ok := KubeParts[key]
		if !ok {
			t.Errorf("%s has no Kubernetes table in KubeParts", key)
			continue
		}
		for name := range p.Fields {
			if _, ok := kube[name]; !ok {
				t.Errorf("%s: field %q has no Kubernetes entry", key, name)
			}
		}
		for name := range kube {
			if _, ok := p.Fields[name]; !ok {
				t.Errorf("%s: Kubernetes entry %q is not a field of the part", key, name)
			}
		}
	}
	for key := range KubeParts {
		if !seen[key] {
			t.Errorf("KubeParts has %s, which Parts does not", key)
		}
	}
}

func TestCompatibilityDocIsCurrent(t *testing.T) {
	path := filepath.Join("..", "docs", "compatibility.md")
	want := CompatibilityDoc()
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil || string(got) != want {
		t.Fatalf("docs/compatibility.md is stale (%v): run `make docs`", err)
	}
}
