package project

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// Part classifies the fields of one struct inside a supported field, found in a file
// at Path (the compose names from the service, network or volume, without map keys
// or list positions: "deploy.resources.limits", "volumes.bind").
type Part struct {
	Scope  string // "service", "network" or "volume"
	Path   string
	Type   reflect.Type
	Fields map[string]Support
}

var (
	informational = Support{Supported: true, Note: "informational, as in Docker"}
	fileRef       = map[string]Support{"source": yes, "target": yes, "uid": yes, "gid": yes, "mode": yes}
	ulimit        = map[string]Support{"single": yes, "soft": yes, "hard": yes}
	resource      = func(cpus, pids Support) map[string]Support {
		return map[string]Support{"cpus": cpus, "memory": yes, "pids": pids, "devices": notYet, "generic_resources": notYet}
	}
)

// hookFields are those of a post_start or pre_stop hook, run as `exec` runs.
var hookFields = map[string]Support{
	"command": yes, "user": {Supported: true, Note: "uid[:gid] or root, as exec -u"}, "privileged": yes, "working_dir": yes, "environment": yes,
}

// deviceRequest is a GPU request (gpus:, or a device reservation with capabilities
// [gpu]), given through CDI.
var deviceRequest = map[string]Support{
	"capabilities": {Supported: true, Note: "gpu (or nvidia); a reservation without it is refused"},
	"driver":       {Supported: true, Note: "the CDI kind: none or nvidia is nvidia.com/gpu, a kind (vendor.com/class) itself, any other D is D.com/gpu; cdi takes device_ids as CDI names"},
	"count":        {Supported: true, Note: "N or all; the first N devices by index"},
	"device_ids":   {Supported: true, Note: "CDI device names of the kind (an index or a UUID)"},
	"options":      {Supported: true, Note: "ignored: CDI devices take no options"},
}

func withGPUs(m map[string]Support) map[string]Support {
	m["devices"] = Support{Supported: true, Note: "GPUs, through CDI: see gpus"}
	return m
}

