package watch

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"syscall"

	securejoin "github.com/cyphar/filepath-securejoin"
)

// Sync makes containerPath, inside the file system whose root is at root on the
// host (a running container's), what hostPath is now: a file's content and mode,
// a directory tree, a symlink, or nothing when hostPath is gone. Every path in the
// container is resolved inside root, so the container's own symlinks never lead
// the write out of it.
func Sync(root, hostPath, containerPath string) error {
	info, err := os.Lstat(hostPath)
	if errors.Is(err, fs.ErrNotExist) {
		dst, err := inRoot(root, containerPath)
		if err != nil {
			return err
		}
		return os.RemoveAll(dst)
	}
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return syncOne(root, hostPath, containerPath, info)
	}
	return filepath.WalkDir(hostPath, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed meanwhile: a later batch says so
		}
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(hostPath, p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		return syncOne(root, p, path.Join(containerPath, filepath.ToSlash(rel)), info)
	})
}

// inRoot is the host path of containerPath in root: its directory resolved inside
// root, its last element as it is, so a symlink there is replaced or removed
// itself rather than what it points to.
func inRoot(root, containerPath string) (string, error) {
	dir, err := securejoin.SecureJoin(root, path.Dir(containerPath))
	if err != nil {
		return "", err
	}
	base := path.Base(containerPath)
	if base == "/" || base == "." || base == ".." {
		return "", fmt.Errorf("cannot sync onto %s", containerPath)
	}
	return filepath.Join(dir, base), nil
}

func syncOne(root, hostPath, containerPath string, info fs.FileInfo) error {
	dst, err := inRoot(root, containerPath)
	if err != nil {
		return err
	}
	if info.IsDir() {
		if st, err := os.Lstat(dst); err == nil && !st.IsDir() {
			_ = os.Remove(dst) // a file or link where the directory goes
		}
		if err := os.MkdirAll(dst, info.Mode().Perm()); err != nil {
			return err
		}
		return os.Chmod(dst, info.Mode().Perm())
	}
	// The parent may be new; it was resolved inside root.
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		link, err := os.Readlink(hostPath)
		if err != nil {
			return err
		}
		_ = os.RemoveAll(dst)
		return os.Symlink(link, dst)
	case info.Mode().IsRegular():
		return writeFile(hostPath, dst, info.Mode().Perm())
	}
	return fmt.Errorf("%s: cannot sync a %s", hostPath, info.Mode().Type())
}

// writeFile writes in place: the file keeps its inode, so a process holding it
// open or a single-file mount in the container sees the new content.
func writeFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if st, err := os.Lstat(dst); err == nil && !st.Mode().IsRegular() {
		if err := os.RemoveAll(dst); err != nil { // a directory or link where the file goes
			return err
		}
	}
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC|syscall.O_NOFOLLOW, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Chmod(mode); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
