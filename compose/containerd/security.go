package containerd

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/containerd/containerd/v2/contrib/seccomp"
	"github.com/containerd/containerd/v2/pkg/oci"
)

// securityOpts apply security_opt with Docker's meaning, and containerd's default
// seccomp profile where the file names none (as Docker applies its own). They
// follow the capabilities: the default profile allows what they allow.
func securityOpts(s types.ServiceConfig, projectDir string) ([]oci.SpecOpts, error) {
	// containerd's default spec sets no_new_privs; Docker's leaves setuid working.
	opts := []oci.SpecOpts{oci.WithNewPrivileges}
	seccompOpt := seccomp.WithDefaultProfile()
	if s.Privileged {
		seccompOpt = nil // Docker runs privileged containers unconfined
	}
	for _, o := range s.SecurityOpt {
		// Docker accepts key=value and the older key:value.
		key, val, hasVal := strings.Cut(o, "=")
		if !hasVal {
			key, val, hasVal = strings.Cut(o, ":")
		}
		switch key {
		case "no-new-privileges":
			if !hasVal || val == "true" {
				opts = append(opts, oci.WithNoNewPrivileges)
			} else if val != "false" {
				return nil, fmt.Errorf("service %q: security_opt %q: want no-new-privileges[=true|false]", s.Name, o)
			}
		case "seccomp":
			switch {
			case val == "unconfined":
				seccompOpt = nil
			case val == "":
				return nil, fmt.Errorf("service %q: security_opt %q: name a profile file or unconfined", s.Name, o)
			default:
				path := val
				if !filepath.IsAbs(path) {
					path = filepath.Join(projectDir, path)
				}
				if err := checkSeccompProfile(path); err != nil {
					return nil, fmt.Errorf("service %q: security_opt %q: %w", s.Name, o, err)
				}
				seccompOpt = seccomp.WithProfile(path)
			}
		case "apparmor":
			if val != "unconfined" && !hostHas("/sys/kernel/security/apparmor") {
				return nil, fmt.Errorf("service %q: security_opt %q: AppArmor is not enabled on this host", s.Name, o)
			}
			if val != "unconfined" {
				return nil, fmt.Errorf("service %q: security_opt %q: AppArmor profiles are not supported yet", s.Name, o)
			}
		case "label":
			if val != "disable" && !hostHas("/sys/fs/selinux/enforce") {
				return nil, fmt.Errorf("service %q: security_opt %q: SELinux is not enabled on this host", s.Name, o)
			}
			if val != "disable" {
				return nil, fmt.Errorf("service %q: security_opt %q: SELinux labels are not supported yet", s.Name, o)
			}
		case "systempaths":
			if val != "unconfined" {
				return nil, fmt.Errorf("service %q: security_opt %q: want systempaths=unconfined", s.Name, o)
			}
			opts = append(opts, oci.WithMaskedPaths(nil), oci.WithReadonlyPaths(nil))
		default:
			return nil, fmt.Errorf("service %q: security_opt %q is not supported: use no-new-privileges, seccomp, apparmor, label or systempaths", s.Name, o)
		}
	}
	if seccompOpt != nil {
		opts = append(opts, seccompOpt)
	}
	return opts, nil
}

func hostHas(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// checkSeccompProfile accepts a profile in the OCI form containerd loads
// (defaultAction, architectures, syscalls with names, action, args). Docker's own
// extensions, which choose rules by capability or architecture, it refuses rather
// than apply every rule regardless.
func checkSeccompProfile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var p struct {
		DefaultAction string            `json:"defaultAction"`
		ArchMap       []json.RawMessage `json:"archMap"`
		Syscalls      []struct {
			Includes map[string]json.RawMessage `json:"includes"`
			Excludes map[string]json.RawMessage `json:"excludes"`
		} `json:"syscalls"`
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("profile %s: %w", path, err)
	}
	if p.DefaultAction == "" {
		return fmt.Errorf("profile %s has no defaultAction", path)
	}
	if len(p.ArchMap) > 0 {
		return fmt.Errorf("profile %s: archMap is not supported: list architectures", path)
	}
	for _, sc := range p.Syscalls {
		if len(sc.Includes) > 0 || len(sc.Excludes) > 0 {
			return fmt.Errorf("profile %s: includes and excludes are not supported", path)
		}
	}
	return nil
}
