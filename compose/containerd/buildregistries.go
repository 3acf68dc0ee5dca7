package containerd

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"

	"github.com/containerd/containerd/v2/core/remotes/docker"

	"berth.dev/berth/internal/builder"
)

// buildRegistries tells a build how to reach the registries of its base images,
// from the same reading of the hosts dir that pulls follow. What the builder cannot
// do as a hosts.toml asks is an error that names it, never dropped.
func (r *Runtime) buildRegistries(ctx context.Context) builder.RegistryLookup {
	return func(host string) (builder.Registry, error) {
		// The TLS settings of each host's client, seen as containerd makes it: a
		// client that speaks plain HTTP first hides them behind its fallback.
		tlsOf := map[*http.Client]*tls.Config{}
		hosts, err := r.registryHosts(ctx, func(c *http.Client) error {
			if tr, ok := c.Transport.(*http.Transport); ok {
				tlsOf[c] = tr.TLSClientConfig
			}
			return nil
		})(host)
		if err == nil {
			var reg builder.Registry
			if reg, err = buildRegistry(host, hosts, tlsOf); err == nil {
				return reg, nil
			}
		}
		return builder.Registry{}, fmt.Errorf("registry %s in the hosts dir %s: %w", host, r.hostsDir(), err)
	}
}

// buildRegistry translates the hosts containerd would pull from into the builder's
// endpoints, in the same order.
func buildRegistry(host string, hosts []docker.RegistryHost, tlsOf map[*http.Client]*tls.Config) (builder.Registry, error) {
	reg := builder.Registry{Host: host}
	for _, h := range hosts {
		pull, resolve := h.Capabilities.Has(docker.HostCapabilityPull), h.Capabilities.Has(docker.HostCapabilityResolve)
		switch {
		case !pull && !resolve:
			continue // a push-only host: builds do not push
		case !pull:
			return reg, fmt.Errorf("host %s: capabilities resolve without pull: buildah resolves a tag where it pulls the image", h.Host)
		}
		if h.Path != "/v2" {
			return reg, fmt.Errorf("host %s: API path %s (a server path or override_path): buildah reaches a registry at /v2 only", h.Host, h.Path)
		}
		if len(h.Header) > 0 {
			return reg, fmt.Errorf("host %s: header: buildah sends no extra headers to a registry", h.Host)
		}
		_, plainHTTP := h.Client.Transport.(*http.Transport)
		plainHTTP = !plainHTTP || h.Scheme == "http" // containerd's HTTP fallback wraps the transport
		ep := builder.Endpoint{Host: h.Host, Insecure: plainHTTP, DigestOnly: !resolve}
		if host == "docker.io" && h.Host == "registry-1.docker.io" {
			ep.Host = host // buildah knows Docker Hub's API host by the registry's name
		}
		if t := tlsOf[h.Client]; t != nil {
			ep.Insecure = ep.Insecure || t.InsecureSkipVerify
			if t.RootCAs != nil {
				ep.Certs = append(ep.Certs, "ca")
			}
			if len(t.Certificates) > 0 {
				ep.Certs = append(ep.Certs, "client")
			}
		}
		reg.Endpoints = append(reg.Endpoints, ep)
	}
	return reg, nil
}
