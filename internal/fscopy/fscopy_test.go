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
