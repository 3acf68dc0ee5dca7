// Package gpu gives containers the devices a compose file asks for (gpus:, device
// reservations, CDI names in devices:, runtime: nvidia) through the Container Device
// Interface: it reads the host's CDI specs, resolves each request into concrete CDI
// device names, and injects those into a container's OCI spec.
package gpu

import (
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"tags.cncf.io/container-device-interface/pkg/parser"
)

// DefaultKind is the CDI kind of a request that names no driver, or driver nvidia:
// what docker gives for --gpus.
const DefaultKind = "nvidia.com/gpu"

// Request is one ask for devices of one CDI kind, by count or by name.
type Request struct {
	Field string // where the file asks, for errors: "gpus", "devices[0]"
	Kind  string // vendor.com/class
	All   bool   // every device of the kind
	Count int    // the first Count devices, by index
	IDs   []string
}

// KindOfDriver maps a compose driver onto a CDI kind, by one rule a user can
// predict: no driver or "nvidia" is nvidia.com/gpu (docker's --gpus); a driver that
// is itself a kind (vendor.com/class) is that kind; any other driver D is D.com/gpu
// (amd: amd.com/gpu, the kind AMD's CDI specs use). Driver "cdi" takes device_ids
// as qualified CDI names, as docker's cdi driver does.
func KindOfDriver(driver string) string {
	switch {
	case driver == "" || driver == "nvidia":
		return DefaultKind
	case strings.Contains(driver, "/"):
		return driver
	default:
		return driver + ".com/gpu"
	}
}

// IsCDIName tells a devices: entry that names a CDI device (vendor.com/class=name)
// from a host path.
func IsCDIName(s string) bool {
	return !strings.HasPrefix(s, "/") && parser.IsQualifiedName(s)
}

// Requests lists what the service asks for, in the order of the file's fields.
func Requests(s types.ServiceConfig) ([]Request, error) {
	var out []Request
	for i, d := range s.Gpus {
		r, err := deviceRequest(fmt.Sprintf("gpus[%d]", i), d)
		if err != nil {
			return nil, err
		}
		out = append(out, r...)
	}
	if s.Deploy != nil && s.Deploy.Resources.Reservations != nil {
		for i, d := range s.Deploy.Resources.Reservations.Devices {
			field := fmt.Sprintf("deploy.resources.reservations.devices[%d]", i)
			if !IsGPURequest(d) {
				return nil, fmt.Errorf("field %q: capabilities %v: berth gives GPUs (capabilities: [gpu]) and nothing else", field, d.Capabilities)
			}
			r, err := deviceRequest(field, d)
			if err != nil {
				return nil, err
			}
			out = append(out, r...)
		}
	}
	for i, d := range s.Devices {
		if !IsCDIName(d.Source) {
			continue
		}
		field := fmt.Sprintf("devices[%d]", i)
		if d.Target != "" && d.Target != d.Source {
			return nil, fmt.Errorf("field %q: %s: a CDI device takes no target", field, d.Source)
		}
		kind, name, _ := strings.Cut(d.Source, "=")
		if name == "all" {
			out = append(out, Request{Field: field, Kind: kind, All: true})
		} else {
			out = append(out, Request{Field: field, Kind: kind, IDs: []string{name}})
		}
	}
	if r, ok := legacyRuntime(s); ok {
		out = append(out, r...)
	}
	return out, nil
}

// IsGPURequest is a device reservation berth turns into GPUs: one with the gpu
// capability (docker compose requires capabilities; nvidia is the NVIDIA driver's
// own name for it).
func IsGPURequest(d types.DeviceRequest) bool {
	for _, c := range d.Capabilities {
		if c == "gpu" || c == "nvidia" {
			return true
		}
	}
	return false
}

