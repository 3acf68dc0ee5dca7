package main

import (
	"errors"
	"path/filepath"
	"testing"
)

func TestParseBuildSSH(t *testing.T) {
	for in, want := range map[string]string{"": "default=", "default": "default=", "key=/k": "key=/k", "key=rel/k": "key=" + must(filepath.Abs("rel/k"))} {
		k, err := parseBuildSSH(in)
		if err != nil || k.ID+"="+k.Path != want {
			t.Errorf("--ssh %q: %+v, %v; want %s", in, k, err, want)
		}
	}
	for _, in := range []string{"mykey", "=p", "id="} {
		if _, err := parseBuildSSH(in); !errors.Is(err, errUsage) {
			t.Errorf("--ssh %q: %v, want a usage error", in, err)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
