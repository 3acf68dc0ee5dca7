package fscopy

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
)

// side is one end of a copy: the host's file system, or a container's root.
type side interface {
	// resolve makes a path given by the user into one the other methods take,
	// keeping a trailing "/" or "/.".
	resolve(name string) (string, error)
	walk(name string, fn fs.WalkDirFunc) error
	Lstat(name string) (fs.FileInfo, error)
	Stat(name string) (fs.FileInfo, error)
	Open(name string) (*os.File, error)
	OpenFile(name string, flag int, perm fs.FileMode) (*os.File, error)
	MkdirAll(name string, perm fs.FileMode) error
	Chmod(name string, mode fs.FileMode) error
	Lchown(name string, uid, gid int) error
	Symlink(oldname, newname string) error
	Readlink(name string) (string, error)
	Remove(name string) error
}

// hostSide is the host's file system, paths as given.
type hostSide struct{}

func (hostSide) resolve(name string) (string, error)          { return name, nil }
func (hostSide) walk(name string, fn fs.WalkDirFunc) error    { return filepath.WalkDir(name, fn) }
func (hostSide) Lstat(name string) (fs.FileInfo, error)       { return os.Lstat(name) }
func (hostSide) Stat(name string) (fs.FileInfo, error)        { return os.Stat(name) }
func (hostSide) Open(name string) (*os.File, error)           { return os.Open(name) }
func (hostSide) MkdirAll(name string, perm fs.FileMode) error { return os.MkdirAll(name, perm) }
func (hostSide) Chmod(name string, mode fs.FileMode) error    { return os.Chmod(name, mode) }
func (hostSide) Lchown(name string, uid, gid int) error       { return os.Lchown(name, uid, gid) }
func (hostSide) Symlink(oldname, newname string) error        { return os.Symlink(oldname, newname) }
func (hostSide) Readlink(name string) (string, error)         { return os.Readlink(name) }
func (hostSide) Remove(name string) error                     { return os.Remove(name) }
func (hostSide) OpenFile(name string, flag int, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(name, flag, perm)
}

// rootSide is a container's root. resolve follows the container's symlinks as the
// container would see them (an absolute link starts at its root), with
// filepath-securejoin; every later step goes through an os.Root, which refuses any
// link that leads out, so a link the container plants while the copy runs cannot
// take it to the host's files either.
type rootSide struct {
	*os.Root
	dir string
}

func openRoot(dir string) (rootSide, error) {
	r, err := os.OpenRoot(dir)
	return rootSide{r, dir}, err
}

// resolve takes a path of the container (absolute, or relative to its root) to
// the path relative to the root that os.Root takes.
func (r rootSide) resolve(name string) (string, error) {
	host, err := securejoin.SecureJoin(r.dir, name)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(r.dir, host)
	if err != nil {
		return "", err
	}
	switch {
	case strings.HasSuffix(name, "/."):
		rel += "/."
	case strings.HasSuffix(name, "/") && rel != ".":
		rel += "/"
	}
	return rel, nil
}

func (r rootSide) walk(name string, fn fs.WalkDirFunc) error {
	return fs.WalkDir(r.FS(), name, fn)
}
