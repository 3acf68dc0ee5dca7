package project

import (
	"fmt"
	"reflect"

	"github.com/compose-spec/compose-go/v2/types"
)

// The Kubernetes column of the field tables: what `berth convert` and `berth deploy`
// make of each field. Same names as the tables in fields.go, so the table stays one;
// a test keeps both in step.
var (
	kubeNo     = Support{Note: "not carried over: Kubernetes has no equivalent"}
	kubeNotYet = Support{Note: "not mapped to Kubernetes yet"}
	kubeFile   = map[string]Support{"source": kubeYes(""), "target": kubeYes("the mount path"), "uid": kubeYes("a warning: files are root's"),
		"gid": kubeYes("the pod's `fsGroup`"), "mode": kubeYes("the item's `mode`")}
	kubeResource     = map[string]Support{"cpus": kubeYes("cpu"), "memory": kubeYes("memory"), "pids": kubeNo, "devices": kubeNo, "generic_resources": kubeNo}
	kubeReservations = map[string]Support{"cpus": kubeYes("cpu"), "memory": kubeYes("memory"), "pids": kubeNo,
		"devices": kubeYes("GPUs: `resources.limits`, as gpus"), "generic_resources": kubeNo}
	kubeNone = func(names ...string) map[string]Support {
		m := map[string]Support{}
		for _, n := range names {
			m[n] = kubeNo
		}
		return m
	}
)

// kubeHook is the Kubernetes column of a post_start or pre_stop hook.
var kubeHook = map[string]Support{"command": kubeNotYet, "user": kubeNotYet, "privileged": kubeNotYet, "working_dir": kubeNotYet, "environment": kubeNotYet}

// kubeGPU is the Kubernetes column of a GPU request.
var kubeGPU = map[string]Support{"capabilities": kubeYes(""), "driver": kubeYes("the resource name: the CDI kind, as on one host"),
	"count":      kubeYes("`resources.limits`: `nvidia.com/gpu: N`; all is refused: a cluster schedules GPUs by count"),
	"device_ids": {Note: "refused: a cluster schedules GPUs by count"}, "options": kubeYes("ignored")}

func kubeYes(note string) Support { return Support{Supported: true, Note: note} }

