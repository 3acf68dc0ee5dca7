package compose

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
)

// TestPrintBake: build --print writes the bake file docker compose prints: the
// default group and one target per build, with --check as the check call and
// --provenance as an attest entry.
func TestPrintBake(t *testing.T) {
	v := "1"
	web, db := types.ServiceConfig{Name: "web"}, types.ServiceConfig{Name: "db"}
	web.Image, db.Image = "p-web", "redis"
	web.Build = &types.BuildConfig{Context: "/src/web", Dockerfile: "Dockerfile.dev", Args: types.MappingWithEquals{"V": &v},
		Tags: []string{"r.test/web:1"}, ExtraHosts: types.HostsList{"db": {"10.0.0.2"}}}
	p := &types.Project{Name: "p", WorkingDir: "/src", Services: types.Services{"web": web, "db": db}}
	plan, err := PlanBuilds(p, []string{"db", "web"}, Observed{}, BuildPolicy{Always: true})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	e := &Engine{Out: &out}
	if err := e.printBake(p, plan, BuildOptions{Check: true, Provenance: "mode=max", SSH: []types.SSHKey{{ID: "key", Path: "/k"}}}); err != nil {
		t.Fatal(err)
	}
	var got bakeFile
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	target := got.Target["web"]
	if len(got.Target) != 1 || len(got.Group["default"].Targets) != 1 || got.Group["default"].Targets[0] != "web" {
		t.Fatalf("targets: %s", out.String())
	}
	if target.Context != "/src/web" || target.Dockerfile != "Dockerfile.dev" || target.Args["V"] != "1" || target.ExtraHosts["db"] != "10.0.0.2" ||
		len(target.Tags) != 2 || target.Tags[0] != "p-web" || target.Call != "check" || len(target.SSH) != 1 || target.SSH[0] != "key=/k" || target.Outputs != nil ||
		len(target.Attest) != 1 || target.Attest[0] != "type=provenance,mode=max" {
		t.Errorf("target web: %s", out.String())
	}
}
