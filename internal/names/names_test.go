package names

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	bad := []string{"", ".", "..", "../..", "a/b", "/abs", ".hidden", "-dash", "_under", "a\x00b", "a b", "é", "a\nb", strings.Repeat("a", MaxLen+1)}
	for _, kind := range []Kind{Volume, Network, Project, Container} {
		for _, n := range bad {
			err := Check(kind, n)
			var ne *Error
			if !errors.As(err, &ne) || ne.Name != n || ne.Kind != kind {
				t.Errorf("Check(%s, %q) = %v, want an *Error naming it", kind, n, err)
			}
		}
	}
	good := map[Kind][]string{
		Volume:    {"ab", "data_1", "proj_db-data", "a.b", "0x"},
		Network:   {"n", "proj_default", "Front.End-2"},
		Project:   {"p", "my-app_2", "0"},
		Container: {"4f0c6d2e9a", "web-1"},
	}
	for kind, ns := range good {
		for _, n := range ns {
			if err := Check(kind, n); err != nil {
				t.Errorf("Check(%s, %q): %v", kind, n, err)
			}
		}
	}
	// Docker's volume rule wants two characters; Compose's project rule is lowercase.
	if Check(Volume, "a") == nil || Check(Project, "App") == nil || Check(Project, "a.b") == nil {
		t.Error("a one-letter volume, an uppercase or dotted project passed")
	}
	if msg := Check(Volume, "..").Error(); msg != `invalid volume name "..": want a letter or digit, then letters, digits, '_', '.' or '-'` {
		t.Errorf("message: %s", msg)
	}
}

// FuzzCheck: whatever passes is one path element that stays under the directory it
// is joined to, for every kind.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{"ab", "..", "a/b", ".x", "", "a\x00", "proj_default", "a..b", "x/../.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		for _, kind := range []Kind{Volume, Network, Project, Container} {
			err := Check(kind, name)
			if err == nil {
				const root = "/state/volumes"
				p := filepath.Join(root, name)
				if filepath.Dir(p) != root || filepath.Base(p) != name || strings.HasPrefix(name, ".") || strings.ContainsAny(name, "/\x00") {
					t.Fatalf("%s name %q passed but leaves its directory: %s", kind, name, p)
				}
				continue
			}
			if msg := err.Error(); strings.Contains(msg, "\n") {
				t.Fatalf("%s name %q: message is not one line: %q", kind, name, msg)
			}
		}
	})
}
