package containerd

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	v1 "github.com/containerd/cgroups/v3/cgroup1/stats"
	v2 "github.com/containerd/cgroups/v3/cgroup2/stats"
	"github.com/containerd/typeurl/v2"

	"berth.dev/berth/compose"
)

// Stats samples a running container's resource use from its cgroup (v1 or v2, as
// containerd reports it) and its network namespace.
func (r *Runtime) Stats(ctx context.Context, id string) (compose.Stats, error) {
	task, err := r.task(ctx, id)
	if err != nil {
		return compose.Stats{}, err
	}
	m, err := task.Metrics(ctx)
	if err != nil {
		return compose.Stats{}, err
	}
	data, err := typeurl.UnmarshalAny(m.Data)
	if err != nil {
		return compose.Stats{}, err
	}
	s := compose.Stats{Time: time.Now()}
	switch v := data.(type) {
	case *v1.Metrics:
		if v.CPU != nil && v.CPU.Usage != nil {
			s.CPUNanos = v.CPU.Usage.Total
		}
		if mem := v.Memory; mem != nil && mem.Usage != nil {
			s.MemUsage = saturatingSub(mem.Usage.Usage, mem.TotalInactiveFile)
			s.MemLimit = mem.Usage.Limit
		}
		if v.Blkio != nil {
			for _, e := range v.Blkio.IoServiceBytesRecursive {
				switch strings.ToLower(e.Op) {
				case "read":
					s.BlockRead += e.Value
				case "write":
					s.BlockWrite += e.Value
				}
			}
		}
		if v.Pids != nil {
			s.Pids = v.Pids.Current
		}
	case *v2.Metrics:
		if v.CPU != nil {
			s.CPUNanos = v.CPU.UsageUsec * 1000
		}
		if mem := v.Memory; mem != nil {
			s.MemUsage = saturatingSub(mem.Usage, mem.InactiveFile)
			s.MemLimit = mem.UsageLimit
		}
		if v.Io != nil {
			for _, e := range v.Io.Usage {
				s.BlockRead += e.Rbytes
				s.BlockWrite += e.Wbytes
			}
		}
		if v.Pids != nil {
			s.Pids = v.Pids.Current
		}
	default:
		return compose.Stats{}, fmt.Errorf("unknown metrics type %T", data)
	}
	if host := hostMemory(); host > 0 && (s.MemLimit == 0 || s.MemLimit > host) {
		s.MemLimit = host // "no limit" reads as the host's memory, as in docker stats
	}
	s.NetRx, s.NetTx = netIO(task.Pid())
	return s, nil
}

func saturatingSub(a, b uint64) uint64 {
	if b > a {
		return 0
	}
	return a - b
}

// netIO sums the bytes through the container's interfaces but lo.
func netIO(pid uint32) (rx, tx uint64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/net/dev", pid))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || strings.TrimSpace(name) == "lo" {
			continue
		}
		fields := strings.Fields(rest)
		if len(fields) < 9 {
			continue
		}
		r, _ := strconv.ParseUint(fields[0], 10, 64)
		t, _ := strconv.ParseUint(fields[8], 10, 64)
		rx, tx = rx+r, tx+t
	}
	return rx, tx
}

func hostMemory() uint64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fields := strings.Fields(sc.Text()); len(fields) >= 2 && fields[0] == "MemTotal:" {
			kb, _ := strconv.ParseUint(fields[1], 10, 64)
			return kb * 1024
		}
	}
	return 0
}
