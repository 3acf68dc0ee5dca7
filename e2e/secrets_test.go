package e2e

import (
	"strings"
	"testing"
)

func TestSecretsAndConfigs(t *testing.T) {
	s := newScenario(t)
	s.env = append(s.env, "API_TOKEN=tok-from-env")
	s.must("up", "-d")
	read := func(cmd string) string {
		return strings.TrimSpace(s.must("exec", "-T", "app", "sh", "-c", cmd))
	}
	for cmd, want := range map[string]string{
		"cat /run/secrets/db_password":                "s3cret-from-file",
		"stat -c '%a %u %g' /run/secrets/db_password": "444 0 0",
		"cat /run/secrets/token":                      "tok-from-env",
		"stat -c '%a %u %g' /run/secrets/token":       "400 65534 65534",
		"cat /etc/app/app.conf":                       "listen = 8080",
		"cat /inline":                                 "plain",
	} {
		if got := read(cmd); got != want {
			t.Errorf("%s: %q, want %q", cmd, got, want)
		}
	}
	if r := s.berth("exec", "-T", "app", "sh", "-c", "echo x > /run/secrets/token"); r.code == 0 {
		t.Error("a secret was writable")
	}
}
