package project

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// Support classifies one compose field: berth runs it, accepts it with a warning
// that it is ignored (Ignored: what docker compose itself ignores on one engine), or
// refuses it; Note says how or why.
type Support struct {
	Supported bool
	Ignored   bool
	Note      string
}

var (
	yes     = Support{Supported: true}
	notYet  = Support{Note: "not supported yet"}
	loaderH = Support{Supported: true, Note: "handled while loading"}
	// swarmOnly is a swarm setting docker compose accepts and ignores on one engine.
	swarmOnly = Support{Supported: true, Ignored: true, Note: "swarm only, as docker compose on one engine"}
)

// ServiceFields classifies every field of a service by its compose name. A field in a
// file that is not here, or not supported, stops the command before anything is made:
// berth never ignores part of a file in silence.
var ServiceFields = map[string]Support{
	"name": yes, "image": yes, "command": yes, "entrypoint": yes, "environment": yes,
	"env_file": loaderH, "volumes": yes, "working_dir": yes, "user": yes,
	"hostname": yes, "labels": yes, "restart": yes, "depends_on": yes,
	"container_name": yes, "tty": yes, "stdin_open": yes, "stop_signal": yes,
	"stop_grace_period": yes, "deploy": yes, "scale": yes, "profiles": loaderH,
	"extends": loaderH, "expose": {Supported: true, Note: "informational, as in Docker: every port is reachable on the service's networks"},
	"label_file": loaderH,
	"networks":   {Supported: true, Note: "aliases, ipv4_address, ipv6_address, mac_address, priority, gw_priority, interface_name, use_service_name_alias, link_local_ips; not driver_opts"},
	"ports":      {Supported: true, Note: "tcp, udp and sctp (where the kernel has SCTP), on IPv4 host addresses and, from an IPv6 network, IPv6 ones (tcp on ::1 through berth's agent, as docker's userland proxy); a host range or no host port gets a free one picked; mode host is published as ingress on one host"},

	"develop": {Supported: true, Note: "with berth watch and up --watch"}, "attach": notYet, "provider": notYet,
	"external_links": {Supported: true, Note: "NAME:ALIAS resolves, for this service only, to a container sharing one of its networks"},
	"links":          {Supported: true, Note: "SERVICE:ALIAS resolves for this service only, as in Docker; also a dependency"},
	"net":            notYet, "pre_start": notYet, "post_start": {Supported: true, Note: "run as exec runs, after each start; one that fails fails up"},
	"pre_stop":    {Supported: true, Note: "run as exec runs, before each stop signal; one that fails fails the stop"},
	"annotations": yes, "blkio_config": yes, "cap_add": yes, "cap_drop": yes,
	"cgroup_parent": notYet, "cgroup": yes, "cpu_count": notYet, "cpu_percent": notYet,
	"cpu_period": yes, "cpu_quota": yes, "cpu_rt_period": notYet, "cpu_rt_runtime": notYet,
	"cpus": yes, "cpuset": yes, "cpu_shares": yes, "configs": yes,
	"credential_spec": notYet, "device_cgroup_rules": yes, "devices": {Supported: true, Note: "host paths; a CDI name (`vendor.com/class=name`, `=all`) gives that CDI device"}, "dns": {Supported: true, Note: "berth's resolver forwards the container's queries for other names to them"},
	"dns_opt": yes, "dns_search": yes, "domainname": yes, "extra_hosts": yes,
	"group_add": yes, "gpus": {Supported: true, Note: "through CDI: see GPUs in the README"}, "init": yes, "ipc": yes, "isolation": notYet,
	"logging": {Supported: true, Note: "json-file, local and none; syslog, journald, gelf and fluentd through berth's log driver, which keeps the local log too"}, "log_driver": notYet, "log_opt": notYet, "mem_limit": yes,
	"mem_reservation": yes, "memswap_limit": yes, "mem_swappiness": yes,
	"mac_address": {Supported: true, Note: "on the service's first network"}, "models": notYet, "network_mode": {Supported: true, Note: "host, none, service:NAME, container:NAME; bridge is the project's default network"}, "oom_kill_disable": yes,
	"oom_score_adj": yes, "pid": yes, "pids_limit": yes, "platform": {Supported: true, Note: "a platform this host runs, or wasi/wasm with a wasm runtime (io.containerd.wasmedge.v1 …); the image is pulled or built (BuildKit) for it"},
	"privileged": yes, "pull_policy": {Supported: true, Note: "always, missing (the default), if_not_present, never, build, daily, weekly, every_<duration>"}, "pull_refresh_after": notYet, "read_only": yes,
	"runtime": {Supported: true, Note: "nvidia: the GPUs NVIDIA_VISIBLE_DEVICES names (all where unset), through CDI; else an OCI runtime binary on PATH (crun, runsc) run by runc's shim, or a containerd runtime (io.containerd.kata.v2) whose shim is on PATH"}, "secrets": yes, "security_opt": yes, "shm_size": yes,
	"storage_opt": notYet, "sysctls": yes, "tmpfs": yes, "ulimits": yes, "umask": notYet,
	"use_api_socket": notYet, "userns_mode": notYet, "uts": notYet, "volume_driver": notYet,
	"volumes_from": {Supported: true, Note: "services of the project, and container:NAME of a container berth made; :ro and :rw"}, "build": {Supported: true, Note: "with BuildKit (berth starts a buildkitd of its own), or buildah on request: see Build below"}, "dockerfile": notYet, "healthcheck": yes,
}

