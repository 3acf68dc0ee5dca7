package project

import (
	"fmt"
	"strconv"
	"strings"
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