var KubeServiceFields = map[string]Support{
	"name":              kubeYes("a headless Service of that name, so the name resolves as on a compose network"),
	"image":             kubeYes(""),
	"command":           kubeYes("container `args`"),
	"entrypoint":        kubeYes("container `command`"),
	"environment":       kubeYes("container `env`, with `$` escaped from Kubernetes' `$(VAR)` expansion"),
	"env_file":          kubeYes("a ConfigMap read with `envFrom`; `environment:` overrides stay in `env`"),
	"ports":             kubeYes("ports of the service's Service; host ports do not carry over, publishing is `--expose`"),
	"expose":            kubeYes("ports of the service's Service"),
	"volumes":           kubeYes("named volumes as PersistentVolumeClaims (external: the existing claim), small read-only bind mounts as ConfigMaps"),
	"working_dir":       kubeYes("`workingDir`"),
	"user":              kubeYes("numeric `uid[:gid]` as `runAsUser`/`runAsGroup`"),
	"hostname":          kubeYes("pod `hostname`"),
	"labels":            kubeYes("pod annotations"),
	"restart":           kubeYes("`always`/`unless-stopped`: Deployment; `no`: Job when used as `service_completed_successfully`; `on-failure[:N]`: Job with `backoffLimit`"),
	"depends_on":        kubeYes("deploy waves; recorded in the `berth.dev/depends-on` annotation"),
	"networks":          kubeYes("a pod label and a NetworkPolicy per network; aliases as extra headless Services"),
	"container_name":    kubeNo,
	"tty":               kubeYes("container `tty`"),
	"stdin_open":        kubeYes("container `stdin`"),
	"stop_signal":       kubeYes("`SIGTERM` only, what Kubernetes sends; another signal is refused: `lifecycle.stopSignal` is behind the alpha ContainerStopSignals gate"),
	"stop_grace_period": kubeYes("`terminationGracePeriodSeconds`"),
	"deploy":            kubeYes("`replicas` and `resources` (limits and requests of cpu and memory)"),
	"scale":             kubeYes("replicas"),
	"profiles":          loaderH, "extends": loaderH, "label_file": loaderH,

	"develop": kubeNo, "attach": kubeNo, "provider": kubeNo, "external_links": kubeNo,
	"links": kubeNo, "net": kubeNo, "pre_start": kubeNotYet, "post_start": kubeNotYet, "pre_stop": kubeNotYet,
	"annotations": kubeNotYet, "blkio_config": kubeNo,
	"cap_add":       kubeYes("`securityContext.capabilities.add`"),
	"cap_drop":      kubeYes("`securityContext.capabilities.drop`"),
	"cgroup_parent": kubeNo, "cgroup": kubeNo, "cpu_count": kubeNo, "cpu_percent": kubeNo,
	"cpu_period": kubeNo, "cpu_quota": kubeNo, "cpu_rt_period": kubeNo, "cpu_rt_runtime": kubeNo,
	"cpus":            kubeYes("cpu limit"),
	"cpuset":          kubeNo,
	"cpu_shares":      kubeNo,
	"configs":         kubeYes("a ConfigMap mounted at the `target` with `mode`"),
	"credential_spec": kubeNo, "device_cgroup_rules": kubeNo, "devices": kubeNo,
	"dns":     Support{Note: "not carried over: name servers need `dnsPolicy: None`, which drops cluster DNS and with it the service names"},
	"dns_opt": kubeYes("pod `dnsConfig.options`, cluster DNS kept"), "dns_search": kubeYes("pod `dnsConfig.searches`, cluster DNS kept"), "domainname": kubeNo,
	"extra_hosts": kubeYes("`hostAliases`"),
	"group_add":   kubeYes("`supplementalGroups` (numeric)"),
	"gpus":        kubeYes("`resources.limits` of the kind: `nvidia.com/gpu: N`"),
	"init":        kubeYes("`shareProcessNamespace`: the pod's pause process reaps zombies"),
	"ipc":         kubeNo, "isolation": kubeNo,
	"logging":    kubeNo,
	"log_driver": kubeNo, "log_opt": kubeNo,
	"mem_limit":       kubeYes("memory limit"),
	"mem_reservation": kubeYes("memory request"),
	"memswap_limit":   kubeNo, "mem_swappiness": kubeNo,
	"mac_address": kubeNo, "models": kubeNo,
	"network_mode":     kubeNo,
	"oom_kill_disable": kubeNo, "oom_score_adj": kubeNo, "pid": kubeNo,
	"pids_limit": kubeNo, "platform": kubeNotYet,
	"privileged":         kubeYes("`securityContext.privileged`"),
	"pull_policy":        kubeYes("`imagePullPolicy`"),
	"pull_refresh_after": kubeNo,
	"read_only":          kubeYes("`readOnlyRootFilesystem`"),
	"runtime":            kubeNo,
	"secrets":            kubeYes("a Secret mounted at `/run/secrets/<target>` with `mode`"),
	"security_opt":       kubeNo,
	"shm_size":           kubeYes("an `emptyDir` in memory of that `sizeLimit` at `/dev/shm`"),
	"storage_opt":        kubeNo,
	"sysctls":            kubeYes("pod `sysctls`, the namespaced safe set only"),
	"tmpfs":              kubeYes("an `emptyDir` in memory"),
	"ulimits":            kubeNo, "umask": kubeNo, "use_api_socket": kubeNo, "userns_mode": kubeNo, "uts": kubeNo,
	"volume_driver": kubeNo,
	"volumes_from":  kubeNo,
	"build":         kubeYes("needs an image reference: `image:` or `--registry`"),
	"dockerfile":    kubeNo,
	"healthcheck":   kubeYes("a readinessProbe (`start_period` as a startupProbe; liveness with `--liveness`)"),
}

var KubeProjectFields = map[string]Support{
	"name": kubeYes("the `app.kubernetes.io/part-of` label of every object"), "services": kubeYes(""),
	"networks": kubeYes("NetworkPolicies"), "volumes": kubeYes("PersistentVolumeClaims"),
	"jobs": kubeNo, "secrets": kubeYes("Secrets; an external one is the existing Secret of its `name`"),
	"configs": kubeYes("ConfigMaps; an external one is the existing ConfigMap of its `name`"), "models": kubeNo,
}

var KubeNetworkFields = map[string]Support{
	"name": kubeYes(""), "labels": kubeYes("NetworkPolicy labels"), "external": kubeNo,
	"internal":    kubeYes("egress limited to the network and DNS"),
	"driver":      kubeYes("ignored: the cluster's network plugin carries traffic"),
	"ipam":        kubeNo,
	"attachable":  kubeYes(""),
	"enable_ipv4": kubeYes(""),
	"driver_opts": kubeNo, "enable_ipv6": kubeNo,
}

var KubeVolumeFields = map[string]Support{
	"name": kubeYes(""), "labels": kubeYes("PersistentVolumeClaim labels"),
	"external":    kubeYes("the existing PersistentVolumeClaim of the volume's `name`: never made, pruned or deleted by berth"),
	"driver":      kubeNo,
	"driver_opts": kubeNo,
}