// ProjectFields, NetworkFields and VolumeFields classify the top level of a file and
// the fields of its networks and volumes, as ServiceFields does a service's.
var ProjectFields = map[string]Support{
	"name": yes, "services": yes, "networks": yes, "volumes": yes,
	"jobs": notYet, "secrets": yes, "configs": yes, "models": notYet,
}

var NetworkFields = map[string]Support{
	"name": yes, "labels": yes, "external": yes, "internal": yes,
	"driver":      {Supported: true, Note: "bridge only"},
	"ipam":        {Supported: true, Note: "an IPv4 subnet and, with enable_ipv6, an IPv6 one, each with gateway, ip_range and aux_addresses"},
	"attachable":  {Supported: true, Note: "every berth network is"},
	"enable_ipv4": {Supported: true, Note: "true only"},
	"driver_opts": {Supported: true, Note: DriverOptBridgeName + " and " + DriverOptMTU},
	"enable_ipv6": {Supported: true, Note: "a unique local /64 unless ipam gives the subnet"},
}

var VolumeFields = map[string]Support{
	"name": yes, "labels": yes, "external": yes,
	"driver":      {Supported: true, Note: "local only"},
	"driver_opts": {Supported: true, Note: "the local driver's type, o and device (a tmpfs, a bind of a host directory, a file system on a device), mounted when a container first uses the volume"},
}

// unsupported returns the first field of v set in a file that table does not mark
// supported, with the reason.
func unsupported(v reflect.Value, table map[string]Support) (string, string, bool) {
	for _, f := range setFields(v) {
		sup, known := table[f]
		if !known {
			return f, "not known to berth", true
		}
		if !sup.Supported {
			return f, sup.Note, true
		}
	}
	return "", "", false
}

