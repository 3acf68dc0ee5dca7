package statefile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteReadList(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	path := filepath.Join(dir, "x.json")
	for _, v := range []string{"one", "two"} {
		if err := WriteJSON(path, v, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	var got string
	if err := ReadJSON(path, &got); err != nil || got != "two" {
		t.Fatalf("got %q %v", got, err)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v", st.Mode())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temp files left: %v", entries)
	}
	if err := os.WriteFile(filepath.Join(dir, ".y.json.tmp-1"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	names, err := JSONNames(dir)
	if err != nil || len(names) != 1 || names[0] != "x" {
		t.Fatalf("JSONNames: %v %v", names, err)
	}
	if err := ReadJSON(filepath.Join(dir, "absent.json"), &got); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("absent file: %v", err)
	}
	if err := Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := Remove(path); err != nil {
		t.Errorf("removing twice: %v", err)
	}
	if names, err := JSONNames(filepath.Join(dir, "nope")); err != nil || names != nil {
		t.Errorf("missing dir: %v %v", names, err)
	}
}

// A Write killed between its temp file and the rename leaves the temp file: Remove
// of the record takes it too, and nothing else.
func TestRemoveTakesAKilledWritesTempFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c1.json")
	if err := Write(path, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	left := filepath.Join(dir, ".c1.json.tmp-123")
	other := filepath.Join(dir, ".c2.json.tmp-456")
	for _, f := range []string{left, other} {
		if err := os.WriteFile(f, []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := Remove(path); err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string]bool{path: false, left: false, other: true} {
		if _, err := os.Stat(f); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", f, err == nil, want)
		}
	}
}
