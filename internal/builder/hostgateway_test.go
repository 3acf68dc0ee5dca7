package builder

import (
	"strings"
	"testing"
)

func TestWithHostGateway(t *testing.T) {
	spec := Spec{ExtraHosts: []string{"host.docker.internal:host-gateway", "db:10.0.0.2"}}
	got, err := withHostGateway(spec, hostOfRunSteps, "")
	if err != nil || strings.Join(got.ExtraHosts, " ") != "host.docker.internal:127.0.0.1 db:10.0.0.2" {
		t.Errorf("with a gateway: %v, %v", got.ExtraHosts, err)
	}
	if spec.ExtraHosts[0] != "host.docker.internal:host-gateway" {
		t.Errorf("the caller's spec changed: %v", spec.ExtraHosts)
	}
	_, err = withHostGateway(spec, "", "no gateway known")
	if err == nil || err.Error() != "build.extra_hosts: host.docker.internal:host-gateway: no gateway known" {
		t.Errorf("without a gateway: %v", err)
	}
	if got, err := withHostGateway(Spec{ExtraHosts: []string{"db:10.0.0.2"}}, "", "no gateway known"); err != nil || len(got.ExtraHosts) != 1 {
		t.Errorf("no host-gateway, no gateway: %v, %v", got.ExtraHosts, err)
	}
}