// CheckSupported refuses, before anything is created, every field of the project that
// berth does not run: the error names the files, and each service and field, all at
// once. It returns a line for each field it accepts but ignores, for a warning.
func CheckSupported(p *types.Project) (ignored []string, err error) {
	files := FileNames(p)
	var refused []string
	add := func(where string, err error) {
		if err != nil {
			refused = append(refused, where+err.Error())
		}
	}
	for _, name := range p.ServiceNames() {
		s := p.Services[name]
		where := fmt.Sprintf("service %q: ", name)
		var f findings
		f.walk("service", "", "", reflect.ValueOf(s), ServiceFields, upPart)
		for _, r := range f.refused {
			refused = append(refused, where+r)
		}
		for _, i := range f.ignored {
			ignored = append(ignored, files+": "+where+i)
		}
		if len(f.refused) == 0 {
			add(where, checkServiceDetails(s))
			add(where, checkBuild(p, s))
		}
	}
	for _, key := range sortedKeys(p.Networks) {
		add(fmt.Sprintf("network %q: ", key), checkNetwork(p.Networks[key]))
	}
	add("", checkIPv6Addresses(p))
	add("", checkIPv6Ports(p))
	add("", checkBridgeNames(p.Networks))
	for _, key := range sortedKeys(p.Volumes) {
		add(fmt.Sprintf("volume %q: ", key), checkVolume(p.Volumes[key]))
	}
	if f, why, bad := unsupported(reflect.ValueOf(*p), ProjectFields); bad {
		refused = append(refused, fmt.Sprintf("top-level field %q is %s", f, why))
	}
	for _, kind := range []string{"config", "secret"} {
		objs := fileObjects(p)[kind]
		for _, key := range sortedKeys(objs) {
			o := objs[key]
			switch {
			case bool(o.External):
				refused = append(refused, fmt.Sprintf("%s %q: field \"external\" is not supported: berth has no secret store", kind, key))
			case o.Driver != "" || len(o.DriverOpts) > 0 || o.TemplateDriver != "":
				refused = append(refused, fmt.Sprintf("%s %q: drivers are not supported", kind, key))
			}
		}
	}
	if len(refused) > 0 {
		return nil, fmt.Errorf("%w: %s: %s", ErrInvalid, files, strings.Join(refused, "; "))
	}
	return ignored, nil
}

// checkServiceDetails looks inside the supported fields whose parts berth runs only
// in part.
func checkServiceDetails(s types.ServiceConfig) error {
	for _, v := range s.Volumes {
		if v.Type != types.VolumeTypeBind && v.Type != types.VolumeTypeVolume && v.Type != types.VolumeTypeTmpfs {
			return fmt.Errorf("field \"volumes\": type %q (%s) is not supported yet", v.Type, v.Target)
		}
		if v.Volume != nil && len(v.Volume.Labels) > 0 && v.Source != "" {
			return fmt.Errorf("field \"volumes\": volume.labels of %s: the labels of named volume %q are set under volumes:", v.Target, v.Source)
		}
	}
	for dep, d := range s.DependsOn {
		switch d.Condition {
		case types.ServiceConditionStarted, types.ServiceConditionHealthy, types.ServiceConditionCompletedSuccessfully:
		default:
			return fmt.Errorf("field \"depends_on.%s.condition\": %q is not supported yet", dep, d.Condition)
		}
	}
	if err := checkLinks(s); err != nil {
		return err
	}
	if err := checkMACs(s); err != nil {
		return err
	}
	if err := checkInterfaceNames(s); err != nil {
		return err
	}
	if err := checkLinkLocal(s); err != nil {
		return err
	}
	if m := s.NetworkMode; m != "" && m != "host" && m != "none" && !strings.HasPrefix(m, "service:") && !strings.HasPrefix(m, "container:") {
		return fmt.Errorf("field \"network_mode\": %q is not supported: use host, none, service:NAME, container:NAME or networks", m)
	}
	if err := checkNamespaceModes(s); err != nil {
		return err
	}
	if l := s.Logging; l != nil {
		switch l.Driver {
		case "", "json-file", "local", "none":
			for k := range l.Options {
				if k != "max-size" && k != "max-file" {
					return fmt.Errorf("field \"logging.options.%s\" is not supported yet (max-size and max-file are)", k)
				}
			}
		case "syslog", "journald", "gelf", "fluentd":
			// Their options are read, and their collector reached, before up makes anything.
		default:
			return fmt.Errorf("field \"logging.driver\": %q is not supported: use json-file, local, none, syslog, journald, gelf or fluentd", l.Driver)
		}
	}
	if err := checkPullPolicy(s); err != nil {
		return err
	}
	if err := checkPlatform(s.Platform, s.Runtime); err != nil {
		return err
	}
	if _, err := ResolveRuntime(s.Runtime); err != nil {
		return fmt.Errorf("field \"runtime\": %w", err)
	}
	r, err := ParseRestart(s.Restart)
	if err != nil {
		return fmt.Errorf("field \"restart\": %w", err)
	}
	if r.Policy != "no" && s.Tty {
		// containerd's restart monitor starts tasks without a terminal.
		return fmt.Errorf("field \"tty\" with restart %q is not supported yet", s.Restart)
	}
	return nil
}

