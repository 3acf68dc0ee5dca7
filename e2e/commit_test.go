package e2e

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/images"
)

// TestCommitExport: export writes the container's files without its volume's;
// commit makes an image of what the container wrote, with the CMD and ENV of its
// --change flags and a history entry of its author and message, and that image runs.
func TestCommitExport(t *testing.T) {
	const image = "docker.io/library/e2e-testcommitexport-box:v1"
	c, err := ctrd.New("/run/containerd/containerd.sock", ctrd.WithDefaultNamespace(namespace))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s := newScenario(t)
	// Registered after the scenario's cleanup, so it runs before its leak check.
	t.Cleanup(func() {
		_ = c.ImageService().Delete(context.Background(), image, images.SynchronousDelete())
	})
	s.must("up", "-d", "box")
	s.must("exec", "-T", "box", "sh", "-c", "echo committed > /made-here && echo in-volume > /data/in-volume && rm /bin/true")

	out := filepath.Join(t.TempDir(), "box.tar")
	s.must("export", "box", "-o", out)
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	files := tarFiles(t, f)
	f.Close()
	for _, want := range []string{"made-here", "usr/bin/busybox", "data/"} {
		if !slices.Contains(files, want) {
			t.Errorf("export -o: the tar lacks %s: %v", want, files[:min(len(files), 40)])
		}
	}
	for _, unwanted := range []string{"data/in-volume", "usr/bin/true"} {
		if slices.Contains(files, unwanted) {
			t.Errorf("export -o: the tar has %s", unwanted)
		}
	}
	if stdout := s.must("export", "box"); !slices.Contains(tarFiles(t, strings.NewReader(stdout)), "made-here") {
		t.Error("export to standard output: the tar lacks made-here")
	}

	if r := s.berth("commit", "-c", "RUN rm -rf /", "box", image); r.code == 0 || !strings.Contains(r.stderr, "RUN") {
		t.Errorf("commit with a RUN change: exit %d: %s", r.code, r.stderr)
	}
	if _, err := c.GetImage(context.Background(), image); err == nil {
		t.Error("a refused commit made an image")
	}
	digest := strings.TrimSpace(s.must("commit", "-a", "Berth Tester <tester@berth.test>", "-m", "a file and a command",
		"-c", `CMD ["sh", "-c", "cat /made-here; echo mode=$MODE"]`, "-c", "ENV MODE=committed", "box", "e2e-testcommitexport-box:v1"))
	if !strings.HasPrefix(digest, "sha256:") {
		t.Errorf("commit printed %q, want the image's digest", digest)
	}
	if got := s.must("--profile", "later", "run", "--rm", "committed"); got != "committed\nmode=committed\n" {
		t.Errorf("the committed image runs with %q", got)
	}
	if got := s.must("--profile", "later", "run", "--rm", "committed", "sh", "-c", "test -e /bin/true && echo kept || echo gone"); got != "gone\n" {
		t.Errorf("the committed image keeps a file the container removed: %q", got)
	}
	img, err := c.GetImage(context.Background(), image)
	if err != nil {
		t.Fatal(err)
	}
	spec, err := img.Spec(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	last := spec.History[len(spec.History)-1]
	if spec.Author != "Berth Tester <tester@berth.test>" || last.Author != spec.Author || last.Comment != "a file and a command" {
		t.Errorf("the committed image's author %q and last history entry %+v", spec.Author, last)
	}
	if img.Target().Digest.String() != digest {
		t.Errorf("commit printed %s, the image is %s", digest, img.Target().Digest)
	}
}

// tarFiles lists the names in a tar stream, without a leading "./" or "/".
func tarFiles(t *testing.T, r io.Reader) []string {
	t.Helper()
	var names []string
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return names
		}
		if err != nil {
			t.Fatalf("read the tar: %v", err)
		}
		names = append(names, strings.TrimPrefix(strings.TrimPrefix(h.Name, "./"), "/"))
	}
}
