package images

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// DefaultPath is the PATH of every image unless the spec sets one.
const DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Spec describes an image made from installed Debian packages.
type Spec struct {
	Packages []string // installed packages; their dependency closure comes too
	Busybox  bool     // busybox-static plus a symlink per applet
	Files    []FileSpec
	Dirs     []DirSpec
	Config   Config
}

// FileSpec copies a host file (or a directory tree) to Dst in the image.
type FileSpec struct {
	Src, Dst string
	Mode     int64 // -1: the source's mode
}

// DirSpec makes an empty directory.
type DirSpec struct {
	Path string
	Mode int64
}

// Config is the runtime part of the image config.
type Config struct {
	Env          []string
	Cmd          []string
	Entrypoint   []string
	WorkingDir   string
	User         string
	ExposedPorts []string // "6379/tcp"; "8000" means tcp
	Volumes      []string // VOLUME paths
}

// Result is an assembled image and what went into it.
type Result struct {
	Image    v1.Image
	Layer    *Layer
	Packages []*Pkg
	Entries  int
	Warnings []string
}

// Assemble collects the files of spec into a Tree.
func Assemble(h *Host, db *DB, spec Spec) (*Tree, []*Pkg, []string, error) {
	names := append([]string(nil), spec.Packages...)
	if spec.Busybox {
		names = append(names, "busybox-static")
	}
	pkgs, warnings, err := db.Closure(names)
	if err != nil {
		return nil, nil, nil, err
	}
	files, err := ListFiles(pkgs)
	if err != nil {
		return nil, nil, nil, err
	}
	t := NewTree()
	h.AddMergedLinks(t)
	for _, p := range files {
		if Skipped(p) {
			continue
		}
		if _, err := h.AddPath(t, p); err != nil {
			return nil, nil, nil, err
		}
	}
	h.AddAlternatives(t)
	if spec.Busybox {
		bb := t.Get(h.Map("bin/busybox"))
		if bb == nil || bb.Kind != File {
			return nil, nil, nil, fmt.Errorf("busybox-static has no /bin/busybox on this host")
		}
		out, err := run(bb.Src, "--list-full")
		if err != nil {
			return nil, nil, nil, err
		}
		h.AddBusybox(t, strings.Fields(out))
	}
	hasRedis := false
	for _, p := range pkgs {
		hasRedis = hasRedis || p.Name == "redis-server"
	}
	AddBaseFiles(t, hasRedis)
	for _, d := range spec.Dirs {
		t.AddDir(d.Path, d.Mode)
	}
	for _, f := range spec.Files {
		if err := AddHostFiles(t, f); err != nil {
			return nil, nil, nil, err
		}
	}
	return t, pkgs, warnings, nil
}

// AddBaseFiles adds what a package root lacks because maintainer scripts or
// the installer make it: users, name service config, scratch directories.
// /etc/hosts and /etc/resolv.conf are left out: the runtime bind-mounts them.
func AddBaseFiles(t *Tree, redisUser bool) {
	passwd := "root:x:0:0:root:/root:/bin/sh\n" +
		"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
	// Debian calls gid 65534 "nogroup"; "nobody" too so `user: nobody:nobody` works.
	group := "root:x:0:\nnogroup:x:65534:\nnobody:x:65534:\n"
	if redisUser {
		// Fixed ids (adduser picks them per host) keep the digest stable.
		passwd += "redis:x:999:999::/var/lib/redis:/usr/sbin/nologin\n"
		group += "redis:x:999:\n"
		t.AddDir("var/lib/redis", 0o750)
	}
	t.AddData("etc/passwd", 0o644, []byte(passwd))
	t.AddData("etc/group", 0o644, []byte(group))
	t.AddData("etc/nsswitch.conf", 0o644, []byte("passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n"))
	t.AddDir("tmp", 0o1777)
	t.AddDir("var/tmp", 0o1777)
	t.AddDir("root", 0o700)
	t.AddDir("run", 0o755)
}

