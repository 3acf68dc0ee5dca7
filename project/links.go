package project

import (
	"fmt"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// Links parses compose's links or external_links ("name" or "name:alias") into
// alias → name: the names only the linking container resolves.
func Links(entries ...[]string) map[string]string {
	var out map[string]string
	for _, list := range entries {
		for _, l := range list {
			name, alias, ok := strings.Cut(l, ":")
			if !ok {
				alias = name
			}
			if out == nil {
				out = map[string]string{}
			}
			out[alias] = name
		}
	}
	return out
}

// checkLinks refuses a link berth could not resolve: a malformed one, or one on a
// service without networks of its own, where there is no resolver to ask.
func checkLinks(s types.ServiceConfig) error {
	for field, list := range map[string][]string{"links": s.Links, "external_links": s.ExternalLinks} {
		for _, l := range list {
			name, alias, _ := strings.Cut(l, ":")
			if name == "" || strings.Contains(alias, ":") || strings.HasSuffix(l, ":") {
				return fmt.Errorf("field %q: %q is not NAME or NAME:ALIAS", field, l)
			}
		}
		if len(list) > 0 && s.NetworkMode != "" {
			return fmt.Errorf("field %q: not with network_mode %q: links resolve on the service's own networks", field, s.NetworkMode)
		}
	}
	return nil
}
