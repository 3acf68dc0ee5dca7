package watch

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestFilter(t *testing.T) {
	ctx := t.TempDir()
	os.WriteFile(filepath.Join(ctx, ".dockerignore"), []byte("*.log\n!keep.log\n"), 0o644)
	src := filepath.Join(ctx, "src")
	f, err := NewFilter(src, nil, []string{"tmp/", "*.bak"}, ctx, "Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]bool{
		"src/a.py":           true,
		"src/tmp/x":          false, // the rule's ignore, relative to its path
		"src/b.bak":          false,
		"src/sub/b.bak":      true, // "*.bak" is not "**/*.bak", as in .dockerignore
		"debug.log":          false,
		"keep.log":           true,
		"src/.main.py.swp":   false, // an editor's
		"src/x~":             false,
		"src/.git/HEAD":      false,
		"src/sub/deep/c.txt": true,
	} {
		if got := f.Takes(filepath.Join(ctx, path)); got != want {
			t.Errorf("%s: takes %v, want %v", path, got, want)
		}
	}
	only, err := NewFilter(src, []string{"*.py"}, nil, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if !only.Takes(filepath.Join(src, "a.py")) || only.Takes(filepath.Join(src, "a.txt")) {
		t.Error("include *.py")
	}
	// A Dockerfile's own ignore file wins over .dockerignore.
	os.WriteFile(filepath.Join(ctx, "Dockerfile.dockerignore"), []byte("*.py\n"), 0o644)
	if m, _ := DockerIgnore(ctx, "Dockerfile"); !m.Matches(filepath.Join(ctx, "a.py")) || m.Matches(filepath.Join(ctx, "x.log")) {
		t.Error("Dockerfile.dockerignore not preferred")
	}
}

func next(t *testing.T, w *Watcher) []string {
	t.Helper()
	select {
	case b := <-w.Batches():
		return b
	case err := <-w.Errors():
		t.Fatal(err)
	case <-time.After(5 * time.Second):
		t.Fatal("no batch within 5s")
	}
	return nil
}

func TestWatcherBatchesAndNewDirectories(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "app")
	os.Mkdir(dir, 0o755)
	os.WriteFile(filepath.Join(root, "other"), nil, 0o644)
	w, err := New([]string{dir, filepath.Join(root, "later.txt")})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	// A save is one batch.
	os.WriteFile(filepath.Join(dir, "a"), []byte("1"), 0o644)
	os.WriteFile(filepath.Join(dir, "b"), []byte("1"), 0o644)
	if b := next(t, w); !slices.Equal(b, []string{filepath.Join(dir, "a"), filepath.Join(dir, "b")}) {
		t.Errorf("batch %v", b)
	}
	// A new directory tree: its files, and later changes deep inside it.
	os.MkdirAll(filepath.Join(dir, "x", "y"), 0o755)
	os.WriteFile(filepath.Join(dir, "x", "y", "c"), []byte("1"), 0o644)
	if b := next(t, w); !slices.Contains(b, filepath.Join(dir, "x", "y", "c")) {
		t.Errorf("new tree: %v", b)
	}
	os.WriteFile(filepath.Join(dir, "x", "y", "d"), []byte("1"), 0o644)
	if b := next(t, w); !slices.Equal(b, []string{filepath.Join(dir, "x", "y", "d")}) {
		t.Errorf("deep change: %v", b)
	}
	// Removals; and a file watched before it exists, beside one that is not watched.
	os.Remove(filepath.Join(dir, "a"))
	if b := next(t, w); !slices.Equal(b, []string{filepath.Join(dir, "a")}) {
		t.Errorf("removal: %v", b)
	}
	os.WriteFile(filepath.Join(root, "other"), []byte("2"), 0o644)
	os.WriteFile(filepath.Join(root, "later.txt"), []byte("2"), 0o644)
	if b := next(t, w); !slices.Equal(b, []string{filepath.Join(root, "later.txt")}) {
		t.Errorf("single file: %v", b)
	}
}

func TestSyncStaysInRoot(t *testing.T) {
	host, root, outside := t.TempDir(), t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(host, "tree", "sub"), 0o755)
	os.WriteFile(filepath.Join(host, "tree", "sub", "f"), []byte("new"), 0o640)
	// The container's /app is a link to a host directory as an absolute path: it
	// must resolve inside root, not on the host.
	os.Symlink(outside, filepath.Join(root, "app"))
	if err := Sync(root, filepath.Join(host, "tree"), "/app/tree"); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(root, outside, "tree", "sub", "f")); err != nil || string(b) != "new" {
		t.Errorf("synced tree: %q %v", b, err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("wrote outside the root: %v", entries)
	}
	// A removal removes a link itself, not what it points to.
	os.WriteFile(filepath.Join(root, "target"), []byte("keep"), 0o644)
	os.Symlink("/target", filepath.Join(root, "gone"))
	if err := Sync(root, filepath.Join(host, "gone"), "/gone"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(root, "gone")); !os.IsNotExist(err) {
		t.Error("the link is still there")
	}
	if b, _ := os.ReadFile(filepath.Join(root, "target")); string(b) != "keep" {
		t.Error("the removal followed the link")
	}
}
