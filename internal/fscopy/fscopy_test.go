package fscopy

import (
	"os"
	"path/filepath"
	"testing"
)

func write(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDockerCpRules(t *testing.T) {
	root := t.TempDir()
	src := filepath.Join(root, "src")
	write(t, filepath.Join(src, "a.txt"), "a", 0o640)
	write(t, filepath.Join(src, "sub", "b.txt"), "b", 0o755)
	if err := os.Symlink("a.txt", filepath.Join(src, "link")); err != nil {
		t.Fatal(err)
	}

	// A file onto a new name, and into an existing directory.
	if err := Copy(filepath.Join(src, "a.txt"), filepath.Join(root, "new.txt")); err != nil || read(t, filepath.Join(root, "new.txt")) != "a" {
		t.Fatalf("file onto a new name: %v", err)
	}
	if st, _ := os.Stat(filepath.Join(root, "new.txt")); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v", st.Mode())
	}
	dir := filepath.Join(root, "dir")
	os.Mkdir(dir, 0o755)
	if err := Copy(filepath.Join(src, "a.txt"), dir); err != nil || read(t, filepath.Join(dir, "a.txt")) != "a" {
		t.Fatalf("file into a directory: %v", err)
	}
	// A directory to a new name copies the tree; into an existing one nests it.
	if err := Copy(src, filepath.Join(root, "copy")); err != nil || read(t, filepath.Join(root, "copy", "sub", "b.txt")) != "b" {
		t.Fatalf("tree: %v", err)
	}
	if l, err := os.Readlink(filepath.Join(root, "copy", "link")); err != nil || l != "a.txt" {
		t.Errorf("symlink: %q %v", l, err)
	}
	if err := Copy(src, dir); err != nil || read(t, filepath.Join(dir, "src", "a.txt")) != "a" {
		t.Fatalf("tree into a directory: %v", err)
	}
	// "/." copies the contents.
	flat := filepath.Join(root, "flat")
	os.Mkdir(flat, 0o755)
	if err := Copy(src+"/.", flat); err != nil || read(t, filepath.Join(flat, "sub", "b.txt")) != "b" {
		t.Fatalf("contents: %v", err)
	}
	// Errors: a directory onto a file, a missing source, a missing directory.
	if err := Copy(src, filepath.Join(root, "new.txt")); err == nil {
		t.Error("a directory was copied onto a file")
	}
	if err := Copy(filepath.Join(root, "nope"), dir); err == nil {
		t.Error("a missing source was copied")
	}
	if err := Copy(filepath.Join(src, "a.txt"), filepath.Join(root, "missing")+"/"); err == nil {
		t.Error("a file was copied into a missing directory")
	}
}

// TestContainerLinksStayInside: links in a container's root that point out of it
// (absolute, or climbing with "..") lead CopyIn and CopyOut to the container's own
// files, never to the host's.
func TestContainerLinksStayInside(t *testing.T) {
	root, outside, host := t.TempDir(), t.TempDir(), t.TempDir()
	write(t, filepath.Join(outside, "secret"), "host-secret\n", 0o600)
	write(t, filepath.Join(host, "conf", "evil.txt"), "evil\n", 0o644)
	if err := os.MkdirAll(filepath.Join(root, "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	climb := "../../../../../../../.." + outside
	for link, target := range map[string]string{"conf": outside, "rel": climb, "secret": outside + "/secret"} {
		if err := os.Symlink(target, filepath.Join(root, "app", link)); err != nil {
			t.Fatal(err)
		}
	}
	for _, dst := range []string{"/app/", "/app/conf/", "/app/rel/x", "/app/secret"} {
		src := filepath.Join(host, "conf")
		if dst == "/app/rel/x" || dst == "/app/secret" {
			src = filepath.Join(src, "evil.txt")
		}
		if err := CopyIn(src, root, dst, false); err != nil {
			t.Logf("CopyIn %s: %v", dst, err) // refusing is as good as landing inside
		}
	}
	for i, src := range []string{"/app/conf/secret", "/app/rel/secret", "/app/secret", "/app/rel/."} {
		dst := filepath.Join(host, "out", string(rune('a'+i)))
		_ = os.MkdirAll(filepath.Dir(dst), 0o755)
		_ = CopyOut(root, src, dst, false)
		_ = filepath.Walk(dst, func(path string, info os.FileInfo, err error) error {
			if b, _ := os.ReadFile(path); err == nil && info.Mode().IsRegular() && string(b) == "host-secret\n" {
				t.Errorf("CopyOut %s read the host's secret into %s", src, path)
			}
			return nil
		})
	}
	entries, _ := os.ReadDir(outside)
	if len(entries) != 1 || read(t, filepath.Join(outside, "secret")) != "host-secret\n" {
		t.Errorf("written outside the root: %v", entries)
	}
	if got := read(t, filepath.Join(root, outside, "evil.txt")); got != "evil\n" {
		t.Errorf("the copy through the absolute link did not land inside the root: %q", got)
	}
}
