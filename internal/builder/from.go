package builder

import (
	"os"
	"strings"

	"github.com/distribution/reference"
)

// baseRegistries lists the registry hosts of the images a Dockerfile pulls: those
// FROM, COPY --from and RUN --mount=from= name, with ARGs expanded (build args over
// the defaults declared before the first FROM); an earlier stage, a stage's index or
// scratch names none. Only what decides how to reach the registries is read, so
// this is not a full Dockerfile parser.
func baseRegistries(dockerfile string, buildArgs []string) []string {
	vars := map[string]string{}
	given := map[string]string{}
	for _, a := range buildArgs {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			v = os.Getenv(k)
		}
		given[k] = v
	}
	stages := map[string]bool{}
	var hosts []string
	pulls := func(image string) {
		image = expand(image, vars)
		if stages[strings.ToLower(image)] || image == "scratch" || strings.Trim(image, "0123456789") == "" {
			return
		}
		if named, err := reference.ParseNormalizedNamed(image); err == nil {
			hosts = append(hosts, reference.Domain(named))
		}
	}
	sawFrom := false
	for _, line := range instructions(dockerfile) {
		fields := strings.Fields(line)
		switch strings.ToUpper(fields[0]) {
		case "ARG":
			if sawFrom {
				continue
			}
			for _, decl := range fields[1:] {
				k, v, _ := strings.Cut(decl, "=")
				if g, ok := given[k]; ok {
					v = g
				}
				vars[k] = strings.Trim(v, `"'`)
			}
		case "FROM":
			sawFrom = true
			var words []string
			for _, f := range fields[1:] {
				if !strings.HasPrefix(f, "--") {
					words = append(words, f)
				}
			}
			if len(words) == 0 {
				continue
			}
			pulls(words[0])
			if len(words) == 3 && strings.EqualFold(words[1], "AS") {
				stages[strings.ToLower(words[2])] = true
			}
		case "COPY":
			for _, f := range fields[1:] {
				if image, ok := strings.CutPrefix(f, "--from="); ok {
					pulls(image)
				}
			}
		case "RUN":
			for _, f := range fields[1:] {
				mount, ok := strings.CutPrefix(f, "--mount=")
				if !ok {
					continue
				}
				for _, opt := range strings.Split(mount, ",") {
					if image, ok := strings.CutPrefix(opt, "from="); ok {
						pulls(image)
					}
				}
			}
		}
	}
	return hosts
}

// contextRegistries lists the registry hosts of docker-image:// contexts.
func contextRegistries(contexts map[string]string) []string {
	var hosts []string
	for _, c := range contexts {
		ref, ok := strings.CutPrefix(c, "docker-image://")
		if !ok {
			continue
		}
		if named, err := reference.ParseNormalizedNamed(ref); err == nil {
			hosts = append(hosts, reference.Domain(named))
		}
	}
	return hosts
}

// instructions splits a Dockerfile into instructions: comments dropped, lines
// ending in a backslash joined with the next.
func instructions(text string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "#") {
			continue
		}
		if cont, ok := strings.CutSuffix(t, `\`); ok {
			cur.WriteString(cont + " ")
			continue
		}
		cur.WriteString(t)
		if s := strings.TrimSpace(cur.String()); s != "" {
			out = append(out, s)
		}
		cur.Reset()
	}
	if s := strings.TrimSpace(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

// expand replaces $VAR, ${VAR}, ${VAR:-default} and ${VAR:+alternative}.
func expand(s string, vars map[string]string) string {
	return os.Expand(s, func(key string) string {
		if name, def, ok := strings.Cut(key, ":-"); ok {
			if v := vars[name]; v != "" {
				return v
			}
			return def
		}
		if name, alt, ok := strings.Cut(key, ":+"); ok {
			if vars[name] != "" {
				return alt
			}
			return ""
		}
		return vars[key]
	})
}

// syntaxDirective is the image a Dockerfile's `# syntax=` parser directive
// names, "" when it has none.
func syntaxDirective(dockerfile string) string {
	for _, line := range strings.Split(dockerfile, "\n") {
		t := strings.TrimSpace(line)
		if !strings.HasPrefix(t, "#") {
			break // parser directives come first
		}
		key, value, ok := strings.Cut(strings.TrimSpace(t[1:]), "=")
		if !ok {
			break // a comment ends the directives
		}
		if strings.EqualFold(strings.TrimSpace(key), "syntax") {
			return strings.TrimSpace(value)
		}
	}
	return ""
}

// syntaxRegistries lists the registry host of the frontend image a Dockerfile's
// `# syntax=` parser directive names, which BuildKit pulls like a base image.
func syntaxRegistries(dockerfile string) []string {
	if named, err := reference.ParseNormalizedNamed(syntaxDirective(dockerfile)); err == nil {
		return []string{reference.Domain(named)}
	}
	return nil
}

// builtinSyntax is the `# syntax=` image of a Dockerfile when BuildKit's
// built-in Dockerfile frontend reads that language itself: docker/dockerfile at a
// 1.x tag, by name, not digest (the built-in is the newest 1.x, and 1.x only
// adds). Read by the built-in, such a Dockerfile builds on a machine that cannot
// reach Docker Hub, as most of these lines would otherwise pull from there.
// "docker/dockerfile:1-labs", -upstream and pins by digest are pulled as named.
func builtinSyntax(dockerfile string) string {
	ref := syntaxDirective(dockerfile)
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ""
	}
	tagged, ok := named.(reference.Tagged)
	if _, digested := named.(reference.Digested); digested || !ok || named.Name() != "docker.io/docker/dockerfile" {
		return ""
	}
	if !dockerfileOneX().MatchString(tagged.Tag()) {
		return ""
	}
	return ref
}

// dockerfileOneX matches the tags of docker/dockerfile's 1.x releases: 1, 1.7,
// 1.7.1.
var dockerfileOneX = lazyRegexp(`^1(\.[0-9]+){0,2}$`)
