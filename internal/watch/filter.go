// Package watch is the file system side of `berth watch`: it follows trees of the
// host with inotify (through fsnotify), adds watches for the directories made in
// them, and hands on the paths that changed in batches once the tree is quiet; and it
// decides, with .dockerignore's rules, which of those paths a watch rule takes.
package watch

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// editorTemporaries are the files editors write beside the one being saved; docker
// compose never syncs them either.
var editorTemporaries = []string{
	"**/*___jb_old___", "**/*___jb_tmp___", "**/.idea/**", // JetBrains
	"**/.#*", "**/#*#", // Emacs
	"**/4913", "**/*~", "**/.*.swp", "**/.*.swx", "**/.*.swo", "**/.*.swn", // vim
	"**/.*.kate-swp", "**/*-go-tmp-umask",
	"**/.git", // version control, not content
}

// Matcher says whether a host path matches patterns written with .dockerignore's
// rules, relative to a root directory.
type Matcher struct {
	pm *patternmatcher.PatternMatcher
}

// NewMatcher reads patterns relative to root ("!" excludes, as in .dockerignore).
func NewMatcher(root string, patterns []string) (*Matcher, error) {
	var abs []string
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		neg := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		if !filepath.IsAbs(p) {
			p = filepath.Join(root, p)
		}
		if neg {
			p = "!" + p
		}
		abs = append(abs, p)
	}
	pm, err := patternmatcher.New(abs)
	if err != nil {
		return nil, err
	}
	return &Matcher{pm: pm}, nil
}

// Matches is true for a path the patterns take, or one inside a directory they take.
func (m *Matcher) Matches(path string) bool {
	if m == nil || len(m.pm.Patterns()) == 0 {
		return false
	}
	ok, err := m.pm.MatchesOrParentMatches(path)
	return err == nil && ok
}

// Filter is what one watch rule takes of the changes under its path.
type Filter struct {
	include *Matcher // nil: everything
	ignore  []*Matcher
}

// NewFilter builds a rule's filter: its include and ignore patterns (relative to
// the rule's path), the build context's .dockerignore (when the service builds),
// and the editors' temporary files.
func NewFilter(path string, include, ignore []string, buildContext, dockerfile string) (*Filter, error) {
	f := &Filter{}
	var err error
	if len(include) > 0 {
		if f.include, err = NewMatcher(path, include); err != nil {
			return nil, err
		}
	}
	own, err := NewMatcher(path, ignore)
	if err != nil {
		return nil, err
	}
	temps, err := NewMatcher("/", editorTemporaries)
	if err != nil {
		return nil, err
	}
	f.ignore = []*Matcher{own, temps}
	if buildContext != "" {
		di, err := DockerIgnore(buildContext, dockerfile)
		if err != nil {
			return nil, err
		}
		f.ignore = append(f.ignore, di)
	}
	return f, nil
}

// Takes is true for a changed path the rule acts on.
func (f *Filter) Takes(path string) bool {
	if f.include != nil && !f.include.Matches(path) {
		return false
	}
	for _, m := range f.ignore {
		if m.Matches(path) {
			return false
		}
	}
	return true
}

// DockerIgnore reads the build context's ignore file as docker does: the
// Dockerfile's own (<Dockerfile>.dockerignore) first, else .dockerignore.
func DockerIgnore(context, dockerfile string) (*Matcher, error) {
	names := []string{".dockerignore"}
	if dockerfile != "" {
		df := dockerfile
		if !filepath.IsAbs(df) {
			df = filepath.Join(context, df)
		}
		names = append([]string{df + ".dockerignore"}, names...)
	}
	for _, name := range names {
		if !filepath.IsAbs(name) {
			name = filepath.Join(context, name)
		}
		f, err := os.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		patterns, err := ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		return NewMatcher(context, patterns)
	}
	return NewMatcher(context, nil)
}
