package kube

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"berth.dev/berth/internal/gpu"
)

// safeSysctls are the namespaced sysctls every kubelet allows; others need the node's
// --allowed-unsafe-sysctls, which a compose file cannot ask for.
var safeSysctls = map[string]bool{
	"kernel.shm_rmid_forced": true, "net.ipv4.ip_local_port_range": true, "net.ipv4.tcp_syncookies": true,
	"net.ipv4.ping_group_range": true, "net.ipv4.ip_unprivileged_port_start": true,
	"net.ipv4.ip_local_reserved_ports": true, "net.ipv4.tcp_keepalive_time": true,
	"net.ipv4.tcp_fin_timeout": true, "net.ipv4.tcp_keepalive_intvl": true, "net.ipv4.tcp_keepalive_probes": true,
}

// podTemplate is the pod of one service: one container with the service's settings.
func (c *converter) podTemplate(s types.ServiceConfig, restart corev1.RestartPolicy) (corev1.PodTemplateSpec, error) {
	image, err := c.image(s)
	if err != nil {
		return corev1.PodTemplateSpec{}, err
	}
	ctr := corev1.Container{
		Name: objectName(s.Name), Image: image, ImagePullPolicy: pullPolicy(s.PullPolicy),
		Command: escapeAll(s.Entrypoint), Args: escapeAll(s.Command), WorkingDir: s.WorkingDir,
		TTY: s.Tty, Stdin: s.StdinOpen,
	}
	environment, err := c.envFile(s, &ctr)
	if err != nil {
		return corev1.PodTemplateSpec{}, err
	}
	ctr.Env = env(environment)
	pod := corev1.PodSpec{RestartPolicy: restart, Containers: nil}
	if err := c.security(s, &pod, &ctr); err != nil {
		return corev1.PodTemplateSpec{}, err
	}
	if ctr.Resources, err = resources(s); err != nil {
		return corev1.PodTemplateSpec{}, err
	}
	c.probes(s, &ctr)
	if err := c.mounts(s, &pod, &ctr); err != nil {
		return corev1.PodTemplateSpec{}, err
	}
	if err := c.fileMounts(s, &pod, &ctr); err != nil {
		return corev1.PodTemplateSpec{}, err
	}
	for _, p := range s.Ports {
		ctr.Ports = append(ctr.Ports, corev1.ContainerPort{ContainerPort: int32(p.Target), Protocol: protocol(p.Protocol)})
	}
	if s.Hostname != "" {
		pod.Hostname = s.Hostname
	}
	if s.Init != nil && *s.Init {
		pod.ShareProcessNamespace = boolPtr(true)
	}
	if s.StopGracePeriod != nil {
		sec := int64(time.Duration(*s.StopGracePeriod).Round(time.Second) / time.Second)
		pod.TerminationGracePeriodSeconds = &sec
	}
	pod.HostAliases = hostAliases(s.ExtraHosts)
	if err := stopSignal(s.StopSignal); err != nil {
		return corev1.PodTemplateSpec{}, err
	}
	dnsConfig(s, &pod)
	pod.Containers = []corev1.Container{ctr}
	meta := metav1.ObjectMeta{Labels: c.labels(s.Name)}
	for key := range s.Networks {
		meta.Labels[networkLabel(key)] = "true"
	}
	if len(s.Labels) > 0 {
		meta.Annotations = map[string]string(s.Labels)
	}
	return corev1.PodTemplateSpec{ObjectMeta: meta, Spec: pod}, nil
}

// image is the reference the cluster pulls: the file's, or for a service that is only
// built, the registry's name for it.
func (c *converter) image(s types.ServiceConfig) (string, error) {
	switch {
	case s.Image != "":
		return s.Image, nil
	case s.Build != nil && c.o.Registry != "":
		return BuiltImage(c.o.Registry, c.p.Name, s.Name), nil
	case s.Build != nil:
		return "", fmt.Errorf("field \"build\": a cluster pulls images; give the service an image: or pass --registry")
	}
	return "", fmt.Errorf("field \"image\" is missing")
}

// BuiltImage is the reference of a service that is only built, under a registry:
// where `deploy --build` pushes it and what the cluster pulls.
func BuiltImage(registry, projectName, service string) string {
	return strings.TrimSuffix(registry, "/") + "/" + projectName + "-" + service + ":latest"
}

func pullPolicy(p string) corev1.PullPolicy {
	switch p {
	case types.PullPolicyAlways:
		return corev1.PullAlways
	case types.PullPolicyNever:
		return corev1.PullNever
	case types.PullPolicyMissing, types.PullPolicyIfNotPresent, types.PullPolicyBuild:
		return corev1.PullIfNotPresent
	}
	return ""
}

