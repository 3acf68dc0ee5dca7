package images

import (
	"archive/tar"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

// fakeRoot makes a small merged-/usr root filesystem, as Debian 12 has.
func fakeRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	mkdir := func(p string, mode os.FileMode) {
		if err := os.MkdirAll(filepath.Join(root, p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(root, p), mode); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, content string, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(root, p), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(root, p), mode); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, p string) {
		if err := os.Symlink(target, filepath.Join(root, p)); err != nil {
			t.Fatal(err)
		}
	}
	mkdir("usr/bin", 0o755)
	mkdir("usr/sbin", 0o755)
	mkdir("usr/lib/x86_64-linux-gnu", 0o755)
	mkdir("usr/lib64", 0o755)
	mkdir("usr/share/doc/tool", 0o755)
	mkdir("etc/secret", 0o750)
	mkdir("etc/alternatives", 0o755)
	link("usr/bin", "bin")
	link("usr/sbin", "sbin")
	link("usr/lib", "lib")
	link("usr/lib64", "lib64")
	write("usr/bin/tool", "#!/bin/sh\necho tool\n", 0o755)
	write("usr/bin/busybox", "not really busybox", 0o755)
	write("usr/bin/su", "setuid", 0o755|os.ModeSetuid)
	write("usr/bin/mawk", "awk", 0o755)
	link("/etc/alternatives/awk", "usr/bin/awk")
	link("/usr/bin/mawk", "etc/alternatives/awk")
	write("usr/lib/x86_64-linux-gnu/libx.so.1", "ELF", 0o644)
	link("libx.so.1", "usr/lib/x86_64-linux-gnu/libx.so")
	link("../lib/x86_64-linux-gnu/ld.so", "usr/lib64/ld-linux-x86-64.so.2")
	write("usr/lib/x86_64-linux-gnu/ld.so", "ld", 0o755)
	write("usr/share/doc/tool/copyright", "doc", 0o644)
	write("etc/secret/key", "k", 0o600)
	return root
}

// pkgFiles is what dpkg -L would list for the fake root, old spellings included.
var pkgFiles = []string{
	"/bin", "/bin/tool", "/usr/bin/busybox", "/usr/bin/su", "/usr/bin/mawk", "/usr/bin/awk",
	"/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu/libx.so.1", "/usr/lib/x86_64-linux-gnu/libx.so",
	"/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld.so",
	"/usr/share/doc", "/usr/share/doc/tool", "/usr/share/doc/tool/copyright",
	"/etc/secret", "/etc/secret/key", "/etc/gone.conf",
}

var applets = []string{"bin/sh", "bin/tool", "usr/bin/awk", "sbin/ip", "usr/sbin/arping", "linuxrc", "bin/busybox"}

func buildFake(t *testing.T, root string, files []string) (*Layer, *Tree) {
	t.Helper()
	h, err := NewHost(root)
	if err != nil {
		t.Fatal(err)
	}
	tr := NewTree()
	h.AddMergedLinks(tr)
	for _, p := range files {
		if Skipped(p) {
			continue
		}
		if _, err := h.AddPath(tr, p); err != nil {
			t.Fatal(err)
		}
	}
	h.AddAlternatives(tr)
	h.AddBusybox(tr, applets)
	AddBaseFiles(tr, true)
	entries, _ := tr.Entries()
	l, err := BuildLayer(entries)
	if err != nil {
		t.Fatal(err)
	}
	return l, tr
}

func digests(t *testing.T, l *Layer) (string, string) {
	t.Helper()
	d, _ := l.Digest()
	id, _ := l.DiffID()
	return d.String(), id.String()
}

