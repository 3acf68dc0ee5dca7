package project

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// Restart is a parsed restart policy.
type Restart struct {
	Policy     string // "no", "always", "on-failure", "unless-stopped"
	MaxRetries int    // on-failure:N; 0 = unlimited
}

// ParseRestart reads docker's restart syntax.
func ParseRestart(s string) (Restart, error) {
	name, n, hasN := strings.Cut(s, ":")
	switch name {
	case "", "no":
		return Restart{Policy: "no"}, nil
	case "always", "unless-stopped":
		if hasN {
			return Restart{}, fmt.Errorf("%q takes no maximum retry count", name)
		}
		return Restart{Policy: name}, nil
	case "on-failure":
		r := Restart{Policy: name}
		if hasN {
			v, err := strconv.Atoi(n)
			if err != nil || v < 0 {
				return Restart{}, fmt.Errorf("bad maximum retry count in %q", s)
			}
			r.MaxRetries = v
		}
		return r, nil
	}
	return Restart{}, fmt.Errorf("unknown restart policy %q", s)
}

// applyDeployRestart gives a service without restart: the policy its
// deploy.restart_policy names, as docker compose does: condition none is no, any
// (or none given) is always, on-failure counts max_attempts.
func applyDeployRestart(p *types.Project) {
	for name, s := range p.Services {
		if s.Restart != "" || s.Deploy == nil || s.Deploy.RestartPolicy == nil {
			continue
		}
		rp := s.Deploy.RestartPolicy
		switch rp.Condition {
		case "none", "no":
			s.Restart = "no"
		case "on-failure":
			s.Restart = "on-failure"
			if rp.MaxAttempts != nil && *rp.MaxAttempts > 0 {
				s.Restart = fmt.Sprintf("on-failure:%d", *rp.MaxAttempts)
			}
		case "always", "unless-stopped":
			s.Restart = rp.Condition
		default:
			s.Restart = "always"
		}
		p.Services[name] = s
	}
}
