package network

import (
	"errors"
	"testing"
)

func TestSCTPPortOnThisKernel(t *testing.T) {
	_, err := normalizePorts([]Port{{HostPort: 18799, ContainerPort: 9000, Protocol: "SCTP"}}, nil)
	if SCTPSupported() {
		if err != nil {
			t.Errorf("an sctp port on a kernel with SCTP: %v", err)
		}
		return
	}
	if !errors.Is(err, ErrNoSCTP) || err.Error() != `field "ports": 9000/sctp: `+ErrNoSCTP.Error() {
		t.Errorf("an sctp port on a kernel without SCTP: %v", err)
	}
}
