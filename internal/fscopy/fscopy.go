// Package fscopy copies files and directory trees with `docker cp`'s rules for where
// the copy lands. Both sides are host paths: berth reaches a container's files
// through its root as the host sees it.
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

// Copy copies src to dst as `docker cp` does: onto dst when dst does not exist, into
// dst when dst is a directory; a source ending in "/." copies the directory's
// contents rather than the directory itself.
func Copy(src, dst string) error { return copyWith(src, dst, false) }

// CopyKeepingOwners is Copy that also keeps each file's owner and group, as Docker
// does when it fills a new volume from an image.
func CopyKeepingOwners(src, dst string) error { return copyWith(src, dst, true) }

func copyWith(src, dst string, owners bool) error {
	contentsOnly := strings.HasSuffix(src, "/.")
	info, err := os.Lstat(src)
	if err != nil {
		return err
	}
	if dstInfo, err := os.Stat(dst); err == nil && dstInfo.IsDir() {
		if !contentsOnly {
			dst = filepath.Join(dst, filepath.Base(src))
		}
	} else if err == nil && info.IsDir() {
		return fmt.Errorf("cannot copy a directory onto the file %s", dst)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	} else if strings.HasSuffix(dst, "/") && !info.IsDir() {
		return fmt.Errorf("destination directory %s does not exist", dst)
	}
	return copyTree(filepath.Clean(src), dst, owners)
}

func copyTree(src, dst string, owners bool) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		info, err := os.Lstat(path)
		if err != nil {
			return err
		}
		if owners {
			defer chown(target, info)
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			_ = os.Remove(target)
			return os.Symlink(link, target)
		case info.IsDir():
			if err := os.MkdirAll(target, info.Mode().Perm()); err != nil {
				return err
			}
			return os.Chmod(target, info.Mode().Perm())
		case info.Mode().IsRegular():
			return copyFile(path, target, info.Mode().Perm())
		}
		return fmt.Errorf("%s: cannot copy a %s", path, info.Mode().Type())
	})
}

func copyFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
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
	return os.Chmod(dst, mode)
}

// chown gives target the owner of info's file; errors are left to the copy itself.
func chown(target string, info fs.FileInfo) {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		_ = os.Lchown(target, int(st.Uid), int(st.Gid))
	}
}
