package containerd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	apitask "github.com/containerd/containerd/api/types/task"
	"github.com/containerd/containerd/v2/core/containers"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"berth.dev/berth/compose"
)

// What ps shows of a container beyond its state: since when it runs or when it
// exited, its networks and its mounts, as docker's listing has them.

// times fills when the container's process started and when it last exited.
// containerd keeps the exit time; the start is the process's own, from /proc, as
// berth runs on the host where the task's process is.
func times(cc *compose.Container, t *apitask.Process) {
	if t == nil {
		return
	}
	if t.ExitedAt != nil && t.ExitedAt.AsTime().Unix() > 0 {
		cc.FinishedAt = t.ExitedAt.AsTime()
	}
	if t.Pid != 0 && (cc.State == compose.StateRunning || cc.State == compose.StatePaused) {
		cc.StartedAt = processStart(t.Pid)
	}
}

// clockTicks is USER_HZ, the unit of /proc's times: 100 on every Linux ABI.
const clockTicks = 100

var bootTime = sync.OnceValue(func() time.Time {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return time.Time{}
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "btime "); ok {
			if s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
				return time.Unix(s, 0)
			}
		}
	}
	return time.Time{}
})

// processStart is when process pid started; zero when that cannot be read.
func processStart(pid uint32) time.Time {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	boot := bootTime()
	if err != nil || boot.IsZero() {
		return time.Time{}
	}
	// The command name, in parentheses, may hold spaces: fields count after its end.
	end := bytes.LastIndexByte(b, ')')
	if end < 0 {
		return time.Time{}
	}
	fields := strings.Fields(string(b[end+1:]))
	// starttime is field 22 of the line; fields here begin at field 3.
	if len(fields) < 20 {
		return time.Time{}
	}
	ticks, err := strconv.ParseUint(fields[19], 10, 64)
	if err != nil {
		return time.Time{}
	}
	return boot.Add(time.Duration(ticks) * time.Second / clockTicks)
}

// networksOf names the networks the container is on, or its network mode (host,
// none) when it is on none of berth's.
func networksOf(labels map[string]string) []string {
	var out []string
	for _, a := range attachmentsOf(labels) {
		out = append(out, a.Network)
	}
	if mode := labels[labelNetworkMode]; len(out) == 0 && (mode == "host" || mode == "none") {
		out = []string{mode}
	}
	return out
}

// mountsOf names what the container mounts from the host, as docker lists it: a
// volume by its name, a bind by its host path; and counts the volumes.
func (r *Runtime) mountsOf(info containers.Container) ([]string, int) {
	// Most containers mount nothing: their spec is not decoded.
	label := info.Labels[labelMountTargets]
	if info.Spec == nil || label == "" {
		return nil, 0
	}
	targets := strings.Split(label, ",")
	var spec struct {
		Mounts []specs.Mount `json:"mounts"`
	}
	if err := json.Unmarshal(info.Spec.GetValue(), &spec); err != nil {
		return nil, 0
	}
	volumes := r.volumesDir() + string(filepath.Separator)
	var out []string
	n := 0
	for _, m := range spec.Mounts {
		if m.Type == "tmpfs" || !slices.Contains(targets, m.Destination) {
			continue
		}
		if rest, ok := strings.CutPrefix(m.Source, volumes); ok {
			name, _, _ := strings.Cut(rest, string(filepath.Separator))
			out = append(out, name)
			n++
			continue
		}
		out = append(out, m.Source)
	}
	return out, n
}