func TestLayerDeterministic(t *testing.T) {
	root := fakeRoot(t)
	l1, _ := buildFake(t, root, pkgFiles)

	// Other input order, other mtimes: same bytes.
	reversed := slices.Clone(pkgFiles)
	slices.Reverse(reversed)
	later := time.Now().Add(time.Hour)
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.Mode()&os.ModeSymlink != 0 {
			return err
		}
		return os.Chtimes(p, later, later)
	})
	if err != nil {
		t.Fatal(err)
	}
	l2, _ := buildFake(t, root, reversed)

	d1, id1 := digests(t, l1)
	d2, id2 := digests(t, l2)
	if d1 != d2 || id1 != id2 {
		t.Fatalf("same input, different layers: %s/%s vs %s/%s", d1, id1, d2, id2)
	}

	img1, err := Image(l1, Config{Cmd: []string{"sh"}, ExposedPorts: []string{"80"}}, "amd64", "test")
	if err != nil {
		t.Fatal(err)
	}
	img2, err := Image(l2, Config{Cmd: []string{"sh"}, ExposedPorts: []string{"80"}}, "amd64", "test")
	if err != nil {
		t.Fatal(err)
	}
	m1, _ := img1.Digest()
	m2, _ := img2.Digest()
	if m1 != m2 {
		t.Fatalf("same input, different manifests: %s vs %s", m1, m2)
	}

	// A content change must change the digest.
	if err := os.WriteFile(filepath.Join(root, "usr/bin/tool"), []byte("#!/bin/sh\necho TOOL\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	l3, _ := buildFake(t, root, pkgFiles)
	if d3, _ := digests(t, l3); d3 == d1 {
		t.Fatal("changed content, same digest")
	}
}

type hdr struct {
	typ  byte
	mode int64
	link string
	body string
}

func readLayer(t *testing.T, l *Layer) ([]string, map[string]hdr) {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	var names []string
	got := map[string]hdr{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" {
			t.Errorf("%s: owner %d:%d %q:%q, want 0:0", h.Name, h.Uid, h.Gid, h.Uname, h.Gname)
		}
		if !h.ModTime.Equal(Epoch) {
			t.Errorf("%s: mtime %v, want %v", h.Name, h.ModTime, Epoch)
		}
		body, _ := io.ReadAll(tr)
		names = append(names, h.Name)
		got[h.Name] = hdr{h.Typeflag, h.Mode, h.Linkname, string(body)}
	}
	return names, got
}

func TestLayerContents(t *testing.T) {
	root := fakeRoot(t)
	l, _ := buildFake(t, root, pkgFiles)
	names, got := readLayer(t, l)
	if !slices.IsSorted(names) {
		t.Errorf("entries not sorted: %q", names)
	}
	want := map[string]hdr{
		// /usr-merge: symlinks in the root, files under /usr.
		"bin":                                {tar.TypeSymlink, 0o777, "usr/bin", ""},
		"sbin":                               {tar.TypeSymlink, 0o777, "usr/sbin", ""},
		"lib":                                {tar.TypeSymlink, 0o777, "usr/lib", ""},
		"lib64":                              {tar.TypeSymlink, 0o777, "usr/lib64", ""},
		"usr/bin/tool":                       {tar.TypeReg, 0o755, "", "#!/bin/sh\necho tool\n"}, // not replaced by the applet
		"usr/bin/su":                         {tar.TypeReg, 0o4755, "", "setuid"},
		"usr/lib/x86_64-linux-gnu/libx.so.1": {tar.TypeReg, 0o644, "", "ELF"},
		"usr/lib/x86_64-linux-gnu/libx.so":   {tar.TypeSymlink, 0o777, "libx.so.1", ""},
		"usr/lib64/ld-linux-x86-64.so.2":     {tar.TypeSymlink, 0o777, "../lib/x86_64-linux-gnu/ld.so", ""},
		"etc/secret/":                        {tar.TypeDir, 0o750, "", ""},
		"etc/secret/key":                     {tar.TypeReg, 0o600, "", "k"},
		"usr/bin/sh":                         {tar.TypeSymlink, 0o777, "/bin/busybox", ""},
		"usr/sbin/ip":                        {tar.TypeSymlink, 0o777, "/bin/busybox", ""},
		"usr/sbin/arping":                    {tar.TypeSymlink, 0o777, "/bin/busybox", ""},
		"usr/bin/busybox":                    {tar.TypeReg, 0o755, "", "not really busybox"},
		"usr/bin/awk":                        {tar.TypeSymlink, 0o777, "/etc/alternatives/awk", ""},
		"etc/alternatives/awk":               {tar.TypeSymlink, 0o777, "/usr/bin/mawk", ""},
		"tmp/":                               {tar.TypeDir, 0o1777, "", ""},
		"root/":                              {tar.TypeDir, 0o700, "", ""},
		"etc/nsswitch.conf":                  {tar.TypeReg, 0o644, "", "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n"},
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("%s: missing", name)
			continue
		}
		if g != w {
			t.Errorf("%s: got %+v, want %+v", name, g, w)
		}
	}
	for _, name := range []string{"bin/tool", "bin/", "usr/share/doc/", "usr/share/doc/tool/copyright", "linuxrc", "etc/gone.conf", "etc/hosts", "etc/resolv.conf"} {
		if _, ok := got[name]; ok {
			t.Errorf("%s: present, want absent", name)
		}
	}
}