// escape keeps a value literal: Kubernetes expands $(VAR) in env, command and args,
// compose has already interpolated, and $$ is Kubernetes' escape for $.
func escape(s string) string { return strings.ReplaceAll(s, "$", "$$") }

func escapeAll(xs []string) []string {
	if xs == nil {
		return nil
	}
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = escape(x)
	}
	return out
}

func env(m types.MappingWithEquals) []corev1.EnvVar {
	var out []corev1.EnvVar
	for _, k := range sortedKeys(m) {
		if m[k] == nil {
			continue // unset in compose: not in the container's environment either
		}
		out = append(out, corev1.EnvVar{Name: k, Value: escape(*m[k])})
	}
	return out
}

// stopSignal accepts SIGTERM, what Kubernetes sends to stop a container. Another
// signal needs lifecycle.stopSignal, behind the alpha ContainerStopSignals gate (off
// by default) in Kubernetes 1.37, which a cluster cannot be assumed to have on.
func stopSignal(sig string) error {
	switch strings.TrimPrefix(strings.ToUpper(sig), "SIG") {
	case "", "TERM", "15":
		return nil
	}
	return fmt.Errorf("field \"stop_signal\": %s: Kubernetes stops containers with SIGTERM; another signal needs the alpha ContainerStopSignals feature: make the program stop on SIGTERM", sig)
}

// dnsConfig adds dns_search domains and dns_opt options to the cluster's resolver
// settings (dnsPolicy ClusterFirst keeps the service names resolving).
func dnsConfig(s types.ServiceConfig, pod *corev1.PodSpec) {
	if len(s.DNSSearch) == 0 && len(s.DNSOpts) == 0 {
		return
	}
	cfg := &corev1.PodDNSConfig{Searches: s.DNSSearch}
	for _, o := range s.DNSOpts {
		name, value, hasValue := strings.Cut(o, ":")
		opt := corev1.PodDNSConfigOption{Name: name}
		if hasValue {
			opt.Value = &value
		}
		cfg.Options = append(cfg.Options, opt)
	}
	pod.DNSPolicy = corev1.DNSClusterFirst
	pod.DNSConfig = cfg
}

func protocol(p string) corev1.Protocol {
	if strings.EqualFold(p, "udp") {
		return corev1.ProtocolUDP
	}
	return corev1.ProtocolTCP
}

func hostAliases(h types.HostsList) []corev1.HostAlias {
	byIP := map[string][]string{}
	for host, ips := range h {
		for _, ip := range ips {
			byIP[ip] = append(byIP[ip], host)
		}
	}
	var out []corev1.HostAlias
	for _, ip := range sortedKeys(byIP) {
		sort.Strings(byIP[ip])
		out = append(out, corev1.HostAlias{IP: ip, Hostnames: byIP[ip]})
	}
	return out
}

// security carries user, read_only, capabilities, privileged, group_add and sysctls.
func (c *converter) security(s types.ServiceConfig, pod *corev1.PodSpec, ctr *corev1.Container) error {
	sc := &corev1.SecurityContext{}
	if s.User != "" {
		u, g, hasG := strings.Cut(s.User, ":")
		uid, err := strconv.ParseInt(u, 10, 64)
		if err != nil {
			return fmt.Errorf("field \"user\": %q: Kubernetes runs a container as a numeric uid; give uid[:gid]", s.User)
		}
		sc.RunAsUser = &uid
		if hasG {
			gid, err := strconv.ParseInt(g, 10, 64)
			if err != nil {
				return fmt.Errorf("field \"user\": %q: the group must be a numeric gid", s.User)
			}
			sc.RunAsGroup = &gid
		}
	}
	if s.ReadOnly {
		sc.ReadOnlyRootFilesystem = boolPtr(true)
	}
	if s.Privileged {
		sc.Privileged = boolPtr(true)
	}
	if len(s.CapAdd) > 0 || len(s.CapDrop) > 0 {
		sc.Capabilities = &corev1.Capabilities{Add: capabilities(s.CapAdd), Drop: capabilities(s.CapDrop)}
	}
	if *sc != (corev1.SecurityContext{}) {
		ctr.SecurityContext = sc
	}
	for _, g := range s.GroupAdd {
		gid, err := strconv.ParseInt(g, 10, 64)
		if err != nil {
			return fmt.Errorf("field \"group_add\": %q: Kubernetes takes numeric gids", g)
		}
		podSecurity(pod).SupplementalGroups = append(podSecurity(pod).SupplementalGroups, gid)
	}
	for _, k := range sortedKeys(s.Sysctls) {
		if !safeSysctls[k] {
			return fmt.Errorf("field \"sysctls\": %s is not in Kubernetes' safe set, which every node allows", k)
		}
		podSecurity(pod).Sysctls = append(podSecurity(pod).Sysctls, corev1.Sysctl{Name: k, Value: s.Sysctls[k]})
	}
	return nil
}

