package containerd

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/containerd/containerd/v2/core/containers"
	"github.com/containerd/containerd/v2/pkg/oci"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"berth.dev/berth/internal/gpu"
)

// injectDevices gives the container the CDI devices the engine resolved for it:
// last of the spec options, so their environment and mounts join the service's.
func (r *Runtime) injectDevices(service string, names []string) oci.SpecOpts {
	return func(_ context.Context, _ oci.Client, _ *containers.Container, sp *oci.Spec) error {
		if r.o.Devices == nil {
			return fmt.Errorf("service %q: devices %s: berth reads no CDI specs here", service, strings.Join(names, ", "))
		}
		if err := r.o.Devices.Inject(sp, names); err != nil {
			return fmt.Errorf("service %q: %w", service, err)
		}
		return nil
	}
}

// deviceOpts give the container the host devices it names (devices), the device
// cgroup rules it asks for (device_cgroup_rules), its block IO weights and
// throttles (blkio_config) and its swappiness (mem_swappiness), as Docker does.
func deviceOpts(s types.ServiceConfig) ([]oci.SpecOpts, error) {
	var opts []oci.SpecOpts
	for _, d := range s.Devices {
		if gpu.IsCDIName(d.Source) {
			continue // a CDI device: resolved by the engine, injected by injectDevices
		}
		target, perms := d.Target, d.Permissions
		if target == "" {
			target = d.Source
		}
		if perms == "" {
			perms = "rwm"
		}
		if strings.Trim(perms, "rwm") != "" {
			return nil, fmt.Errorf("service %q: devices: %s: permissions %q: want a mix of r, w and m", s.Name, d.Source, perms)
		}
		if _, err := os.Stat(d.Source); err != nil {
			return nil, fmt.Errorf("service %q: devices: %w", s.Name, err)
		}
		opts = append(opts, oci.WithDevices(d.Source, target, perms))
	}
	var rules []specs.LinuxDeviceCgroup
	for _, r := range s.DeviceCgroupRules {
		rule, err := parseDeviceRule(r)
		if err != nil {
			return nil, fmt.Errorf("service %q: device_cgroup_rules: %w", s.Name, err)
		}
		rules = append(rules, rule)
	}
	var blkio *specs.LinuxBlockIO
	if b := s.BlkioConfig; b != nil {
		var err error
		if blkio, err = blockIO(*b); err != nil {
			return nil, fmt.Errorf("service %q: blkio_config: %w", s.Name, err)
		}
	}
	swappiness := uint64(s.MemSwappiness)
	if swappiness > 100 {
		return nil, fmt.Errorf("service %q: mem_swappiness %d: want 0 to 100", s.Name, swappiness)
	}
	if len(rules) > 0 || blkio != nil || swappiness > 0 {
		opts = append(opts, func(_ context.Context, _ oci.Client, _ *containers.Container, sp *oci.Spec) error {
			r := linuxResources(sp)
			r.Devices = append(r.Devices, rules...)
			if blkio != nil {
				r.BlockIO = blkio
			}
			if swappiness > 0 {
				if r.Memory == nil {
					r.Memory = &specs.LinuxMemory{}
				}
				r.Memory.Swappiness = &swappiness
			}
			return nil
		})
	}
	return opts, nil
}

// parseDeviceRule reads Docker's "type major:minor access", * for any number.
func parseDeviceRule(rule string) (specs.LinuxDeviceCgroup, error) {
	fields := strings.Fields(rule)
	bad := fmt.Errorf("%q: want TYPE MAJOR:MINOR ACCESS, as in \"c 1:3 rwm\"", rule)
	if len(fields) != 3 || !strings.Contains("abc", fields[0]) || len(fields[0]) != 1 || strings.Trim(fields[2], "rwm") != "" {
		return specs.LinuxDeviceCgroup{}, bad
	}
	majS, minS, ok := strings.Cut(fields[1], ":")
	if !ok {
		return specs.LinuxDeviceCgroup{}, bad
	}
	num := func(v string) (*int64, error) {
		if v == "*" {
			return nil, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, bad
		}
		return &n, nil
	}
	maj, err := num(majS)
	if err != nil {
		return specs.LinuxDeviceCgroup{}, err
	}
	minor, err := num(minS)
	if err != nil {
		return specs.LinuxDeviceCgroup{}, err
	}
	return specs.LinuxDeviceCgroup{Allow: true, Type: fields[0], Major: maj, Minor: minor, Access: fields[2]}, nil
}

// blockIO is blkio_config as the OCI spec has it, the devices by their numbers.
func blockIO(b types.BlkioConfig) (*specs.LinuxBlockIO, error) {
	out := &specs.LinuxBlockIO{}
	if b.Weight != 0 {
		w := b.Weight
		out.Weight = &w
	}
	for _, d := range b.WeightDevice {
		n, err := deviceNumbers(d.Path)
		if err != nil {
			return nil, fmt.Errorf("weight_device: %w", err)
		}
		w := d.Weight
		out.WeightDevice = append(out.WeightDevice, specs.LinuxWeightDevice{LinuxBlockIODevice: n, Weight: &w})
	}
	for _, t := range []struct {
		field string
		from  []types.ThrottleDevice
		into  *[]specs.LinuxThrottleDevice
	}{
		{"device_read_bps", b.DeviceReadBps, &out.ThrottleReadBpsDevice},
		{"device_write_bps", b.DeviceWriteBps, &out.ThrottleWriteBpsDevice},
		{"device_read_iops", b.DeviceReadIOps, &out.ThrottleReadIOPSDevice},
		{"device_write_iops", b.DeviceWriteIOps, &out.ThrottleWriteIOPSDevice},
	} {
		for _, d := range t.from {
			n, err := deviceNumbers(d.Path)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", t.field, err)
			}
			*t.into = append(*t.into, specs.LinuxThrottleDevice{LinuxBlockIODevice: n, Rate: uint64(d.Rate)})
		}
	}
	return out, nil
}

// deviceNumbers are the major and minor numbers of the device node at path.
func deviceNumbers(path string) (specs.LinuxBlockIODevice, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return specs.LinuxBlockIODevice{}, fmt.Errorf("%s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFBLK && st.Mode&unix.S_IFMT != unix.S_IFCHR {
		return specs.LinuxBlockIODevice{}, fmt.Errorf("%s is not a device", path)
	}
	return specs.LinuxBlockIODevice{Major: int64(unix.Major(uint64(st.Rdev))), Minor: int64(unix.Minor(uint64(st.Rdev)))}, nil
}