// AddHostFiles copies f.Src (a file, or a directory tree) to f.Dst,
// replacing what is there.
func AddHostFiles(t *Tree, f FileSpec) error {
	return filepath.WalkDir(f.Src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(f.Src, p)
		if err != nil {
			return err
		}
		dst := CleanPath(filepath.ToSlash(filepath.Join(f.Dst, rel)))
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		mode := TarMode(fi.Mode())
		if f.Mode >= 0 && !fi.IsDir() {
			mode = f.Mode
		}
		switch {
		case fi.IsDir():
			t.AddDir(dst, mode)
		case fi.Mode()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			t.Add(Entry{Path: dst, Kind: Symlink, Mode: 0o777, Link: link}, true)
		case fi.Mode().IsRegular():
			abs, err := filepath.Abs(p)
			if err != nil {
				return err
			}
			t.Add(Entry{Path: dst, Kind: File, Mode: mode, Src: abs, Size: fi.Size()}, true)
		default:
			return fmt.Errorf("%s: not a file, directory or symlink", p)
		}
		return nil
	})
}

// goArch maps Debian architecture names to OCI ones.
var goArch = map[string]string{
	"amd64": "amd64", "arm64": "arm64", "armhf": "arm", "armel": "arm",
	"i386": "386", "ppc64el": "ppc64le", "s390x": "s390x", "riscv64": "riscv64",
	"mips64el": "mips64le",
}

// Build assembles spec, writes its layer and returns the image.
func Build(h *Host, db *DB, spec Spec) (*Result, error) {
	t, pkgs, warnings, err := Assemble(h, db, spec)
	if err != nil {
		return nil, err
	}
	entries, dropped := t.Entries()
	for _, d := range dropped {
		warnings = append(warnings, "dropped (below a symlink): /"+d)
	}
	layer, err := BuildLayer(entries)
	if err != nil {
		return nil, err
	}
	arch := goArch[db.Arch]
	if arch == "" {
		arch = db.Arch
	}
	names := append([]string(nil), spec.Packages...)
	sort.Strings(names)
	img, err := Image(layer, spec.Config, arch, "berth mkimage: "+strings.Join(names, " "))
	if err != nil {
		return nil, err
	}
	return &Result{Image: img, Layer: layer, Packages: pkgs, Entries: len(entries), Warnings: warnings}, nil
}

// Image wraps a layer into a single-layer image with config c. Every time in
// it is Epoch, so it is as deterministic as the layer.
func Image(layer v1.Layer, c Config, arch, createdBy string) (v1.Image, error) {
	env := c.Env
	hasPath := false
	for _, e := range env {
		hasPath = hasPath || strings.HasPrefix(e, "PATH=")
	}
	if !hasPath {
		env = append([]string{DefaultPath}, env...)
	}
	cfg := &v1.ConfigFile{
		Architecture: arch,
		OS:           "linux",
		Created:      v1.Time{Time: Epoch},
		RootFS:       v1.RootFS{Type: "layers"},
		Config: v1.Config{
			Env:        env,
			Cmd:        c.Cmd,
			Entrypoint: c.Entrypoint,
			WorkingDir: c.WorkingDir,
			User:       c.User,
		},
	}
	if len(c.ExposedPorts) > 0 {
		cfg.Config.ExposedPorts = map[string]struct{}{}
		for _, p := range c.ExposedPorts {
			if !strings.Contains(p, "/") {
				p += "/tcp"
			}
			cfg.Config.ExposedPorts[p] = struct{}{}
		}
	}
	if len(c.Volumes) > 0 {
		cfg.Config.Volumes = map[string]struct{}{}
		for _, v := range c.Volumes {
			cfg.Config.Volumes[v] = struct{}{}
		}
	}
	img, err := mutate.ConfigFile(empty.Image, cfg)
	if err != nil {
		return nil, err
	}
	return mutate.Append(img, mutate.Addendum{
		Layer:   layer,
		History: v1.History{Created: v1.Time{Time: Epoch}, CreatedBy: createdBy},
	})
}
