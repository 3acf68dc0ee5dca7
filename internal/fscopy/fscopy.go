// Package fscopy copies files and directory trees with `docker cp`'s rules for where
// the copy lands. One side may be a container's root as the host sees it: there
// every path is resolved inside the root, so that a symlink the container made
// (absolute, or climbing with "..") never leads the copy to the host's own files.
package fscopy

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Copy copies the host path src to the host path dst as `docker cp` does: onto dst
// when dst does not exist, into dst when dst is a directory; a source ending in "/."
// copies the directory's contents rather than the directory itself.
func Copy(src, dst string) error { return copyWith(hostSide{}, src, hostSide{}, dst, false) }

// CopyKeepingOwners is Copy that also keeps each file's owner and group, as Docker
// does when it fills a new volume from an image.
func CopyKeepingOwners(src, dst string) error {
	return copyWith(hostSide{}, src, hostSide{}, dst, true)
}

// CopyIn copies the host path src to the path dst of the container whose root (as
// the host sees it) is root; owners keeps each file's owner and group (cp -a).
func CopyIn(src, root, dst string, owners bool) error {
	r, err := openRoot(root)
	if err != nil {
		return err
	}
	defer r.Close()
	return copyWith(hostSide{}, src, r, dst, owners)
}

// CopyOut copies the path src of the container whose root is root to the host
// path dst; owners keeps each file's owner and group (cp -a).
func CopyOut(root, src, dst string, owners bool) error {
	r, err := openRoot(root)
	if err != nil {
		return err
	}
	defer r.Close()
	return copyWith(r, src, hostSide{}, dst, owners)
}

func copyWith(from side, src string, to side, dst string, owners bool) error {
	contentsOnly := strings.HasSuffix(src, "/.")
	src, err := from.resolve(src)
	if err != nil {
		return err
	}
	if dst, err = to.resolve(dst); err != nil {
		return err
	}
	info, err := from.Lstat(src)
	if err != nil {
		return err
	}
	if dstInfo, err := to.Stat(dst); err == nil && dstInfo.IsDir() {
		if !contentsOnly {
			// The name it lands under may itself be a link the container made.
			if dst, err = to.resolve(filepath.Join(dst, filepath.Base(src))); err != nil {
				return err
			}
		}
	} else if err == nil && info.IsDir() {
		return fmt.Errorf("cannot copy a directory onto the file %s", dst)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	} else if strings.HasSuffix(dst, "/") && !info.IsDir() {
		return fmt.Errorf("destination directory %s does not exist", dst)
	}
	return copyTree(from, filepath.Clean(src), to, filepath.Clean(dst), owners)
}

func copyTree(from side, src string, to side, dst string, owners bool) error {
	return from.walk(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		info, err := from.Lstat(path)
		if err != nil {
			return err
		}
		if owners {
			defer chown(to, target, info)
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			link, err := from.Readlink(path)
			if err != nil {
				return err
			}
			_ = to.Remove(target)
			return to.Symlink(link, target)
		case info.IsDir():
			if err := to.MkdirAll(target, info.Mode().Perm()); err != nil {
				return err
			}
			return to.Chmod(target, info.Mode().Perm())
		case info.Mode().IsRegular():
			return copyFile(from, path, to, target, info.Mode().Perm())
		}
		return fmt.Errorf("%s: cannot copy a %s", path, info.Mode().Type())
	})
}

func copyFile(from side, src string, to side, dst string, mode fs.FileMode) error {
	in, err := from.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := to.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return to.Chmod(dst, mode)
}

// chown gives target the owner of info's file; errors are left to the copy itself.
func chown(to side, target string, info fs.FileInfo) {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		_ = to.Lchown(target, int(st.Uid), int(st.Gid))
	}
}