// deviceRequest reads one compose device request. compose-go already refuses count
// with device_ids, and sets count: all where neither is given.
func deviceRequest(field string, d types.DeviceRequest) ([]Request, error) {
	if d.Driver == "cdi" {
		// docker's cdi driver: device_ids are qualified CDI names.
		var out []Request
		for _, id := range d.IDs {
			if !IsCDIName(id) {
				return nil, fmt.Errorf("field %q: driver cdi: device id %q is not a CDI name (vendor.com/class=name)", field, id)
			}
			kind, name, _ := strings.Cut(id, "=")
			out = append(out, Request{Field: field, Kind: kind, IDs: []string{name}})
		}
		return out, nil
	}
	kind := KindOfDriver(d.Driver)
	if err := parser.ValidateVendorName(vendorOf(kind)); err != nil || !strings.Contains(kind, "/") {
		return nil, fmt.Errorf("field %q: driver %q does not name a CDI kind", field, d.Driver)
	}
	r := Request{Field: field, Kind: kind}
	switch {
	case len(d.IDs) > 0:
		r.IDs = d.IDs
	case d.Count < 0:
		r.All = true
	case d.Count == 0:
		return nil, nil
	default:
		r.Count = int(d.Count)
	}
	return []Request{r}, nil
}

func vendorOf(kind string) string {
	v, _ := parser.ParseQualifier(kind)
	return v
}

// legacyRuntime reads runtime: nvidia, the spelling before device requests: the
// devices NVIDIA_VISIBLE_DEVICES names ("all", or ids separated by commas; "none",
// "void" or empty give none). Where the file does not set it, all: berth cannot see
// the image's environment at plan time, and the CUDA images set it to all.
func legacyRuntime(s types.ServiceConfig) ([]Request, bool) {
	if s.Runtime != "nvidia" {
		return nil, false
	}
	field := "runtime"
	val := "all"
	if v, ok := s.Environment["NVIDIA_VISIBLE_DEVICES"]; ok && v != nil {
		val, field = strings.TrimSpace(*v), "environment.NVIDIA_VISIBLE_DEVICES"
	}
	switch val {
	case "all":
		return []Request{{Field: field, Kind: DefaultKind, All: true}}, true
	case "", "none", "void":
		return nil, true
	}
	var ids []string
	for _, id := range strings.Split(val, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	return []Request{{Field: field, Kind: DefaultKind, IDs: ids}}, true
}

// ParseFlag reads docker run's --gpus: "all", a count, or comma-separated
// key=value pairs (count, device, driver, capabilities), as in '"device=0,1"'.
func ParseFlag(v string) (types.DeviceRequest, error) {
	v = strings.TrimSpace(v)
	req := types.DeviceRequest{Capabilities: []string{"gpu"}}
	if v == "all" {
		req.Count = -1
		return req, nil
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n <= 0 {
			return req, fmt.Errorf("--gpus %s: want a count above 0, all, or device=ID[,ID...]", v)
		}
		req.Count = types.DeviceCount(n)
		return req, nil
	}
	// docker reads the value as CSV, so device=0,1 arrives quoted: "device=0,1".
	fields, err := csv.NewReader(strings.NewReader(v)).Read()
	if err != nil {
		return req, fmt.Errorf("--gpus %s: %w", v, err)
	}
	seenCount := false
	for _, f := range fields {
		key, val, ok := strings.Cut(f, "=")
		if !ok {
			if f == "all" {
				req.Count, seenCount = -1, true
				continue
			}
			return req, fmt.Errorf("--gpus %s: %q: want key=value (count, device, driver, capabilities)", v, f)
		}
		switch key {
		case "count":
			seenCount = true
			if val == "all" {
				req.Count = -1
			} else if n, err := strconv.Atoi(val); err == nil && n > 0 {
				req.Count = types.DeviceCount(n)
			} else {
				return req, fmt.Errorf("--gpus %s: count %q: want a number above 0 or all", v, val)
			}
		case "device":
			req.IDs = strings.Split(val, ",")
		case "driver":
			req.Driver = val
		case "capabilities":
			req.Capabilities = strings.Split(val, ",")
		default:
			return req, fmt.Errorf("--gpus %s: %q: want count, device, driver or capabilities", v, key)
		}
	}
	switch {
	case seenCount && len(req.IDs) > 0:
		return req, fmt.Errorf("--gpus %s: count and device are exclusive", v)
	case !seenCount && len(req.IDs) == 0:
		req.Count = -1
	}
	return req, nil
}
