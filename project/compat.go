package project

import (
	"fmt"
	"strings"
)

// CompatibilityDoc renders docs/compatibility.md from the field tables: what berth
// runs of a compose file and what it refuses, with why.
func CompatibilityDoc() string {
	var b strings.Builder
	b.WriteString("# Compose file compatibility\n\n")
	b.WriteString("Generated from the field tables in `project/fields.go` and `project/fields_kube.go` by `make docs`; a test fails when it is stale.\n")
	b.WriteString("A field marked *no* stops `up`, `create` and `run` before anything is made, with an error naming the file, the service and the field (every such field, all at once).\n")
	b.WriteString("A field marked *ignored* is accepted and does nothing, with one warning naming it: what docker compose itself ignores on one engine.\n")
	for _, sec := range []struct {
		title string
		table map[string]Support
		kube  map[string]Support
	}{
		{"Top level", ProjectFields, KubeProjectFields},
		{"Services", ServiceFields, KubeServiceFields},
		{"Networks", NetworkFields, KubeNetworkFields},
		{"Volumes", VolumeFields, KubeVolumeFields},
		{"Build", BuildFields, nil},
	} {
		fmt.Fprintf(&b, "\n## %s\n\n| field | supported | note | Kubernetes (`berth convert`) |\n| --- | --- | --- | --- |\n", sec.title)
		for _, n := range sortedKeys(sec.table) {
			sup := sec.table[n]
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", n, classOf(sup), sup.Note, kubeCell(lookup(sec.kube, n)))
		}
	}
	b.WriteString("\n## Inside supported fields\n\nThe parts of a service's, network's or volume's fields, by their path; a part marked *no* is refused by that path.\n")
	for _, p := range Parts {
		if p.Scope == "service" && p.Path == "build" {
			continue // the Build section above
		}
		kube := kubePart(p.Scope, p.Path)
		fmt.Fprintf(&b, "\n### %s `%s`\n\n| field | supported | note | Kubernetes (`berth convert`) |\n| --- | --- | --- | --- |\n", p.Scope, p.Path)
		for _, n := range sortedKeys(p.Fields) {
			sup := p.Fields[n]
			fmt.Fprintf(&b, "| `%s` | %s | %s | %s |\n", n, classOf(sup), sup.Note, kubeCell(lookup(kube, n)))
		}
	}
	b.WriteString(`
## Values

- ` + "`depends_on`" + `: ` + "`service_started`" + `, ` + "`service_healthy`" + `, ` + "`service_completed_successfully`" + `, ` + "`required`" + ` and ` + "`restart`" + `.
- ` + "`network_mode`" + `: ` + "`host`" + `, ` + "`none`" + `, ` + "`service:NAME`" + `, ` + "`container:NAME`" + `, ` + "`bridge`" + ` (the project's default network: berth has no host-wide network named bridge as Docker's engine has).
- ` + "`pid`" + `: ` + "`host`" + `, ` + "`service:NAME`" + `, ` + "`container:NAME`" + `; ` + "`ipc`" + `: ` + "`private`" + `, ` + "`shareable`" + `, ` + "`host`" + `, ` + "`none`" + `, ` + "`service:NAME`" + ` and ` + "`container:NAME`" + ` of a shareable one (its /dev/shm is shared too); ` + "`cgroup`" + `: ` + "`host`" + `, ` + "`private`" + `.
- ` + "`security_opt`" + `: ` + "`no-new-privileges`" + `, ` + "`seccomp=unconfined`" + `, ` + "`seccomp=FILE`" + ` (an OCI-form profile, relative to the project directory; containerd's default profile otherwise, as Docker applies its own), ` + "`systempaths=unconfined`" + `, ` + "`apparmor=unconfined`" + `, ` + "`label=disable`" + `; AppArmor profiles and SELinux labels are refused.
- ` + "`tty`" + ` with a restart policy is refused: containerd's restart monitor starts tasks without a terminal.
- ` + "`build`" + `: a service with a build section and no image in the store is built, not pulled; ` + "`up --build`" + ` and ` + "`pull_policy: build`" + ` build every time. The image is named by ` + "`image`" + `, else ` + "`<project>-<service>`" + `.
`)
	return b.String()
}

// kubeCell is the Kubernetes column of one field: yes or no, and what it becomes.
// A section without a Kubernetes table (build) is not read by convert at all.
func kubeCell(s Support, ok bool) string {
	if !ok {
		return "not used: the cluster pulls `image:` or the `--registry` name"
	}
	mark := yesNo(s.Supported)
	if s.Note == "" {
		return mark
	}
	return mark + ": " + s.Note
}

func lookup(m map[string]Support, k string) (Support, bool) {
	s, ok := m[k]
	return s, ok
}

// classOf is the supported column: yes, ignored (with a warning) or no.
func classOf(s Support) string {
	if s.Ignored {
		return "ignored"
	}
	return yesNo(s.Supported)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
