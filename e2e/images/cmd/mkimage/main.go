// Command mkimage makes a single-layer image from files of Debian packages
// installed on this host and pushes it over plain HTTP to a local registry.
// The layer is deterministic, so an unchanged image has an unchanged digest
// and the push is skipped: that is the cache between runs.
//
//	mkimage --tag 127.0.0.1:5050/berth/redis:7 --packages redis-server --busybox \
//	    --cmd '["redis-server","--protected-mode","no"]' --expose 6379/tcp
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"berth.dev/berth/e2e/images"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, " ") }
func (l *list) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

func run() error {
	var (
		tag, workdir, user, cmdJSON, entrypointJSON string
		packages, files, dirs, env, expose, volumes list
		busybox, dryRun, verbose                    bool
		archive                                     string
		timeout                                     time.Duration
	)
	flag.StringVar(&tag, "tag", "", "image reference to push, e.g. 127.0.0.1:5050/berth/redis:7")
	flag.Var(&packages, "packages", "installed Debian packages, space or comma separated (repeatable)")
	flag.BoolVar(&busybox, "busybox", false, "add busybox-static and a symlink per applet (/bin/sh, …)")
	flag.Var(&files, "file", "SRC:DST[:MODE] host file or directory to copy (repeatable)")
	flag.Var(&dirs, "mkdir", "PATH[:MODE] empty directory to make (repeatable)")
	flag.Var(&env, "env", "K=V environment variable (repeatable)")
	flag.StringVar(&workdir, "workdir", "", "working directory")
	flag.StringVar(&cmdJSON, "cmd", "", `CMD as a JSON array, e.g. ["sh"]`)
	flag.StringVar(&entrypointJSON, "entrypoint", "", "ENTRYPOINT as a JSON array")
	flag.Var(&expose, "expose", "port to expose, e.g. 6379/tcp (repeatable)")
	flag.Var(&volumes, "volume", "VOLUME path of the image (repeatable)")
	flag.StringVar(&user, "user", "", "user to run as")
	flag.BoolVar(&dryRun, "dry-run", false, "build and print the digest, do not talk to the registry")
	flag.StringVar(&archive, "archive", "", "write the image to this tar file (docker save's format, which ctr images import reads) instead of pushing it")
	flag.BoolVar(&verbose, "v", false, "print packages and warnings")
	flag.DurationVar(&timeout, "timeout", 2*time.Minute, "registry operations timeout")
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %q", flag.Args())
	}
	if tag == "" {
		return errors.New("--tag is required")
	}
	ref, err := name.ParseReference(tag, name.Insecure)
	if err != nil {
		return err
	}

	spec := images.Spec{Busybox: busybox}
	for _, p := range packages {
		spec.Packages = append(spec.Packages, strings.FieldsFunc(p, func(r rune) bool { return r == ' ' || r == ',' })...)
	}
	for _, f := range files {
		fs, err := parseFile(f)
		if err != nil {
			return err
		}
		spec.Files = append(spec.Files, fs)
	}
	for _, d := range dirs {
		p, m, _ := strings.Cut(d, ":")
		mode := int64(0o755)
		if m != "" {
			if mode, err = strconv.ParseInt(m, 8, 64); err != nil {
				return fmt.Errorf("--mkdir %s: bad mode: %w", d, err)
			}
		}
		spec.Dirs = append(spec.Dirs, images.DirSpec{Path: p, Mode: mode})
	}
	spec.Config = images.Config{Env: env, WorkingDir: workdir, User: user, ExposedPorts: expose, Volumes: volumes}
	if spec.Config.Cmd, err = parseArray("--cmd", cmdJSON); err != nil {
		return err
	}
	if spec.Config.Entrypoint, err = parseArray("--entrypoint", entrypointJSON); err != nil {
		return err
	}

	host, err := images.NewHost("/")
	if err != nil {
		return err
	}
	db, err := images.LoadDB()
	if err != nil {
		return err
	}
	res, err := images.Build(host, db, spec)
	if err != nil {
		return err
	}
	if verbose {
		for _, p := range res.Packages {
			fmt.Fprintln(os.Stderr, "package", p.ID)
		}
		for _, w := range res.Warnings {
			fmt.Fprintln(os.Stderr, "warning:", w)
		}
	}
	digest, err := res.Image.Digest()
	if err != nil {
		return err
	}
	size, _ := res.Layer.Size()
	status := "built"
	if archive != "" {
		if err := tarball.WriteToFile(archive, ref, res.Image); err != nil {
			return err
		}
		status, dryRun = "written to "+archive, true
	}
	if !dryRun {
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		opts := []remote.Option{remote.WithContext(ctx)}
		pushed, err := push(ref, res, opts)
		if err != nil {
			return err
		}
		status = "cached"
		if pushed {
			status = "pushed"
		}
	}
	fmt.Printf("%s %s %d-packages %d-entries layer=%s tar=%s %s\n", ref.Name(), digest,
		len(res.Packages), res.Entries, human(size), human(res.Layer.UncompressedSize()), status)
	return nil
}

// push writes the image unless the registry already has this tag with the
// same manifest digest. It reports whether it pushed.
func push(ref name.Reference, res *images.Result, opts []remote.Option) (bool, error) {
	want, err := res.Image.Digest()
	if err != nil {
		return false, err
	}
	desc, err := remote.Head(ref, opts...)
	var terr *transport.Error
	switch {
	case err == nil:
		if desc.Digest == want {
			return false, nil
		}
	case errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound:
	default:
		return false, fmt.Errorf("checking %s: %w", ref, err)
	}
	if err := remote.Write(ref, res.Image, opts...); err != nil {
		return false, fmt.Errorf("pushing %s: %w", ref, err)
	}
	return true, nil
}

func parseFile(s string) (images.FileSpec, error) {
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return images.FileSpec{}, fmt.Errorf("--file %s: want SRC:DST[:MODE]", s)
	}
	f := images.FileSpec{Src: parts[0], Dst: parts[1], Mode: -1}
	if len(parts) == 3 {
		m, err := strconv.ParseInt(parts[2], 8, 64)
		if err != nil {
			return f, fmt.Errorf("--file %s: bad mode: %w", s, err)
		}
		f.Mode = m
	}
	return f, nil
}

func parseArray(flagName, s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var v []string
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, fmt.Errorf("%s: want a JSON array of strings: %w", flagName, err)
	}
	return v, nil
}

func human(n int64) string {
	return fmt.Sprintf("%.1fMB", float64(n)/1e6)
}
