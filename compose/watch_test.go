package compose

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"berth.dev/berth/project"
)

func TestCheckWatch(t *testing.T) {
	for _, c := range []struct{ name, service, want string }{
		{"relative target", `{image: x, develop: {watch: [{path: ./src, action: sync, target: app}]}}`, `develop.watch[0]: target "app" is not an absolute path`},
		{"read_only", `{image: x, read_only: true, develop: {watch: [{path: ./src, action: sync+restart, target: /app}]}}`, "read_only"},
		{"rebuild without build", `{image: x, develop: {watch: [{path: ., action: restart}, {path: ./src, action: rebuild}]}}`, "develop.watch[1]: action rebuild needs a build: section"},
		{"nothing to watch", `{image: x}`, ErrNothingToWatch.Error()},
		{"outside the project, as docker compose allows", `{image: x, develop: {watch: [{path: ../elsewhere, action: sync, target: /app}]}}`, ""},
	} {
		p := loadProject(t, "services:\n  web: "+c.service+"\n")
		err := CheckWatch(p, nil)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		case err != nil && c.want != ErrNothingToWatch.Error() && !errors.Is(err, project.ErrInvalid):
			t.Errorf("%s: not ErrInvalid: %v", c.name, err)
		}
	}
}

func TestWatchRuleMapsPaths(t *testing.T) {
	p := loadProject(t, `
services:
  web:
    image: x
    develop:
      watch:
        - {path: ./src, action: sync, target: /app, ignore: [node_modules/]}
        - {path: ./one.txt, action: sync, target: /etc/one.conf}
`)
	e := &Engine{}
	rules, err := e.watchRules(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := p.WorkingDir
	for host, want := range map[string]string{
		filepath.Join(dir, "src", "a", "b.js"):                 "/app/a/b.js",
		filepath.Join(dir, "src", "node_modules", "x", "y.js"): "",
		filepath.Join(dir, "srcx", "b.js"):                     "",
		filepath.Join(dir, "one.txt"):                          "/etc/one.conf",
	} {
		got := ""
		for _, r := range rules {
			if target, ok := r.containerPath(host); ok {
				got = target
			}
		}
		if got != want {
			t.Errorf("%s: %q, want %q", host, got, want)
		}
	}
}
