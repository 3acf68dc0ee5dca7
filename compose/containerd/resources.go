package containerd

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/pkg/oci"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// cfsPeriod is the CFS period cpus: converts with, as Docker does (100ms).
const cfsPeriod = 100000

// limitsOpts are the service's privileges and resource limits, with Docker's
// meaning: capabilities, privileged, a read-only root, tmpfs mounts, /dev/shm,
// sysctls, ulimits, memory, CPU and pids limits, OOM settings.
func limitsOpts(s types.ServiceConfig) ([]oci.SpecOpts, error) {
	var opts []oci.SpecOpts
	if s.Privileged {
		opts = append(opts, oci.WithPrivileged, oci.WithAllDevicesAllowed, oci.WithHostDevices)
	}
	// Drop first, then add: "cap_drop: [ALL], cap_add: [NET_BIND_SERVICE]" keeps one.
	if drop := capNames(s.CapDrop); len(drop) > 0 {
		if slices.Contains(drop, "CAP_ALL") {
			opts = append(opts, oci.WithCapabilities(nil))
		} else {
			opts = append(opts, oci.WithDroppedCapabilities(drop))
		}
	}
	if add := capNames(s.CapAdd); len(add) > 0 {
		if slices.Contains(add, "CAP_ALL") {
			opts = append(opts, oci.WithAllCurrentCapabilities)
		} else {
			opts = append(opts, oci.WithAddedCapabilities(add))
		}
	}
	if s.ReadOnly {
		opts = append(opts, oci.WithRootFSReadonly())
	}
	if len(s.Tmpfs) > 0 {
		var mounts []specs.Mount
		for _, t := range s.Tmpfs {
			target, extra, _ := strings.Cut(t, ":")
			o := []string{"nosuid", "nodev", "noexec"}
			if extra != "" {
				o = append(o, strings.Split(extra, ",")...)
			}
			mounts = append(mounts, specs.Mount{Destination: target, Type: "tmpfs", Source: "tmpfs", Options: o})
		}
		opts = append(opts, oci.WithMounts(mounts))
	}
	if s.ShmSize > 0 {
		opts = append(opts, oci.WithDevShmSize(int64(s.ShmSize)/1024))
	}
	if len(s.Sysctls) > 0 {
		sysctls := map[string]string{}
		for k, v := range s.Sysctls {
			sysctls[k] = v
		}
		opts = append(opts, withSysctls(sysctls))
	}
	names := make([]string, 0, len(s.Ulimits))
	for name := range s.Ulimits {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		u := s.Ulimits[name]
		soft, hard := u.Soft, u.Hard
		if u.Single != 0 {
			soft, hard = u.Single, u.Single
		}
		opts = append(opts, oci.WithRlimit(&specs.POSIXRlimit{Type: "RLIMIT_" + strings.ToUpper(name), Soft: uint64(soft), Hard: uint64(hard)}))
	}

	limits, reservations := &types.Resource{}, &types.Resource{}
	if s.Deploy != nil {
		if s.Deploy.Resources.Limits != nil {
			limits = s.Deploy.Resources.Limits
		}
		if s.Deploy.Resources.Reservations != nil {
			reservations = s.Deploy.Resources.Reservations
		}
	}
	memory := firstNonZero(int64(s.MemLimit), int64(limits.MemoryBytes))
	if memory > 0 {
		opts = append(opts, oci.WithMemoryLimit(uint64(memory)))
	}
	if s.MemSwapLimit != 0 {
		opts = append(opts, oci.WithMemorySwap(int64(s.MemSwapLimit)))
	}
	if r := firstNonZero(int64(s.MemReservation), int64(reservations.MemoryBytes)); r > 0 {
		opts = append(opts, withMemoryReservation(r))
	}
	cpus := float64(s.CPUS)
	if cpus == 0 {
		cpus = float64(limits.NanoCPUs)
	}
	switch {
	case cpus > 0:
		opts = append(opts, oci.WithCPUCFS(int64(cpus*cfsPeriod), cfsPeriod))
	case s.CPUQuota != 0 || s.CPUPeriod != 0:
		period := uint64(s.CPUPeriod)
		if period == 0 {
			period = cfsPeriod
		}
		opts = append(opts, oci.WithCPUCFS(s.CPUQuota, period))
	}
	if s.CPUShares > 0 {
		opts = append(opts, oci.WithCPUShares(uint64(s.CPUShares)))
	}
	if s.CPUSet != "" {
		opts = append(opts, oci.WithCPUs(s.CPUSet))
	}
	if pids := firstNonZero(s.PidsLimit, limits.Pids); pids != 0 {
		opts = append(opts, oci.WithPidsLimit(pids))
	}
	if s.OomKillDisable || s.OomScoreAdj != 0 {
		opts = append(opts, withOOM(s.OomKillDisable, int(s.OomScoreAdj)))
	}
	return opts, nil
}

// capNames writes capabilities as the OCI spec does: upper case, CAP_ prefixed.
func capNames(caps []string) []string {
	out := make([]string, 0, len(caps))
	for _, c := range caps {
		c = strings.ToUpper(c)
		if !strings.HasPrefix(c, "CAP_") {
			c = "CAP_" + c
		}
		out = append(out, c)
	}
	return out
}

func firstNonZero(vs ...int64) int64 {
	for _, v := range vs {
		if v != 0 {
			return v
		}
	}
	return 0
}

func withSysctls(sysctls map[string]string) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		if s.Linux == nil {
			s.Linux = &specs.Linux{}
		}
		if s.Linux.Sysctl == nil {
			s.Linux.Sysctl = map[string]string{}
		}
		for k, v := range sysctls {
			s.Linux.Sysctl[k] = v
		}
		return nil
	}
}

func linuxResources(s *oci.Spec) *specs.LinuxResources {
	if s.Linux == nil {
		s.Linux = &specs.Linux{}
	}
	if s.Linux.Resources == nil {
		s.Linux.Resources = &specs.LinuxResources{}
	}
	return s.Linux.Resources
}

func withMemoryReservation(bytes int64) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		r := linuxResources(s)
		if r.Memory == nil {
			r.Memory = &specs.LinuxMemory{}
		}
		r.Memory.Reservation = &bytes
		return nil
	}
}

func withOOM(disableKiller bool, scoreAdj int) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, s *oci.Spec) error {
		if disableKiller {
			r := linuxResources(s)
			if r.Memory == nil {
				r.Memory = &specs.LinuxMemory{}
			}
			r.Memory.DisableOOMKiller = &disableKiller
		}
		if scoreAdj != 0 {
			if s.Process == nil {
				s.Process = &specs.Process{}
			}
			s.Process.OOMScoreAdj = &scoreAdj
		}
		return nil
	}
}
