// Package images builds the single-layer test images berth's e2e tests and
// examples use. No container registry is reachable from the test machines, so
// images are assembled from files of Debian packages installed on the host and
// pushed to a local registry (see cmd/mkimage and the build script).
package images

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// Kind is the type of a filesystem entry in a layer.
type Kind int

const (
	Dir Kind = iota
	File
	Symlink
)

func (k Kind) String() string {
	switch k {
	case Dir:
		return "dir"
	case File:
		return "file"
	case Symlink:
		return "symlink"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Entry is one file, directory or symlink of a layer. Ownership is always
// root:root and the mtime a constant, so only these fields reach the tar.
type Entry struct {
	Path string // clean, relative to the image root, no leading "/"
	Kind Kind
	Mode int64  // permission bits plus setuid/setgid/sticky (tar c_IS* values)
	Link string // symlink target, verbatim
	Src  string // host file with the content of a File, unless Data is set
	Data []byte // content of a File made in memory
	Size int64  // size of Src at the time it was added
}

// Tree is the set of entries of a layer, keyed by path.
type Tree struct {
	entries map[string]*Entry
}

// NewTree returns an empty tree.
func NewTree() *Tree { return &Tree{entries: map[string]*Entry{}} }

// CleanPath turns an absolute or relative path into the tree's key form.
func CleanPath(p string) string {
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	return p
}

// Has reports whether p (any form) is in the tree.
func (t *Tree) Has(p string) bool {
	_, ok := t.entries[CleanPath(p)]
	return ok
}

// Get returns the entry at p, or nil.
func (t *Tree) Get(p string) *Entry { return t.entries[CleanPath(p)] }

// Add puts e into the tree. An existing entry at the same path is kept unless
// replace is set; Add reports whether e was stored.
func (t *Tree) Add(e Entry, replace bool) bool {
	e.Path = CleanPath(e.Path)
	if e.Path == "" {
		return false // the root itself is never an entry
	}
	if _, ok := t.entries[e.Path]; ok && !replace {
		return false
	}
	if e.Kind == File && e.Data != nil {
		e.Size = int64(len(e.Data))
	}
	t.entries[e.Path] = &e
	return true
}

// AddData stores a file with in-memory content, replacing what was there.
func (t *Tree) AddData(p string, mode int64, data []byte) {
	if data == nil {
		data = []byte{}
	}
	t.Add(Entry{Path: p, Kind: File, Mode: mode, Data: data}, true)
}

// AddDir stores a directory, replacing what was there.
func (t *Tree) AddDir(p string, mode int64) {
	t.Add(Entry{Path: p, Kind: Dir, Mode: mode}, true)
}

// Entries returns the tree in layer order: sorted by path, so parents come
// before children (a parent is a prefix of its children) and the same set of
// entries always gives the same tar. Missing parent directories are added
// with mode 0755. Entries below a symlink are dropped: extracting them would
// write through the link (containerd refuses that) and their content lives at
// the link's target anyway. Dropped paths are returned for logging.
func (t *Tree) Entries() (entries []Entry, dropped []string) {
	for p := range t.entries {
		for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
			if _, ok := t.entries[d]; !ok {
				t.entries[d] = &Entry{Path: d, Kind: Dir, Mode: 0o755}
			}
		}
	}
	keys := make([]string, 0, len(t.entries))
	for p := range t.entries {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	for _, p := range keys {
		if t.underSymlink(p) {
			dropped = append(dropped, p)
			continue
		}
		entries = append(entries, *t.entries[p])
	}
	return entries, dropped
}

func (t *Tree) underSymlink(p string) bool {
	for d := path.Dir(p); d != "." && d != "/"; d = path.Dir(d) {
		if e, ok := t.entries[d]; ok && e.Kind == Symlink {
			return true
		}
	}
	return false
}