func TestTreeEntries(t *testing.T) {
	tr := NewTree()
	tr.Add(Entry{Path: "/a/link", Kind: Symlink, Link: "real"}, false)
	tr.Add(Entry{Path: "a/link/file", Kind: File, Data: []byte("x")}, false)
	tr.AddData("/x/y/z", 0o600, []byte("z"))
	if tr.Add(Entry{Path: "x/y/z", Kind: File, Data: []byte("other")}, false) {
		t.Error("Add without replace overwrote an entry")
	}
	entries, dropped := tr.Entries()
	var names []string
	for _, e := range entries {
		names = append(names, e.Path+":"+e.Kind.String())
	}
	want := []string{"a:dir", "a/link:symlink", "x:dir", "x/y:dir", "x/y/z:file"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("entries %q, want %q", names, want)
	}
	if !reflect.DeepEqual(dropped, []string{"a/link/file"}) {
		t.Errorf("dropped %q", dropped)
	}
}

func TestParseDepends(t *testing.T) {
	got := ParseDepends("python3-click (>= 8.0), python3-importlib-metadata | python3 (>> 3.10), python3:any, , libc6 (>= 2.34) [amd64]")
	want := [][]string{{"python3-click"}, {"python3-importlib-metadata", "python3"}, {"python3"}, {"libc6"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestParseFileList(t *testing.T) {
	out := "/.\n/usr\n/usr/bin\n/usr/bin/pg_config\ndiverted by postgresql-common to: /usr/bin/pg_config.libpq-dev\n" +
		"/usr/bin/x\nlocally diverted to: /usr/bin/x.orig\n/bin/sh\npackage diverts others to: /bin/sh.distrib\n" +
		"diversion by dash from: /bin/sh\n\n/etc/y\n"
	got := ParseFileList(out)
	want := []string{"/usr", "/usr/bin", "/usr/bin/pg_config.libpq-dev", "/usr/bin/x.orig", "/bin/sh", "/etc/y"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestClosure(t *testing.T) {
	status := "" +
		"app\tapp\tamd64\tii \t\tlibc6 (>= 2), mta | default-mta, tool-a | tool-b, \n" +
		"libc6:amd64\tlibc6\tamd64\tii \t\tlibgcc-s1, \n" +
		"libc6:i386\tlibc6\ti386\tii \t\t, \n" +
		"libgcc-s1:amd64\tlibgcc-s1\tamd64\tii \t\t, libc6\n" + // a Pre-Depends cycle
		"exim\texim\tamd64\tii \tmta, default-mta\t, \n" +
		"tool-a\ttool-a\tall\trc \t\t, \n" + // removed, config files left
		"tool-b\ttool-b\tall\tii \t\t, \n" +
		"orphan\torphan\tall\tii \t\t, \n"
	db := ParseDB("amd64", status)
	pkgs, warnings, err := db.Closure([]string{"app"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, p := range pkgs {
		ids = append(ids, p.ID)
	}
	want := []string{"app", "exim", "libc6:amd64", "libgcc-s1:amd64", "tool-b"}
	if !reflect.DeepEqual(ids, want) {
		t.Errorf("closure %q, want %q", ids, want)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings: %q", warnings)
	}
	if _, _, err := db.Closure([]string{"tool-a"}); err == nil {
		t.Error("closure of a not-installed package: no error")
	}
}
