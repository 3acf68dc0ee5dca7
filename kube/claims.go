package kube

import (
	"context"
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// claims lists the project's PersistentVolumeClaims, for Undeploy to keep: the data of
// the volumes, removed only on request, as `down` keeps volumes without -v.
func (d *Deployer) claims(ctx context.Context, projectName string) ([]Object, error) {
	return d.listClaims(ctx, projectSelector(projectName))
}

// replicaClaims lists the claims a StatefulSet made for its replicas from its
// volumeClaimTemplates (they carry the service's labels; the project's own claims
// carry none): not in the converted objects, yet deploy's prune must keep them.
func (d *Deployer) replicaClaims(ctx context.Context, projectName string) ([]Object, error) {
	return d.listClaims(ctx, projectSelector(projectName)+","+labelService)
}

func (d *Deployer) listClaims(ctx context.Context, selector string) ([]Object, error) {
	list, err := d.Typed.CoreV1().PersistentVolumeClaims(d.Namespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, fmt.Errorf("list claims: %w", err)
	}
	var out []Object
	for i := range list.Items {
		c := list.Items[i]
		c.TypeMeta = typeMeta("v1", "PersistentVolumeClaim")
		out = append(out, &c)
	}
	return out, nil
}
