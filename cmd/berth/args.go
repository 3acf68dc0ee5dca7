package main

import "strings"

// valueFlags are the global flags that take a value, so the word after them is not
// the verb.
var valueFlags = map[string]bool{
	"--file": true, "-p": true, "--project-name": true, "--project-directory": true, "--env-file": true,
	"--profile": true, "--namespace": true, "--address": true, "--progress": true, "--parallel": true,
}

// globalShorthands rewrites -f before the verb into --file, leaving the verb's own -f
// (logs -f, follow) alone, as docker compose reads them.
func globalShorthands(args []string) []string {
	out := append([]string{}, args...)
	for i := 0; i < len(out); i++ {
		a := out[i]
		switch {
		case a == "--" || !strings.HasPrefix(a, "-"):
			return out // the verb: the rest is its own
		case a == "-f":
			out[i] = "--file"
			i++
		case strings.HasPrefix(a, "-f") && !strings.HasPrefix(a, "--"):
			out[i] = "--file=" + strings.TrimPrefix(strings.TrimPrefix(a, "-f"), "=")
		case valueFlags[a]:
			i++
		}
	}
	return out
}
