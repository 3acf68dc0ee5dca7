package compose

import (
	"errors"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/project"
)

// fakeDevices gives each service the devices its gpus: count asks for, of a host
// with two.
type fakeDevices struct{}

func (fakeDevices) Resolve(s types.ServiceConfig) ([]string, error) {
	if len(s.Gpus) == 0 {
		return nil, nil
	}
	if s.Gpus[0].Count > 2 {
		return nil, errors.New(`field "gpus[0]": 3 asked, the host has 2`)
	}
	return []string{"test.com/gpu=0", "test.com/gpu=1"}[:s.Gpus[0].Count], nil
}

func TestDevicesReachTheContainerAndItsLabel(t *testing.T) {
	p := loadProject(t, "services:\n  a: {image: x, gpus: [{driver: test.com/gpu, count: 2}]}\n  b: {image: x}\n")
	e := &Engine{Devices: fakeDevices{}}
	devices, err := e.resolveDevices(p, servicesOf(p, []string{"a", "b"})...)
	if err != nil {
		t.Fatal(err)
	}
	req, err := createRequest(p, p.Services["a"], Op{Target: "p-a-1", Service: "a", Number: 1}, Observed{Devices: devices})
	if err != nil {
		t.Fatal(err)
	}
	if got := req.Labels[LabelDevices]; got != "test.com/gpu=0,test.com/gpu=1" || len(req.Devices) != 2 {
		t.Errorf("label %q, devices %v", got, req.Devices)
	}
	if got := ContainerDevices(Container{Labels: req.Labels}); len(got) != 2 {
		t.Errorf("ContainerDevices = %v", got)
	}
	req, _ = createRequest(p, p.Services["b"], Op{Target: "p-b-1", Service: "b", Number: 1}, Observed{Devices: devices})
	if _, ok := req.Labels[LabelDevices]; ok || req.Devices != nil {
		t.Errorf("b got devices: %v", req.Devices)
	}
}

func TestDevicesRefusedNameFileAndService(t *testing.T) {
	p := loadProject(t, "services:\n  a: {image: x, gpus: [{driver: test.com/gpu, count: 3}]}\n")
	_, err := (&Engine{Devices: fakeDevices{}}).resolveDevices(p, p.Services["a"])
	if !errors.Is(err, project.ErrInvalid) || !strings.Contains(err.Error(), `service "a": field "gpus[0]": 3 asked`) || !strings.Contains(err.Error(), "compose.yaml") {
		t.Fatalf("err = %v", err)
	}
}
