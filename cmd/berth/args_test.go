package main

import (
	"strings"
	"testing"
)

func TestGlobalShorthands(t *testing.T) {
	cases := map[string]string{
		"-f a.yaml up -d":              "--file a.yaml up -d",
		"-fa.yaml -f=b.yaml logs -f":   "--file=a.yaml --file=b.yaml logs -f",
		"-p x -f a.yaml logs -f web":   "-p x --file a.yaml logs -f web",
		"--project-directory -f up":    "--project-directory -f up",
		"logs -f":                      "logs -f",
		"--namespace n exec web ls -f": "--namespace n exec web ls -f",
	}
	for in, want := range cases {
		if got := strings.Join(globalShorthands(strings.Fields(in)), " "); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}