// Parts are the tables of every struct inside a supported field. A test walks
// compose-go's types from the top tables and fails on a struct or a field none of
// these classify, so a compose-go upgrade cannot add a part berth would ignore;
// CheckSupported walks a project along the same tables.
var Parts = []Part{
	{"service", "deploy", reflect.TypeOf(types.DeployConfig{}), map[string]Support{
		"replicas": yes, "resources": yes, "labels": swarmOnly, "update_config": swarmOnly, "rollback_config": swarmOnly,
		"placement": swarmOnly, "endpoint_mode": swarmOnly,
		"mode":           {Supported: true, Ignored: true, Note: "swarm only, as docker compose on one engine: replicated and global alike run replicas containers"},
		"restart_policy": {Supported: true, Note: "when restart is not set, as docker compose does"}}},
	{"service", "deploy.restart_policy", reflect.TypeOf(types.RestartPolicy{}), map[string]Support{
		"condition": {Supported: true, Note: "none, on-failure, any"}, "max_attempts": {Supported: true, Note: "with on-failure"},
		"delay": swarmOnly, "window": swarmOnly}},
	{"service", "deploy.resources", reflect.TypeOf(types.Resources{}), map[string]Support{"limits": yes, "reservations": yes}},
	{"service", "deploy.resources.limits", reflect.TypeOf(types.Resource{}), resource(yes, yes)},
	{"service", "deploy.resources.reservations", reflect.TypeOf(types.Resource{}), withGPUs(resource(swarmOnly, swarmOnly))},
	{"service", "deploy.resources.reservations.devices", reflect.TypeOf(types.DeviceRequest{}), deviceRequest},
	{"service", "gpus", reflect.TypeOf(types.DeviceRequest{}), deviceRequest},
	{"service", "networks", reflect.TypeOf(types.ServiceNetworkConfig{}), map[string]Support{
		"aliases": yes, "ipv4_address": yes, "ipv6_address": yes, "mac_address": yes, "priority": yes, "gw_priority": yes,
		"interface_name": yes, "use_service_name_alias": yes, "link_local_ips": yes, "driver_opts": notYet}},
	{"service", "volumes", reflect.TypeOf(types.ServiceVolumeConfig{}), map[string]Support{
		"type": {Supported: true, Note: "bind, volume and tmpfs; a volume without a source is anonymous, as is one for each VOLUME of the image"}, "source": yes, "target": yes, "read_only": yes,
		"consistency": {Supported: true, Note: "ignored, as Docker on Linux does"},
		"bind":        yes, "volume": yes, "tmpfs": yes, "image": notYet}},
	{"service", "volumes.bind", reflect.TypeOf(types.ServiceVolumeBind{}), map[string]Support{
		"create_host_path": yes, "propagation": notYet, "selinux": notYet, "recursive": notYet}},
	{"service", "volumes.volume", reflect.TypeOf(types.ServiceVolumeVolume{}), map[string]Support{
		"nocopy": yes, "subpath": {Supported: true, Note: "a directory the volume holds"},
		"labels": {Supported: true, Note: "of an anonymous volume; a named one's are set under volumes:"}}},
	{"service", "volumes.tmpfs", reflect.TypeOf(types.ServiceVolumeTmpfs{}), map[string]Support{"size": yes, "mode": yes}},
	{"service", "ports", reflect.TypeOf(types.ServicePortConfig{}), map[string]Support{
		"target": yes, "published": yes, "host_ip": yes, "protocol": yes,
		"mode": {Supported: true, Note: "host and ingress publish alike on one host"}, "name": informational, "app_protocol": informational}},
	{"service", "healthcheck", reflect.TypeOf(types.HealthCheckConfig{}), map[string]Support{
		"test": yes, "timeout": yes, "interval": yes, "retries": yes, "start_period": yes, "start_interval": yes, "disable": yes}},
	{"service", "logging", reflect.TypeOf(types.LoggingConfig{}), map[string]Support{
		"driver": {Supported: true, Note: "json-file, local and none"}, "options": {Supported: true, Note: "max-size and max-file"}}},
	{"service", "depends_on", reflect.TypeOf(types.ServiceDependency{}), map[string]Support{"condition": yes, "restart": yes, "required": yes}},
	{"service", "secrets", reflect.TypeOf(types.ServiceSecretConfig{}), fileRef},
	{"service", "configs", reflect.TypeOf(types.ServiceConfigObjConfig{}), fileRef},
	{"service", "ulimits", reflect.TypeOf(types.UlimitsConfig{}), ulimit},
	{"service", "blkio_config", reflect.TypeOf(types.BlkioConfig{}), map[string]Support{
		"weight": yes, "weight_device": yes, "device_read_bps": yes, "device_read_iops": yes, "device_write_bps": yes, "device_write_iops": yes}},
	{"service", "devices", reflect.TypeOf(types.DeviceMapping{}), map[string]Support{"source": yes, "target": yes, "permissions": yes}},
	{"service", "extends", reflect.TypeOf(types.ExtendsConfig{}), map[string]Support{"file": loaderH, "service": loaderH}},
	{"service", "env_file", reflect.TypeOf(types.EnvFile{}), map[string]Support{"path": loaderH, "required": loaderH, "format": loaderH}},
	{"service", "build", reflect.TypeOf(types.BuildConfig{}), BuildFields},
	{"service", "build.secrets", reflect.TypeOf(types.ServiceSecretConfig{}), fileRef},
	{"service", "build.ulimits", reflect.TypeOf(types.UlimitsConfig{}), ulimit},
	{"service", "build.ssh", reflect.TypeOf(types.SSHKey{}), map[string]Support{"id": {Supported: true, Note: "with its key file as id=path"}}},
	{"service", "post_start", reflect.TypeOf(types.ServiceHook{}), hookFields},
	{"service", "pre_stop", reflect.TypeOf(types.ServiceHook{}), hookFields},
	{"service", "develop", reflect.TypeOf(types.DevelopConfig{}), map[string]Support{"watch": yes}},
	{"service", "develop.watch", reflect.TypeOf(types.Trigger{}), map[string]Support{
		"path": yes, "action": {Supported: true, Note: "sync, rebuild, restart, sync+restart, sync+exec"}, "target": yes, "exec": yes,
		"include": yes, "ignore": {Supported: true, Note: "with the build context's .dockerignore"}, "initial_sync": yes}},
	{"service", "develop.watch.exec", reflect.TypeOf(types.ServiceHook{}), hookFields},
	{"network", "ipam", reflect.TypeOf(types.IPAMConfig{}), map[string]Support{
		"driver": {Supported: true, Note: "default only"}, "config": yes, "options": notYet}},
	{"network", "ipam.config", reflect.TypeOf(types.IPAMPool{}), map[string]Support{
		"subnet": yes, "gateway": yes, "ip_range": yes, "aux_addresses": yes}},
}

