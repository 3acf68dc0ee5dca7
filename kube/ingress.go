package kube

import (
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
)

// hostExtension names the host an Ingress routes to a service: a compose file has no
// such name, and guessing one would publish the service somewhere the user did not say.
const hostExtension = "x-berth-ingress-host"

// ingress publishes a service's one published TCP port over HTTP through the
// cluster's ingress controller, at the host the file names.
func (c *converter) ingress(s types.ServiceConfig, name string, pub []types.ServicePortConfig) error {
	hostValue, ok := s.Extensions[hostExtension]
	if !ok {
		return fmt.Errorf("field \"ports\": --expose ingress needs the host the service answers to: set %s on the service", hostExtension)
	}
	host := fmt.Sprint(hostValue)
	if errs := validation.IsDNS1123Subdomain(host); len(errs) > 0 {
		return fmt.Errorf("field %q: %q is not a host name: %s", hostExtension, host, errs[0])
	}
	if len(pub) != 1 || protocol(pub[0].Protocol) != corev1.ProtocolTCP {
		return fmt.Errorf("field \"ports\": an Ingress routes one HTTP port; the service publishes %d ports (use --expose nodeport or loadbalancer)", len(pub))
	}
	c.warn("service %q: published over HTTP at %s through the cluster's ingress controller; the host port does not carry over", s.Name, host)
	port := int32(pub[0].Target)
	prefix := networkingv1.PathTypePrefix
	ing := &networkingv1.Ingress{TypeMeta: typeMeta("networking.k8s.io/v1", "Ingress"), ObjectMeta: c.meta(name, s.Name),
		Spec: networkingv1.IngressSpec{Rules: []networkingv1.IngressRule{{Host: host, IngressRuleValue: networkingv1.IngressRuleValue{
			HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{Path: "/", PathType: &prefix,
				Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: name, Port: networkingv1.ServiceBackendPort{Number: port}}}}}},
		}}}}}
	if err := c.add(ing, fmt.Sprintf("service %q published ports", s.Name)); err != nil {
		return err
	}
	// The ingress controller's pods are on none of the project's networks.
	tcp, target := corev1.ProtocolTCP, intstr.FromInt32(port)
	return c.add(c.publishedPolicy(s, name, []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: &target}}), fmt.Sprintf("service %q published ports", s.Name))
}
