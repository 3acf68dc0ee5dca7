package builder

import (
	"fmt"
	"slices"
	"strings"
)

// buildahFlags are the flags buildah 1.28 (Debian 12's) takes on each instruction;
// BuildKit's others (COPY --link, --parents, --exclude, RUN --network, --security,
// ADD --checksum …) make it fail with an error of its own, or worse, be misread.
var buildahFlags = map[string][]string{
	"COPY": {"chmod", "chown", "from"},
	"ADD":  {"chmod", "chown"},
	"RUN":  {"mount"},
	"FROM": {"platform"},
}

// buildahMounts are the RUN --mount types buildah 1.28 takes: all BuildKit has.
var buildahMounts = []string{"bind", "cache", "tmpfs", "secret", "ssh"}

// heredoc is a heredoc's opening word: <<EOF, <<-EOF, <<"EOF".
var heredoc = lazyRegexp(`^<<-?["']?[A-Za-z_][A-Za-z0-9_]*["']?`)

// checkBuildah refuses, naming the file and line, the first feature of a
// Dockerfile that buildah cannot build: heredocs (buildah reads their lines as
// instructions, and fails with a dump of its parser's state), flags it lacks, and a
// `# syntax=` frontend other than the Dockerfile's own (buildah has no frontends;
// docker/dockerfile is the language it reads). A scan of the few things that
// matter, not a Dockerfile parser: BuildKit's would bring BuildKit into berth's
// module for one check.
func checkBuildah(name, text string) error {
	refuse := func(line int, what string) error {
		return fmt.Errorf("%s:%d: %s not supported by buildah; BuildKit, berth's default builder, builds it", name, line, what)
	}
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		t := strings.TrimSpace(line)
		if !strings.HasPrefix(t, "#") {
			break // parser directives come first
		}
		if v, ok := strings.CutPrefix(strings.ReplaceAll(strings.TrimSpace(t[1:]), " ", ""), "syntax="); ok && !isDockerfileFrontend(v) {
			return refuse(i+1, "# syntax="+v+" (a frontend image) is")
		}
	}
	for i := 0; i < len(lines); i++ {
		start := i + 1
		t := strings.TrimSpace(lines[i])
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		for strings.HasSuffix(t, `\`) && i+1 < len(lines) {
			i++
			t = strings.TrimSuffix(t, `\`) + " " + strings.TrimSpace(lines[i])
		}
		fields := strings.Fields(t)
		inst := strings.ToUpper(fields[0])
		allowed, checked := buildahFlags[inst]
		if !checked {
			continue
		}
		for _, f := range fields[1:] {
			if inst != "FROM" && heredoc().MatchString(f) {
				return refuse(start, "heredocs (<<) are")
			}
			flag, ok := strings.CutPrefix(f, "--")
			if !ok {
				continue
			}
			key, value, _ := strings.Cut(flag, "=")
			if !slices.Contains(allowed, key) {
				return refuse(start, inst+" --"+key+" is")
			}
			if key == "mount" {
				if typ := mountType(value); !slices.Contains(buildahMounts, typ) {
					return refuse(start, "RUN --mount=type="+typ+" is")
				}
			}
		}
	}
	return nil
}

// mountType is the type of a RUN --mount's options (bind when none is given).
func mountType(opts string) string {
	for _, o := range strings.Split(opts, ",") {
		if v, ok := strings.CutPrefix(o, "type="); ok {
			return v
		}
	}
	return "bind"
}

// isDockerfileFrontend says whether a # syntax= image is Docker's Dockerfile
// frontend, whose language buildah reads itself.
func isDockerfileFrontend(image string) bool {
	image = strings.TrimPrefix(strings.TrimPrefix(image, "docker.io/"), "library/")
	repo, _, _ := strings.Cut(image, "@")
	repo, _, _ = strings.Cut(repo, ":")
	return repo == "docker/dockerfile" || repo == "docker/dockerfile-upstream"
}
