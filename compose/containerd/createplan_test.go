package containerd

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	ctrd "github.com/containerd/containerd/v2/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"berth.dev/berth/compose"
	"berth.dev/berth/network"
)

// The plan and the labels of a service with a restart policy, a healthcheck of the
// image, a published port and a stdin: what up gives containerd, from the service
// and the image alone, and from what the making step made.
func TestCreateLabelsGolden(t *testing.T) {
	s := types.ServiceConfig{Name: "web", Restart: "on-failure:3"}
	s.Image, s.Tty, s.StdinOpen, s.NetworkMode = "127.0.0.1:5050/berth/web:1", true, true, "bridge"
	s.Command = types.ShellCommand{"httpd", "-f"}
	s.Ports = []types.ServicePortConfig{{Target: 80, Published: "8080", Protocol: "tcp"}}
	img := imageFacts{
		Config: ocispec.ImageConfig{Entrypoint: []string{"/bin/busybox"}, StopSignal: "SIGQUIT"},
		Digest: "sha256:0123",
		Check:  &dockerHealthcheck{Test: []string{"CMD", "true"}, Interval: time.Second, Retries: 2},
	}
	plan, err := planCreate(s, img, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	req := compose.CreateRequest{Service: s, Name: "proj-web-1",
		Labels:   map[string]string{"com.docker.compose.project": "proj", "com.docker.compose.service": "web"},
		Networks: []compose.Attachment{{Network: "proj_default", Aliases: []string{"web"}}}}
	made := madeParts{
		LogURI:   "binary:///var/lib/berth/test/bin/berth-logdriver?_logdriver=/var/lib/berth/test/logs/c1.log",
		Ports:    withHostPorts(s.Ports, plan.Ports),
		Endpoint: &network.Endpoint{ContainerID: "c1", ContainerName: "proj-web-1", NetNS: "/run/berth/test/netns/c1"},
	}
	checkGolden(t, "create-plan.golden.json", plan)
	checkGolden(t, "create-labels.golden.json", containerLabels(req, s, plan, made))
}

// Every field planCreate checks refuses the service, naming the field.
func TestPlanCreateRefuses(t *testing.T) {
	img := imageFacts{Config: ocispec.ImageConfig{Cmd: []string{"sh"}}}
	for field, edit := range map[string]func(*types.ServiceConfig){
		"stop_signal": func(s *types.ServiceConfig) { s.StopSignal = "SIGNOPE" },
		"restart":     func(s *types.ServiceConfig) { s.Restart = "sometimes" },
		"runtime":     func(s *types.ServiceConfig) { s.Runtime = "no/such runtime" },
		"healthcheck": func(s *types.ServiceConfig) { s.HealthCheck = &types.HealthCheckConfig{Test: []string{"WHAT"}} },
		"no command":  func(s *types.ServiceConfig) { s.Entrypoint = types.ShellCommand{} },
	} {
		s := types.ServiceConfig{Name: "web"}
		s.Image = "busybox"
		edit(&s)
		if field == "no command" {
			img.Config.Cmd = nil
		}
		_, err := planCreate(s, img, t.TempDir())
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: planCreate: %v, want an error naming %s", field, err, field)
		}
		img.Config.Cmd = []string{"sh"}
	}
}

// A bad stop_signal is refused before anything is made: no copy of a binary, no
// record of a creation, no namespace, no volume, no containerd container (this
// runtime has no containerd: reaching for it would panic).
func TestCreateRefusesBeforeMaking(t *testing.T) {
	state, run := t.TempDir(), t.TempDir()
	r := &Runtime{o: Options{StateDir: state, RunDir: run, Namespace: "test"}, seen: map[string]ctrd.Container{},
		images: func(context.Context, types.ServiceConfig) (ctrd.Image, imageFacts, error) {
			return nil, imageFacts{Config: ocispec.ImageConfig{Cmd: []string{"sh"}}}, nil
		}}
	s := types.ServiceConfig{Name: "web"}
	s.Image, s.StopSignal = "busybox", "SIGNOPE"
	s.Volumes = []types.ServiceVolumeConfig{{Type: types.VolumeTypeVolume, Source: "data", Target: "/data"}}
	req := compose.CreateRequest{Project: &types.Project{Name: "proj", WorkingDir: t.TempDir()}, Service: s, Name: "proj-web-1",
		Networks: []compose.Attachment{{Network: "proj_default"}}, Volumes: map[string]string{"data": "proj_data"}}
	_, err := r.Create(context.Background(), req)
	if err == nil || !strings.Contains(err.Error(), `service "web": stop_signal`) {
		t.Fatalf("Create: %v, want the stop_signal refused", err)
	}
	for _, dir := range []string{state, run} {
		if entries, _ := os.ReadDir(dir); len(entries) > 0 {
			t.Errorf("%s holds %d entries after a refused create (first: %s), want none", dir, len(entries), entries[0].Name())
		}
	}
}