// namespaceModes are the values pid, ipc and cgroup take, besides service:NAME and
// container:NAME where allowed.
var namespaceModes = map[string]struct {
	values []string
	shared bool
}{
	"pid":    {[]string{"", "host"}, true},
	"ipc":    {[]string{"", "private", "shareable", "host", "none"}, true},
	"cgroup": {[]string{"", "host", "private"}, false},
}

func checkNamespaceModes(s types.ServiceConfig) error {
	for field, mode := range map[string]string{"pid": s.Pid, "ipc": s.Ipc, "cgroup": s.Cgroup} {
		m := namespaceModes[field]
		if slices.Contains(m.values, mode) || (m.shared && (strings.HasPrefix(mode, "service:") || strings.HasPrefix(mode, "container:"))) {
			continue
		}
		return fmt.Errorf("field %q: %q is not supported", field, mode)
	}
	for _, o := range s.SecurityOpt {
		key, val, _ := strings.Cut(strings.Replace(o, ":", "=", 1), "=")
		switch {
		case !slices.Contains([]string{"no-new-privileges", "seccomp", "apparmor", "label", "systempaths"}, key):
			return fmt.Errorf("field \"security_opt\": %q is not supported (no-new-privileges, seccomp, apparmor, label and systempaths are)", o)
		case key == "apparmor" && val != "unconfined":
			return fmt.Errorf("field \"security_opt\": %q: AppArmor profiles are not supported yet (apparmor=unconfined is)", o)
		case key == "label" && val != "disable":
			return fmt.Errorf("field \"security_opt\": %q: SELinux labels are not supported yet (label=disable is)", o)
		}
	}
	return nil
}

func checkNetwork(n types.NetworkConfig) error {
	if err := checkParts("network", reflect.ValueOf(n), NetworkFields); err != nil {
		return err
	}
	switch {
	case n.Driver != "" && n.Driver != "bridge":
		return fmt.Errorf("driver %q is not supported: berth makes bridge networks", n.Driver)
	case n.EnableIPv4 != nil && !*n.EnableIPv4:
		return fmt.Errorf("field \"enable_ipv4\": networks without IPv4 are not supported")
	case n.Ipam.Driver != "" && n.Ipam.Driver != "default":
		return fmt.Errorf("field \"ipam.driver\": %q is not supported: berth allocates addresses itself", n.Ipam.Driver)
	case len(n.Ipam.Options) > 0:
		return fmt.Errorf("field \"ipam.options\" is not supported yet")
	}
	if err := checkPools(n); err != nil {
		return err
	}
	if err := CheckDriverOpts(n.DriverOpts); err != nil {
		return err
	}
	return nil
}

func checkVolume(v types.VolumeConfig) error {
	if err := checkParts("volume", reflect.ValueOf(v), VolumeFields); err != nil {
		return err
	}
	if v.Driver != "" && v.Driver != "local" {
		return fmt.Errorf("driver %q is not supported: berth makes local volumes", v.Driver)
	}
	for _, k := range sortedKeys(v.DriverOpts) {
		if k != "type" && k != "o" && k != "device" {
			return fmt.Errorf("field \"driver_opts.%s\" is not supported: the local driver takes type, o and device", k)
		}
	}
	if len(v.DriverOpts) > 0 && v.DriverOpts["type"] == "" {
		return fmt.Errorf("field \"driver_opts\": type is missing (tmpfs, none with o: bind, or a file system)")
	}
	return nil
}

// setFields lists the compose names of the fields of a struct a file sets.
func setFields(v reflect.Value) []string {
	var out []string
	for _, f := range yamlFields(v.Type()) {
		if !isEmpty(v.FieldByIndex(f.Index)) {
			out = append(out, f.Name)
		}
	}
	sort.Strings(out)
	return out
}

// fileObjects views secrets and configs alike.
func fileObjects(p *types.Project) map[string]map[string]types.FileObjectConfig {
	out := map[string]map[string]types.FileObjectConfig{"secret": {}, "config": {}}
	for k, v := range p.Secrets {
		out["secret"][k] = types.FileObjectConfig(v)
	}
	for k, v := range p.Configs {
		out["config"][k] = types.FileObjectConfig(v)
	}
	return out
}
