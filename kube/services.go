package kube

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// services gives a service its name on the cluster: a headless Service of the compose
// name (DNS answers with the pods' addresses, as berth's resolver does), with the
// ports of ports: and expose:; one more per network alias; and, with --expose, one
// that publishes the published ports.
func (c *converter) services(s types.ServiceConfig, name string) error {
	ports, err := servicePorts(s)
	if err != nil {
		return err
	}
	headless := func(n string) *corev1.Service {
		return &corev1.Service{TypeMeta: typeMeta("v1", "Service"), ObjectMeta: c.meta(n, s.Name), Spec: corev1.ServiceSpec{
			ClusterIP: corev1.ClusterIPNone, Selector: c.selector(s.Name), Ports: ports,
			// Resolvable before Ready, as a compose name is from the container's start;
			// readiness still gates deploy's waves.
			PublishNotReadyAddresses: true,
		}}
	}
	if err := c.add(headless(name), fmt.Sprintf("service %q", s.Name)); err != nil {
		return err
	}
	var aliases []string
	for _, key := range sortedKeys(s.Networks) {
		if n := s.Networks[key]; n != nil {
			aliases = append(aliases, n.Aliases...)
		}
	}
	for _, a := range aliases {
		an, err := serviceName(a)
		if err != nil {
			return fmt.Errorf("field \"networks.aliases\": %w", err)
		}
		if an == name {
			continue
		}
		c.warn("service %q: alias %q becomes a Service of the namespace: it resolves from every pod there, not only on its network", s.Name, a)
		if err := c.add(headless(an), fmt.Sprintf("service %q alias %q", s.Name, a)); err != nil {
			return err
		}
	}
	return c.published(s, name)
}

// servicePorts lists the container ports of ports: and expose:, named so a Service
// may hold several.
func servicePorts(s types.ServiceConfig) ([]corev1.ServicePort, error) {
	seen := map[string]bool{}
	var out []corev1.ServicePort
	add := func(port int32, proto corev1.Protocol) {
		name := strings.ToLower(string(proto)) + "-" + strconv.Itoa(int(port))
		if !seen[name] {
			seen[name] = true
			out = append(out, corev1.ServicePort{Name: name, Port: port, TargetPort: intstr.FromInt32(port), Protocol: proto})
		}
	}
	for _, p := range s.Ports {
		add(int32(p.Target), protocol(p.Protocol))
	}
	for _, e := range s.Expose {
		spec, proto, _ := strings.Cut(e, "/")
		lo, hi, isRange := strings.Cut(spec, "-")
		from, err := strconv.Atoi(lo)
		to := from
		if err == nil && isRange {
			to, err = strconv.Atoi(hi)
		}
		if err != nil || from < 1 || to > 65535 || to < from {
			return nil, fmt.Errorf("field \"expose\": %q is not a port or range", e)
		}
		for p := from; p <= to; p++ {
			add(int32(p), protocol(proto))
		}
	}
	return out, nil
}

// published makes the Service that takes published ports out of the cluster, when the
// user chose how, and the NetworkPolicy that lets traffic from outside reach them.
func (c *converter) published(s types.ServiceConfig, name string) error {
	var pub []types.ServicePortConfig
	for _, p := range s.Ports {
		if p.Published != "" {
			pub = append(pub, p)
		}
	}
	if len(pub) == 0 {
		return nil
	}
	switch c.o.Expose {
	case ExposeNone:
		c.warn("service %q: published ports are reachable inside the cluster only; choose --expose nodeport, loadbalancer or ingress to publish them", s.Name)
		return nil
	case ExposeIngress:
		return c.ingress(s, name, pub)
	}
	c.warn("service %q: host IPs and host port numbers do not carry over: the cluster picks the node ports or load balancer addresses", s.Name)
	svcType := corev1.ServiceTypeNodePort
	if c.o.Expose == ExposeLoadBalancer {
		svcType = corev1.ServiceTypeLoadBalancer
	}
	var ports []corev1.ServicePort
	var from []networkingv1.NetworkPolicyPort
	for _, p := range pub {
		proto := protocol(p.Protocol)
		port := int32(p.Target)
		if n, err := strconv.Atoi(p.Published); err == nil {
			port = int32(n) // the Service's own port keeps the published number
		}
		ports = append(ports, corev1.ServicePort{Name: fmt.Sprintf("%s-%d", strings.ToLower(string(proto)), port), Port: port,
			TargetPort: intstr.FromInt32(int32(p.Target)), Protocol: proto})
		target := intstr.FromInt32(int32(p.Target))
		from = append(from, networkingv1.NetworkPolicyPort{Protocol: &proto, Port: &target})
	}
	pubName := objectName(name + "-published")
	svc := &corev1.Service{TypeMeta: typeMeta("v1", "Service"), ObjectMeta: c.meta(pubName, s.Name),
		Spec: corev1.ServiceSpec{Type: svcType, Selector: c.selector(s.Name), Ports: ports}}
	if err := c.add(svc, fmt.Sprintf("service %q published ports", s.Name)); err != nil {
		return err
	}
	return c.add(c.publishedPolicy(s, name, from), fmt.Sprintf("service %q published ports", s.Name))
}

// publishedPolicy lets traffic from outside the project's networks reach the
// published ports.
func (c *converter) publishedPolicy(s types.ServiceConfig, name string, ports []networkingv1.NetworkPolicyPort) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{TypeMeta: typeMeta("networking.k8s.io/v1", "NetworkPolicy"), ObjectMeta: c.meta(objectName(name+"-published"), s.Name),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metaSelector(c.selector(s.Name)),
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{{Ports: ports}},
		}}
}