func capabilities(xs []string) []corev1.Capability {
	var out []corev1.Capability
	for _, x := range xs {
		out = append(out, corev1.Capability(strings.TrimPrefix(strings.ToUpper(x), "CAP_")))
	}
	return out
}

// resources maps cpu and memory limits and reservations; what else deploy.resources
// holds has no per-container form in Kubernetes.
func resources(s types.ServiceConfig) (corev1.ResourceRequirements, error) {
	var out corev1.ResourceRequirements
	set := func(l *corev1.ResourceList, name corev1.ResourceName, q *resource.Quantity) {
		if *l == nil {
			*l = corev1.ResourceList{}
		}
		(*l)[name] = *q
	}
	cpu := func(n float32) *resource.Quantity {
		return resource.NewMilliQuantity(int64(n*1000+0.5), resource.DecimalSI)
	}
	mem := func(n types.UnitBytes) *resource.Quantity { return resource.NewQuantity(int64(n), resource.BinarySI) }
	if s.CPUS > 0 {
		set(&out.Limits, corev1.ResourceCPU, cpu(s.CPUS))
	}
	if s.MemLimit > 0 {
		set(&out.Limits, corev1.ResourceMemory, mem(s.MemLimit))
	}
	if s.MemReservation > 0 {
		set(&out.Requests, corev1.ResourceMemory, mem(s.MemReservation))
	}
	if err := gpuLimits(s, &out.Limits); err != nil || s.Deploy == nil {
		return out, err
	}
	for _, side := range []struct {
		field string
		r     *types.Resource
		list  *corev1.ResourceList
	}{
		{"limits", s.Deploy.Resources.Limits, &out.Limits},
		{"reservations", s.Deploy.Resources.Reservations, &out.Requests},
	} {
		if side.r == nil {
			continue
		}
		if side.r.Pids > 0 || (len(side.r.Devices) > 0 && side.field == "limits") || len(side.r.GenericResources) > 0 {
			return out, fmt.Errorf("field \"deploy.resources.%s\": only cpus and memory carry over to Kubernetes", side.field)
		}
		if side.r.NanoCPUs > 0 {
			set(side.list, corev1.ResourceCPU, cpu(float32(side.r.NanoCPUs)))
		}
		if side.r.MemoryBytes > 0 {
			set(side.list, corev1.ResourceMemory, mem(side.r.MemoryBytes))
		}
	}
	return out, nil
}

// gpuLimits asks the cluster for the GPUs of gpus: and the GPU device reservations,
// as the extended resource of their kind (nvidia.com/gpu: N), which a device
// plugin schedules by count.
func gpuLimits(s types.ServiceConfig, limits *corev1.ResourceList) error {
	type request struct {
		field string
		d     types.DeviceRequest
	}
	var reqs []request
	for i, d := range s.Gpus {
		reqs = append(reqs, request{fmt.Sprintf("gpus[%d]", i), d})
	}
	if s.Deploy != nil && s.Deploy.Resources.Reservations != nil {
		for i, d := range s.Deploy.Resources.Reservations.Devices {
			reqs = append(reqs, request{fmt.Sprintf("deploy.resources.reservations.devices[%d]", i), d})
		}
	}
	counts := map[string]int64{}
	for _, r := range reqs {
		switch {
		case r.d.Driver == "cdi" || len(r.d.IDs) > 0:
			return fmt.Errorf("field \"%s.device_ids\": %v: a cluster schedules GPUs by count; give count: N", r.field, r.d.IDs)
		case r.d.Count < 0:
			return fmt.Errorf("field \"%s.count\": all: a cluster schedules GPUs by count; give count: N", r.field)
		}
		counts[gpu.KindOfDriver(r.d.Driver)] += int64(r.d.Count)
	}
	for kind, n := range counts {
		if n == 0 {
			continue
		}
		if *limits == nil {
			*limits = corev1.ResourceList{}
		}
		(*limits)[corev1.ResourceName(kind)] = *resource.NewQuantity(n, resource.DecimalSI)
	}
	return nil
}

func boolPtr(b bool) *bool { return &b }
