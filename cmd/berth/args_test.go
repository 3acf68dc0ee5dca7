package main

import (
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func TestGlobalShorthands(t *testing.T) {
	cases := map[string]string{
		"-f a.yaml up -d":               "--file a.yaml up -d",
		"-fa.yaml -f=b.yaml logs -f":    "--file=a.yaml --file=b.yaml logs -f",
		"-p x -f a.yaml logs -f web":    "--project-name x --file a.yaml logs -f web",
		"--project-directory -f up":     "--project-directory -f up",
		"-px run -p 80:80 web":          "--project-name=x run -p 80:80 web",
		"logs -f":                       "logs -f",
		"--namespace n exec web ls -f":  "--namespace n exec web ls -f",
		"--hosts-dir d -f a.yaml build": "--hosts-dir d --file a.yaml build",
	}
	for in, want := range cases {
		if got := strings.Join(globalShorthands(strings.Fields(in)), " "); got != want {
			t.Errorf("%q → %q, want %q", in, got, want)
		}
	}
}

// Every global flag that takes a value is in valueFlags, so that -f after it is
// still read as the global one.
func TestValueFlagsListsEveryGlobalWithAValue(t *testing.T) {
	newRootCommand(nil).PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if f.NoOptDefVal == "" && !valueFlags["--"+f.Name] {
			t.Errorf("--%s takes a value but is not in valueFlags", f.Name)
		}
	})
}

// Every verb's flags merge with the global ones without a clash (cobra panics on
// one at run time).
func TestNoFlagClashes(t *testing.T) {
	root := newRootCommand(nil)
	for _, c := range root.Commands() {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: %v", c.Name(), r)
				}
			}()
			c.InheritedFlags()
			c.Flags()
		}()
	}
}
