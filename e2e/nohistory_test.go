package e2e

import (
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// pushNoHistory pushes to the test registry a copy of the busybox image whose
// config lists no history, as tools that write layers directly make them, and
// returns its reference.
func pushNoHistory(t *testing.T) string {
	return pushVariant(t, "berth/busybox-nohistory", func(cf *v1.ConfigFile) { cf.History = nil })
}

// pushVariant pushes to the test registry, as repo:latest, a copy of the busybox
// image with its config changed by change, and returns its reference.
func pushVariant(t *testing.T, repo string, change func(*v1.ConfigFile)) string {
	t.Helper()
	ref := registry + "/" + repo + ":latest"
	dst, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(dst, busyboxVariant(t, change)); err != nil {
		t.Fatal(err)
	}
	return ref
}

// busyboxVariant is the test registry's busybox image (the same layers) with
// its config changed by change.
func busyboxVariant(t *testing.T, change func(*v1.ConfigFile)) v1.Image {
	t.Helper()
	src, err := name.ParseReference(registry+"/berth/busybox:latest", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(src)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	change(cf)
	variant, err := mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return variant
}

// TestBuildNoHistory builds FROM a base image with no history in its config, with
// berth's BuildKit and with buildah.
func TestBuildNoHistory(t *testing.T) {
	base := pushNoHistory(t)
	for _, builder := range []string{"BuildKit", "buildah"} {
		t.Run(builder, func(t *testing.T) {
			s := newScenarioIn(t, "testdata/TestBuildNoHistory")
			if builder == "BuildKit" {
				useOwnBuildkitd(t, s)
			}
			s.env = append(s.env, "BASE="+base)
			r := s.berth("build", "--no-cache")
			if r.code != 0 {
				t.Fatalf("build: exit %d\n%s", r.code, r.stderr)
			}
			if !strings.Contains(r.stderr, "with "+builder) {
				t.Errorf("the build does not say it builds with %s:\n%s", builder, r.stderr)
			}
			// buildah 1.28 fails on such a base; berth builds it again without history.
			if builder == "buildah" && !strings.Contains(r.stderr, "building again with --omit-history") {
				t.Errorf("buildah built without the retry that omits history:\n%s", r.stderr)
			}
			if out := strings.TrimSpace(s.must("run", "--rm", "app")); out != "built on a base\nwithout history" {
				t.Errorf("the built image prints %q", out)
			}
		})
	}
}
