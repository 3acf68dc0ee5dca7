package main

import "strings"

// valueFlags are the global flags that take a value, so the word after them is not
// the verb.
var valueFlags = map[string]bool{
	"--file": true, "--project-name": true, "--project-directory": true, "--env-file": true,
	"--profile": true, "--namespace": true, "--address": true, "--progress": true, "--parallel": true,
	"--ansi": true, "--hosts-dir": true, "--cdi-spec-dir": true,
}

// globalShortNames are the shorthands that mean a global flag only before the verb.
var globalShortNames = map[string]string{"f": "--file", "p": "--project-name"}

// globalShorthands rewrites -f and -p before the verb into --file and
// --project-name, leaving the verb's own -f and -p (logs -f, run -p) alone, as
// docker compose reads them.
func globalShorthands(args []string) []string {
	out := append([]string{}, args...)
	for i := 0; i < len(out); i++ {
		a := out[i]
		if a == "--" || !strings.HasPrefix(a, "-") {
			return out // the verb: the rest is its own
		}
		if long, ok := globalShortNames[strings.TrimPrefix(a, "-")]; ok && !strings.HasPrefix(a, "--") {
			out[i] = long
			i++ // its value
			continue
		}
		if len(a) > 2 && !strings.HasPrefix(a, "--") {
			if long, ok := globalShortNames[a[1:2]]; ok {
				out[i] = long + "=" + strings.TrimPrefix(a[2:], "=")
				continue
			}
		}
		if valueFlags[a] {
			i++
		}
	}
	return out
}
