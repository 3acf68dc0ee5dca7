package kube

import (
	"fmt"
	"regexp"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Labels on every object; the selector labels pick a service's pods.
const (
	labelProject   = "com.docker.compose.project"
	labelService   = "com.docker.compose.service"
	labelNetwork   = "network.berth.dev/"
	annotDependsOn = "berth.dev/depends-on"
	fieldManager   = "berth"
)

var notNameChar = regexp.MustCompile(`[^a-z0-9-]+`)

// objectName turns a compose key (which may hold _ . and capitals) into a DNS label,
// the strictest name a Kubernetes object takes. Two keys that meet are refused by add.
func objectName(key string) string {
	n := notNameChar.ReplaceAllString(strings.ToLower(key), "-")
	n = strings.Trim(n, "-")
	if len(n) > validation.DNS1035LabelMaxLength {
		n = strings.TrimRight(n[:validation.DNS1035LabelMaxLength], "-")
	}
	return n
}

// serviceName is the name a service's pods are reached by: it must be the compose name
// itself (DNS is case-blind), or the service would not resolve as it does under up.
func serviceName(name string) (string, error) {
	n := strings.ToLower(name)
	if errs := validation.IsDNS1035Label(n); len(errs) > 0 {
		return "", fmt.Errorf("field \"name\": %q cannot be a Kubernetes Service name, so it would not resolve: %s", name, strings.Join(errs, "; "))
	}
	return n, nil
}

func (c *converter) labels(service string) map[string]string {
	l := map[string]string{
		"app.kubernetes.io/part-of":    c.p.Name,
		"app.kubernetes.io/managed-by": "berth",
		labelProject:                   c.p.Name,
	}
	if service != "" {
		l["app.kubernetes.io/name"] = service
		l[labelService] = service
	}
	return l
}

func (c *converter) selector(service string) map[string]string {
	return map[string]string{labelProject: c.p.Name, labelService: service}
}

func (c *converter) meta(name, service string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Labels: c.labels(service)}
}

// networkLabel is the pod label that says a pod is on a compose network.
func networkLabel(key string) string { return labelNetwork + objectName(key) }
