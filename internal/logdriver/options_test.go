package logdriver

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseOptions(t *testing.T) {
	for _, tc := range []struct {
		in   map[string]string
		want Options
		err  string // substring; "" = no error
	}{
		{nil, Options{MaxFiles: 1}, ""},
		{map[string]string{"max-size": "10m"}, Options{MaxSize: 10e6, MaxFiles: 1}, ""},
		{map[string]string{"max-size": "1g", "max-file": "3"}, Options{MaxSize: 1e9, MaxFiles: 3}, ""},
		{map[string]string{"max-size": "500k"}, Options{MaxSize: 500e3, MaxFiles: 1}, ""},
		{map[string]string{"max-size": "500KB"}, Options{MaxSize: 500e3, MaxFiles: 1}, ""},
		{map[string]string{"max-size": "1.5m"}, Options{MaxSize: 1.5e6, MaxFiles: 1}, ""},
		{map[string]string{"max-size": "4096"}, Options{MaxSize: 4096, MaxFiles: 1}, ""},
		{map[string]string{"max-size": "0"}, Options{}, "max-size"},
		{map[string]string{"max-size": "-1"}, Options{}, "max-size"},
		{map[string]string{"max-size": "10x"}, Options{}, "max-size"},
		{map[string]string{"max-file": "0"}, Options{}, "max-file"},
		{map[string]string{"max-file": "two"}, Options{}, "max-file"},
		{map[string]string{"max-size": "1m", "compress": "true"}, Options{}, `"compress"`},
		{map[string]string{"labels": "a"}, Options{}, `"labels"`},
	} {
		got, err := ParseOptions(tc.in)
		if tc.err == "" {
			if err != nil || got != tc.want {
				t.Errorf("ParseOptions(%v) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrBadOption) {
			t.Errorf("ParseOptions(%v) error = %v; want ErrBadOption naming %s", tc.in, err, tc.err)
		}
	}
}

func TestURI(t *testing.T) {
	bin, log := "/usr/local/bin/berth", "/var/lib/berth/ns/logs/my proj/web 1?&=#.log"
	u, err := url.Parse(URI(bin, log))
	if err != nil {
		t.Fatal(err)
	}
	// What containerd's shim does with it: exec u.Path with key, first value.
	q := u.Query()
	if u.Scheme != "binary" || u.Host != "" || u.Path != bin || len(q) != 1 || q.Get(DriverArg) != log {
		t.Fatalf("URI %q parsed to scheme %q host %q path %q query %v", URI(bin, log), u.Scheme, u.Host, u.Path, q)
	}
	if !strings.HasPrefix(URI(bin, log), "binary:///usr/local/bin/berth?_logdriver=") {
		t.Fatalf("URI = %q", URI(bin, log))
	}
	// Relative paths would be resolved in the task bundle: made absolute.
	u, _ = url.Parse(URI("berth", "x.log"))
	if !filepath.IsAbs(u.Path) || !filepath.IsAbs(u.Query().Get(DriverArg)) {
		t.Fatalf("relative paths kept: %q", URI("berth", "x.log"))
	}
}

func TestWriteOptions(t *testing.T) {
	log := filepath.Join(t.TempDir(), "sub", "c.log")
	if o, err := loadOptions(log); err != nil || o != (Options{MaxFiles: 1}) {
		t.Fatalf("no options file: %+v, %v", o, err)
	}
	want := Options{MaxSize: 1234, MaxFiles: 4}
	if err := WriteOptions(log, want); err != nil {
		t.Fatal(err)
	}
	if o, err := loadOptions(log); err != nil || o != want {
		t.Fatalf("loadOptions = %+v, %v; want %+v", o, err, want)
	}
	st, err := os.Stat(OptionsFile(log))
	if err != nil || st.Mode().Perm() != 0o640 {
		t.Fatalf("options file: %v, %v", st, err)
	}
	os.WriteFile(OptionsFile(log), []byte("{bad"), 0o640)
	if o, err := loadOptions(log); err == nil || o != (Options{MaxFiles: 1}) {
		t.Fatalf("bad options file: %+v, %v; want defaults and an error", o, err)
	}
}
