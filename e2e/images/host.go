package images

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// SkipPrefixes are package paths never copied into an image: documentation
// and translations that no test needs and that only make images bigger.
var SkipPrefixes = []string{
	"/usr/share/doc",
	"/usr/share/man",
	"/usr/share/info",
	"/usr/share/locale",
	"/usr/share/lintian",
}

// mergeCandidates are the top-level directories that /usr-merge turns into
// symlinks into /usr (Debian 12: bin, sbin, lib, lib64; lib32/libx32 on
// multilib hosts).
var mergeCandidates = []string{"bin", "sbin", "lib", "lib32", "lib64", "libx32"}

// Host reads files from a root filesystem (normally "/") and maps the paths
// dpkg records onto the image's layout.
type Host struct {
	Root string
	// Merged maps a top-level directory that is a symlink on the host
	// (e.g. "bin") to its target ("usr/bin").
	Merged map[string]string
}

// NewHost inspects root for /usr-merge symlinks.
func NewHost(root string) (*Host, error) {
	h := &Host{Root: root, Merged: map[string]string{}}
	for _, d := range mergeCandidates {
		target, err := os.Readlink(filepath.Join(root, d))
		if err != nil {
			continue // absent or a real directory
		}
		target = CleanPath(target)
		if target != "usr/"+d {
			return nil, fmt.Errorf("/%s -> %s: unexpected /usr-merge layout", d, target)
		}
		h.Merged[d] = target
	}
	return h, nil
}

// Map returns the image path of a package path: dpkg still records many files
// under /bin, /lib, …, which on a merged-/usr system live under /usr.
func (h *Host) Map(p string) string {
	p = CleanPath(p)
	first, rest, _ := strings.Cut(p, "/")
	if target, ok := h.Merged[first]; ok {
		return path.Join(target, rest)
	}
	return p
}

// Skipped reports whether a package path is excluded by SkipPrefixes.
func Skipped(p string) bool {
	p = "/" + CleanPath(p)
	for _, s := range SkipPrefixes {
		if p == s || strings.HasPrefix(p, s+"/") {
			return true
		}
	}
	return false
}

// AddMergedLinks adds the /usr-merge symlinks (bin -> usr/bin, …) and their
// target directories, so paths under either spelling work in the image.
func (h *Host) AddMergedLinks(t *Tree) {
	for d, target := range h.Merged {
		t.Add(Entry{Path: d, Kind: Symlink, Mode: 0o777, Link: target}, true)
		t.Add(Entry{Path: target, Kind: Dir, Mode: 0o755}, false)
	}
}

// AddPath copies the host file at package path p into t (not replacing what
// is there), with its parent directories. Missing files (conffiles removed by
// the admin, …) are skipped and reported with ok=false.
func (h *Host) AddPath(t *Tree, p string) (ok bool, err error) {
	img := h.Map(p)
	if img == "" {
		return false, nil
	}
	e, err := h.entry(img)
	if err != nil {
		if os.IsNotExist(err) {
			return false, nil
		}
		return false, err
	}
	if e == nil {
		return false, nil // device, fifo, socket: nothing a test image needs
	}
	if t.Has(img) {
		return true, nil
	}
	// Parents first, with the host's modes; Tree.Entries would default them
	// to 0755, which is wrong for e.g. /var/tmp (1777) or /root (0700).
	for d := path.Dir(img); d != "."; d = path.Dir(d) {
		if t.Has(d) {
			break
		}
		pe, err := h.entry(d)
		if err != nil || pe == nil || pe.Kind != Dir {
			continue
		}
		t.Add(*pe, false)
	}
	t.Add(*e, false)
	return true, nil
}

// entry describes the host file at image path img (lstat: symlinks are
// kept as symlinks). It returns nil for special files.
func (h *Host) entry(img string) (*Entry, error) {
	src := filepath.Join(h.Root, filepath.FromSlash(img))
	fi, err := os.Lstat(src)
	if err != nil {
		return nil, err
	}
	mode := TarMode(fi.Mode())
	switch {
	case fi.Mode().IsDir():
		return &Entry{Path: img, Kind: Dir, Mode: mode}, nil
	case fi.Mode()&fs.ModeSymlink != 0:
		link, err := os.Readlink(src)
		if err != nil {
			return nil, err
		}
		return &Entry{Path: img, Kind: Symlink, Mode: 0o777, Link: link}, nil
	case fi.Mode().IsRegular():
		return &Entry{Path: img, Kind: File, Mode: mode, Src: src, Size: fi.Size()}, nil
	}
	return nil, nil
}

// TarMode converts Go file mode bits to tar's (permissions plus
// setuid 04000, setgid 02000, sticky 01000).
func TarMode(m fs.FileMode) int64 {
	v := int64(m.Perm())
	if m&fs.ModeSetuid != 0 {
		v |= syscall.S_ISUID
	}
	if m&fs.ModeSetgid != 0 {
		v |= syscall.S_ISGID
	}
	if m&fs.ModeSticky != 0 {
		v |= syscall.S_ISVTX
	}
	return v
}

// AddAlternatives copies the /etc/alternatives links that symlinks already in
// t point to (awk -> /etc/alternatives/awk -> /usr/bin/mawk): maintainer
// scripts create them, so dpkg -L does not list them. Only links whose final
// target is in the image are added, so none dangles.
func (h *Host) AddAlternatives(t *Tree) {
	var add []Entry
	for _, e := range t.entries {
		if e.Kind != Symlink {
			continue
		}
		target := e.Link
		if !path.IsAbs(target) {
			target = path.Join("/", path.Dir(e.Path), target)
		}
		if !strings.HasPrefix(target, "/etc/alternatives/") {
			continue
		}
		link, err := os.Readlink(filepath.Join(h.Root, target))
		if err != nil {
			continue
		}
		if t.Has(h.Map(link)) {
			add = append(add, Entry{Path: target, Kind: Symlink, Mode: 0o777, Link: link})
		}
	}
	for _, e := range add {
		t.Add(e, false)
	}
}

// AddBusybox adds every applet as a symlink to /bin/busybox, unless a package
// already put a file there. applets are paths as `busybox --list-full`
// prints them (bin/sh, usr/sbin/arping, …).
func (h *Host) AddBusybox(t *Tree, applets []string) {
	for _, a := range applets {
		a = CleanPath(a)
		if !strings.Contains(a, "/") {
			continue // "linuxrc": an initramfs thing, not for containers
		}
		img := h.Map(a)
		if img == h.Map("bin/busybox") {
			continue
		}
		t.Add(Entry{Path: img, Kind: Symlink, Mode: 0o777, Link: "/bin/busybox"}, false)
	}
}