// part is the table of the struct at path in scope, if there is one.
func part(scope, path string) *Part {
	for i := range Parts {
		if Parts[i].Scope == scope && Parts[i].Path == path {
			return &Parts[i]
		}
	}
	return nil
}

// checkParts refuses the fields set inside v that the tables do not mark supported,
// naming each by its path in the file (with map keys: "networks.front.driver_opts"),
// all in one error. v is a struct of the type top classifies.
func checkParts(scope string, v reflect.Value, top map[string]Support) error {
	return walkParts(scope, "", "", v, top, upPart)
}

// upPart is the table up checks the struct at path in scope against.
func upPart(scope, path string) map[string]Support {
	if p := part(scope, path); p != nil {
		return p.Fields
	}
	return nil
}

// walkParts checks v against table and the tables parts gives for the structs
// inside it; the error lists every field refused.
func walkParts(scope, path, shown string, v reflect.Value, table map[string]Support, parts func(scope, path string) map[string]Support) error {
	var f findings
	f.walk(scope, path, shown, v, table, parts)
	if len(f.refused) > 0 {
		return errors.New(strings.Join(f.refused, "; "))
	}
	return nil
}

// findings are what a walk of a file finds: the fields refused and the fields
// accepted but ignored, each as a line that names it by its path and says why.
type findings struct {
	refused, ignored []string
}

// walk checks v against table, and each struct inside it against the table parts
// gives for its path (none: not looked into).
func (f *findings) walk(scope, path, shown string, v reflect.Value, table map[string]Support, parts func(scope, path string) map[string]Support) {
	for _, field := range yamlFields(v.Type()) {
		fv := v.FieldByIndex(field.Index)
		if isEmpty(fv) {
			continue
		}
		name, child, childShown := field.Name, join(path, field.Name), join(shown, field.Name)
		sup, known := table[name]
		switch {
		case !known:
			f.refused = append(f.refused, fmt.Sprintf("field %q is not known to berth", childShown))
			continue
		case !sup.Supported:
			f.refused = append(f.refused, fmt.Sprintf("field %q is %s", childShown, sup.Note))
			continue
		case sup.Ignored:
			f.ignored = append(f.ignored, fmt.Sprintf("field %q is ignored: %s", childShown, sup.Note))
			continue
		}
		inner := parts(scope, child)
		if inner == nil {
			continue
		}
		_ = eachStruct(fv, childShown, func(x reflect.Value, at string) error {
			f.walk(scope, child, at, x, inner, parts)
			return nil
		})
	}
}

// eachStruct calls fn on the structs a field holds: itself, through a pointer, or
// each element of a list or each value of a map (its index or key then joins the
// path).
func eachStruct(v reflect.Value, at string, fn func(reflect.Value, string) error) error {
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return eachStruct(v.Elem(), at, fn)
	case reflect.Struct:
		return fn(v, at)
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if err := eachStruct(v.Index(i), fmt.Sprintf("%s[%d]", at, i), fn); err != nil {
				return err
			}
		}
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
		for _, k := range keys {
			if err := eachStruct(v.MapIndex(k), at+"."+fmt.Sprint(k), fn); err != nil {
				return err
			}
		}
	}
	return nil
}

// namedField is a struct field by its compose name; Index reaches it through
// inline structs.
type namedField struct {
	Name  string
	Index []int
	Type  reflect.Type
}

// yamlFields lists the fields of a struct type by compose name, through inline
// structs; extensions (x-…) are left out, as compose defines them.
func yamlFields(t reflect.Type) []namedField {
	var out []namedField
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if !f.IsExported() || name == "-" || strings.HasPrefix(name, "#") {
			continue
		}
		if strings.Contains(opts, "inline") && f.Type.Kind() == reflect.Struct {
			for _, in := range yamlFields(f.Type) {
				in.Index = append([]int{i}, in.Index...)
				out = append(out, in)
			}
			continue
		}
		if name != "" {
			out = append(out, namedField{Name: name, Index: []int{i}, Type: f.Type})
		}
	}
	return out
}

// isEmpty is a field a file did not set.
func isEmpty(v reflect.Value) bool {
	if v.IsZero() {
		return true
	}
	return (v.Kind() == reflect.Map || v.Kind() == reflect.Slice) && v.Len() == 0
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