// KubeParts is the Kubernetes column of Parts, by "scope path". The build section has
// none: convert does not read it (deploy --build hands it to berth's builder).
var KubeParts = map[string]map[string]Support{
	"service deploy": {"replicas": kubeYes("`replicas`"), "resources": kubeYes(""), "mode": kubeNo, "labels": kubeNotYet,
		"update_config": kubeNotYet, "rollback_config": kubeNotYet, "restart_policy": kubeNotYet, "placement": kubeNo, "endpoint_mode": kubeNo},
	"service deploy.restart_policy":                 {"condition": kubeNotYet, "max_attempts": kubeNotYet, "delay": kubeNotYet, "window": kubeNotYet},
	"service deploy.resources":                      {"limits": kubeYes("limits"), "reservations": kubeYes("requests")},
	"service deploy.resources.limits":               kubeResource,
	"service deploy.resources.reservations":         kubeReservations,
	"service deploy.resources.reservations.devices": kubeGPU,
	"service gpus":                                  kubeGPU,
	"service networks": {"aliases": kubeYes("extra headless Services, namespace-wide"), "ipv4_address": kubeNo, "ipv6_address": kubeNo,
		"mac_address": kubeNo, "priority": kubeNo, "gw_priority": kubeNo, "interface_name": kubeNo, "use_service_name_alias": kubeNo,
		"link_local_ips": kubeNo, "driver_opts": kubeNo},
	"service volumes": {"type": kubeYes("volume, tmpfs, and read-only bind"), "source": kubeYes(""), "target": kubeYes(""), "read_only": kubeYes(""),
		"consistency": kubeYes("ignored"), "bind": kubeYes(""), "volume": kubeYes(""), "tmpfs": kubeYes(""), "image": kubeNo},
	"service volumes.bind":   {"create_host_path": kubeYes("ignored: the files travel in a ConfigMap"), "propagation": kubeNo, "selinux": kubeNo, "recursive": kubeNo},
	"service volumes.volume": {"nocopy": kubeNo, "subpath": kubeYes("the mount's `subPath`"), "labels": kubeNotYet},
	"service volumes.tmpfs":  {"size": kubeYes("`sizeLimit`"), "mode": kubeNo},
	"service ports": {"target": kubeYes(""), "published": kubeYes("with `--expose`"), "host_ip": kubeYes("dropped, with a warning, under `--expose`"),
		"protocol": kubeYes(""), "mode": kubeYes("ignored"), "name": kubeYes("ignored"), "app_protocol": kubeYes("ignored")},
	"service healthcheck": {"test": kubeYes(""), "timeout": kubeYes(""), "interval": kubeYes(""), "retries": kubeYes(""),
		"start_period": kubeYes("a startupProbe"), "start_interval": kubeYes("the startupProbe's period"), "disable": kubeYes("")},
	"service logging":      {"driver": kubeYes("ignored"), "options": kubeYes("ignored")},
	"service depends_on":   {"condition": kubeYes("what deploy waits for"), "restart": kubeNo, "required": kubeYes("")},
	"service secrets":      kubeFile,
	"service configs":      kubeFile,
	"service ulimits":      kubeNone("single", "soft", "hard"),
	"service blkio_config": kubeNone("weight", "weight_device", "device_read_bps", "device_read_iops", "device_write_bps", "device_write_iops"),
	"service devices":      kubeNone("source", "target", "permissions"),
	"service extends":      {"file": loaderH, "service": loaderH},
	"service env_file":     {"path": kubeYes(""), "required": kubeYes(""), "format": kubeNo},
	"network ipam":         kubeNone("driver", "config", "options"),
	"network ipam.config":  kubeNone("subnet", "gateway", "ip_range", "aux_addresses"),

	// The local development loop: hooks and develop.watch.
	"service post_start":         kubeHook,
	"service pre_stop":           kubeHook,
	"service develop":            kubeNone("watch"),
	"service develop.watch":      kubeNone("path", "action", "target", "exec", "include", "ignore", "initial_sync"),
	"service develop.watch.exec": kubeHook,
}

func kubePart(scope, path string) map[string]Support { return KubeParts[scope+" "+path] }

// CheckKubeSupported refuses every field of the project that the Kubernetes mapping
// cannot honour, at any depth, naming the files, the service and the field by its path.
func CheckKubeSupported(p *types.Project) error {
	files := FileNames(p)
	for _, name := range p.ServiceNames() {
		if err := walkParts("service", "", "", reflect.ValueOf(p.Services[name]), KubeServiceFields, kubePart); err != nil {
			return fmt.Errorf("%w: %s: service %q: %w", ErrInvalid, files, name, err)
		}
	}
	for _, key := range sortedKeys(p.Networks) {
		if err := walkParts("network", "", "", reflect.ValueOf(p.Networks[key]), KubeNetworkFields, kubePart); err != nil {
			return fmt.Errorf("%w: %s: network %q: %w", ErrInvalid, files, key, err)
		}
	}
	for _, key := range sortedKeys(p.Volumes) {
		if err := walkParts("volume", "", "", reflect.ValueOf(p.Volumes[key]), KubeVolumeFields, kubePart); err != nil {
			return fmt.Errorf("%w: %s: volume %q: %w", ErrInvalid, files, key, err)
		}
	}
	if f, why, bad := unsupported(reflect.ValueOf(*p), KubeProjectFields); bad {
		return fmt.Errorf("%w: %s: top-level field %q is %s", ErrInvalid, files, f, why)
	}
	return nil
}
