// Package names is berth's one rule for names that become paths: projects,
// volumes, networks and containers are files and directories under the state and
// run directories (volumes/<name>, networks/<name>.json, locks/<project>.lock,
// netns/<id>). A name that passes is a single path element that stays where it is
// put: no separator, no "." or "..", no leading dot, no NUL. Every path made from a
// name, whether it came from the command line, a compose file or a container's
// labels, is made after the name passed here.
package names

import (
	"fmt"
	"regexp"
)

// Kind is what a name names; each kind has its rule.
type Kind string

const (
	Volume    Kind = "volume"
	Network   Kind = "network"
	Project   Kind = "project"
	Container Kind = "container"
)

// MaxLen bounds every name: a file name is at most 255 bytes, and berth adds
// suffixes (".json", ".conflist", ".lock").
const MaxLen = 200

var rules = map[Kind]struct {
	re   *regexp.Regexp
	want string
}{
	// Docker's rule for local volume names: two characters at least.
	Volume: {regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`), "a letter or digit, then letters, digits, '_', '.' or '-'"},
	// libcni's charset for network names, which Docker's network names keep to in
	// practice; one character is enough, as Docker allows.
	Network: {regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`), "a letter or digit, then letters, digits, '_', '.' or '-'"},
	// Compose's rule for project names.
	Project: {regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`), "a lowercase letter or digit, then lowercase letters, digits, '_' or '-'"},
	// Container IDs berth makes are hex; the network charset covers them.
	Container: {regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`), "a letter or digit, then letters, digits, '_', '.' or '-'"},
}

// Error is a name that breaks its kind's rule.
type Error struct {
	Kind Kind
	Name string
}

func (e *Error) Error() string {
	if len(e.Name) > MaxLen {
		return fmt.Sprintf("invalid %s name %.40q...: longer than %d characters", e.Kind, e.Name, MaxLen)
	}
	return fmt.Sprintf("invalid %s name %q: want %s", e.Kind, e.Name, rules[e.Kind].want)
}

// Check returns an *Error unless name is a valid name of kind.
func Check(kind Kind, name string) error {
	r, ok := rules[kind]
	if !ok {
		panic("names: unknown kind " + string(kind))
	}
	if len(name) > MaxLen || !r.re.MatchString(name) {
		return &Error{Kind: kind, Name: name}
	}
	return nil
}
