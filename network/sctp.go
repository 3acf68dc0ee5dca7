package network

import (
	"errors"
	"fmt"
	"sync"
	"syscall"
)

// ErrNoSCTP is a published sctp port on a kernel without SCTP.
var ErrNoSCTP = errors.New("this kernel has no SCTP (the sctp module is not built or cannot be loaded)")

// SCTPSupported says whether the kernel speaks SCTP: making an SCTP socket loads
// the module where it can be loaded. portmap's DNAT rules for sctp ports would go
// in without it, and forward nothing.
var SCTPSupported = sync.OnceValue(func() bool {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, syscall.IPPROTO_SCTP)
	if err != nil {
		return false
	}
	syscall.Close(fd)
	return true
})

// checkSCTP refuses an sctp port on a kernel without SCTP, naming the port.
func checkSCTP(p Port) error {
	if p.Protocol == "sctp" && !SCTPSupported() {
		return fmt.Errorf("field \"ports\": %d/sctp: %w", p.ContainerPort, ErrNoSCTP)
	}
	return nil
}
