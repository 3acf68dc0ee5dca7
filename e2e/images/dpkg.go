package images

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
)

// Pkg is an installed Debian package.
type Pkg struct {
	Name     string     // e.g. libc6
	ID       string     // dpkg's ${binary:Package}, e.g. libc6:amd64, for dpkg -L
	Arch     string     // amd64, all, …
	Provides []string   // virtual package names
	Depends  [][]string // Depends + Pre-Depends: groups of alternatives
}

// DB is the set of installed packages, indexed for dependency resolution.
type DB struct {
	Arch     string
	pkgs     map[string][]*Pkg
	provides map[string][]*Pkg
}

const statusFormat = `${binary:Package}\t${Package}\t${Architecture}\t${db:Status-Abbrev}\t${Provides}\t${Depends}, ${Pre-Depends}\n`

// LoadDB reads the installed packages with one dpkg-query call (one call per
// package would cost a second or more for a big closure).
func LoadDB() (*DB, error) {
	arch, err := run("dpkg", "--print-architecture")
	if err != nil {
		return nil, err
	}
	out, err := run("dpkg-query", "-W", "-f="+statusFormat)
	if err != nil {
		return nil, err
	}
	return ParseDB(strings.TrimSpace(arch), out), nil
}

// ParseDB builds a DB from dpkg-query output in statusFormat. Packages that
// are not fully installed (removed with config files left, half-installed, …)
// are ignored.
func ParseDB(arch, out string) *DB {
	db := &DB{Arch: arch, pkgs: map[string][]*Pkg{}, provides: map[string][]*Pkg{}}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 6 {
			continue
		}
		// db:Status-Abbrev is desired/status/error, e.g. "ii ".
		if len(f[3]) < 2 || f[3][1] != 'i' {
			continue
		}
		p := &Pkg{ID: f[0], Name: f[1], Arch: f[2], Depends: ParseDepends(f[5])}
		for _, g := range ParseDepends(f[4]) {
			p.Provides = append(p.Provides, g...)
		}
		db.pkgs[p.Name] = append(db.pkgs[p.Name], p)
		for _, v := range p.Provides {
			db.provides[v] = append(db.provides[v], p)
		}
	}
	for _, m := range []map[string][]*Pkg{db.pkgs, db.provides} {
		for _, ps := range m {
			sort.Slice(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID })
		}
	}
	return db
}

// ParseDepends parses a Depends-style field ("a (>= 1) | b:any, c") into
// groups of alternative package names, dropping versions and arch
// qualifiers.
func ParseDepends(field string) [][]string {
	var groups [][]string
	for _, g := range strings.Split(field, ",") {
		var alts []string
		for _, a := range strings.Split(g, "|") {
			a = strings.TrimSpace(a)
			if i := strings.IndexAny(a, " (["); i >= 0 {
				a = a[:i]
			}
			if i := strings.IndexByte(a, ':'); i >= 0 {
				a = a[:i]
			}
			if a != "" {
				alts = append(alts, a)
			}
		}
		if len(alts) > 0 {
			groups = append(groups, alts)
		}
	}
	return groups
}

// Lookup returns the installed package that satisfies name: the package of
// that name (native architecture or "all" first), else the first installed
// provider of the virtual package name.
func (db *DB) Lookup(name string) *Pkg {
	if ps := db.pkgs[name]; len(ps) > 0 {
		for _, p := range ps {
			if p.Arch == db.Arch || p.Arch == "all" {
				return p
			}
		}
		return ps[0]
	}
	if ps := db.provides[name]; len(ps) > 0 {
		return ps[0]
	}
	return nil
}

// Closure returns the named packages and everything they depend on, sorted
// by ID. For alternatives (a | b) the first installed one is taken. A named
// package that is not installed is an error; an unsatisfiable dependency is
// reported in warnings (dpkg would not have allowed it, so it is rare).
func (db *DB) Closure(names []string) (pkgs []*Pkg, warnings []string, err error) {
	seen := map[string]*Pkg{}
	var queue []*Pkg
	for _, n := range names {
		p := db.Lookup(n)
		if p == nil {
			return nil, nil, fmt.Errorf("package %s is not installed on this host", n)
		}
		queue = append(queue, p)
	}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p.ID] != nil {
			continue
		}
		seen[p.ID] = p
		for _, alts := range p.Depends {
			var dep *Pkg
			for _, a := range alts {
				if dep = db.Lookup(a); dep != nil {
					break
				}
			}
			if dep == nil {
				warnings = append(warnings, fmt.Sprintf("%s: no installed package for %s", p.ID, strings.Join(alts, " | ")))
				continue
			}
			queue = append(queue, dep)
		}
	}
	for _, p := range seen {
		pkgs = append(pkgs, p)
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].ID < pkgs[j].ID })
	return pkgs, warnings, nil
}

// ListFiles returns the files of the packages, from one `dpkg -L` call.
func ListFiles(pkgs []*Pkg) ([]string, error) {
	if len(pkgs) == 0 {
		return nil, nil
	}
	args := []string{"-L"}
	for _, p := range pkgs {
		args = append(args, p.ID)
	}
	out, err := run("dpkg", args...)
	if err != nil {
		return nil, err
	}
	return ParseFileList(out), nil
}

// ParseFileList extracts paths from `dpkg -L` output. A file diverted away
// by another package (or locally) is followed by "diverted by X to: /new" or
// "locally diverted to: /new": the package's file lives at /new, so that path
// replaces the one before it. Other lines ("package diverts others to: …",
// "diversion by X from: …", the "/." root, notes) carry no file.
func ParseFileList(out string) []string {
	var paths []string
	for _, line := range strings.Split(out, "\n") {
		switch {
		case line == "/." || line == "":
		case strings.HasPrefix(line, "/"):
			paths = append(paths, line)
		case strings.HasPrefix(line, "diverted by ") || strings.HasPrefix(line, "locally diverted to: "):
			if _, to, ok := strings.Cut(line, "to: "); ok && len(paths) > 0 {
				paths[len(paths)-1] = to
			}
		}
	}
	return paths
}

func run(name string, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// dpkg -L's diversion notes are translated; parse the untranslated ones.
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}
