package builder

import (
	"regexp"
	"sync"
)

// lazyRegexp compiles expr on first use: berth links this package into every
// command, and only a build reads its output with these.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
