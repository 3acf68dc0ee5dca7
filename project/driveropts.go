package project

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// The driver_opts of a bridge network that berth honours, by Docker's names.
const (
	DriverOptBridgeName = "com.docker.network.bridge.name"
	DriverOptMTU        = "com.docker.network.driver.mtu"
)

// maxLinkName is the kernel's limit on a link name (IFNAMSIZ less the NUL).
const maxLinkName = 15

// isLinkName says whether the kernel takes s as the name of a link.
func isLinkName(s string) bool {
	return s != "" && len(s) <= maxLinkName && s != "." && s != ".." && !strings.ContainsAny(s, "/: \t\n")
}

// CheckDriverOpts refuses a driver option berth does not know, by name, and a bridge
// name or MTU the kernel would refuse, before anything is made.
func CheckDriverOpts(opts map[string]string) error {
	for _, k := range sortedKeys(opts) {
		v := opts[k]
		switch k {
		case DriverOptBridgeName:
			if !isLinkName(v) {
				return fmt.Errorf("field \"driver_opts.%s\": %q is not a link name of 1 to %d characters", k, v, maxLinkName)
			}
		case DriverOptMTU:
			if mtu, err := strconv.Atoi(v); err != nil || mtu < 68 || mtu > 65535 {
				return fmt.Errorf("field \"driver_opts.%s\": %q is not an MTU between 68 and 65535", k, v)
			}
		default:
			return fmt.Errorf("field \"driver_opts.%s\" is not supported (%s and %s are)", k, DriverOptBridgeName, DriverOptMTU)
		}
	}
	return nil
}

// checkBridgeNames refuses two networks of one file that name the same bridge.
func checkBridgeNames(networks types.Networks) error {
	owner := map[string]string{}
	for _, key := range sortedKeys(networks) {
		name := networks[key].DriverOpts[DriverOptBridgeName]
		if name == "" || bool(networks[key].External) {
			continue
		}
		if other, taken := owner[name]; taken {
			return fmt.Errorf("network %q: field \"driver_opts.%s\": bridge %q is network %q's already", key, DriverOptBridgeName, name, other)
		}
		owner[name] = key
	}
	return nil
}
