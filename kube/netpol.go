package kube

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// networks makes a NetworkPolicy per compose network: its pods (labelled by
// podTemplate) take traffic from pods of the same network only, as on a compose
// bridge. An internal network also keeps its pods' traffic in: egress to the network
// and to DNS, unless a pod is on another network that is not internal.
func (c *converter) networks() error {
	var open []string
	for _, key := range sortedKeys(c.p.Networks) {
		if !c.p.Networks[key].Internal {
			open = append(open, key)
		}
	}
	for _, key := range sortedKeys(c.p.Networks) {
		n := c.p.Networks[key]
		members := metav1.LabelSelector{MatchLabels: map[string]string{labelProject: c.p.Name, networkLabel(key): "true"}}
		spec := networkingv1.NetworkPolicySpec{
			PodSelector: members,
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{{From: []networkingv1.NetworkPolicyPeer{{PodSelector: &members}}}},
		}
		pol := &networkingv1.NetworkPolicy{TypeMeta: typeMeta("networking.k8s.io/v1", "NetworkPolicy"), ObjectMeta: c.meta(objectName("network-"+key), ""), Spec: spec}
		pol.Labels = mergeLabels(pol.Labels, n.Labels)
		if err := c.add(pol, fmt.Sprintf("network %q", key)); err != nil {
			return err
		}
		if !n.Internal {
			continue
		}
		// Only pods on no open network: a pod that also has an open one may reach out.
		inside := *members.DeepCopy()
		for _, o := range open {
			inside.MatchExpressions = append(inside.MatchExpressions, metav1.LabelSelectorRequirement{Key: networkLabel(o), Operator: metav1.LabelSelectorOpDoesNotExist})
		}
		udp, tcp := corev1.ProtocolUDP, corev1.ProtocolTCP
		dns := intstr.FromInt32(53)
		clusterDNS := metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": "kube-system"}}
		egress := &networkingv1.NetworkPolicy{TypeMeta: typeMeta("networking.k8s.io/v1", "NetworkPolicy"), ObjectMeta: c.meta(objectName("network-"+key+"-internal"), ""),
			Spec: networkingv1.NetworkPolicySpec{
				PodSelector: inside,
				PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeEgress},
				Egress: []networkingv1.NetworkPolicyEgressRule{
					{To: []networkingv1.NetworkPolicyPeer{{PodSelector: &members}}},
					{To: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &clusterDNS}},
						Ports: []networkingv1.NetworkPolicyPort{{Protocol: &udp, Port: &dns}, {Protocol: &tcp, Port: &dns}}},
				},
			}}
		if err := c.add(egress, fmt.Sprintf("network %q", key)); err != nil {
			return err
		}
	}
	return nil
}

func metaSelector(m map[string]string) metav1.LabelSelector {
	return metav1.LabelSelector{MatchLabels: m}
}

// mergeLabels adds the file's labels without letting them replace berth's own.
func mergeLabels(own, file map[string]string) map[string]string {
	for k, v := range file {
		if _, mine := own[k]; !mine {
			own[k] = v
		}
	}
	return own
}
