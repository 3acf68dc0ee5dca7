package containerd

import (
	"fmt"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/internal/logdriver"
)

// logForward is where the service's logging driver sends the container's lines
// besides its local log: nil for json-file, local and none, which keep them here.
func logForward(s types.ServiceConfig, c logdriver.ContainerInfo) (*logdriver.Forward, error) {
	if s.Logging == nil || !slices.Contains(logdriver.ForwardDrivers, s.Logging.Driver) {
		return nil, nil
	}
	c.Labels, c.Env = s.Labels, map[string]string{}
	for k, v := range s.Environment {
		if v != nil {
			c.Env[k] = *v
		}
	}
	f, err := logdriver.ParseForward(s.Logging.Driver, s.Logging.Options, c)
	if err != nil {
		return nil, fmt.Errorf("service %q: field \"logging.options\": %w", s.Name, err)
	}
	return f, nil
}

// logOptions are what the log driver of the service's container is told: the
// rotation of json-file and local, or the collector a forwarding driver sends to.
func logOptions(s types.ServiceConfig, c logdriver.ContainerInfo) (opts logdriver.Options, write bool, err error) {
	fwd, err := logForward(s, c)
	if err != nil || fwd != nil {
		return logdriver.Options{MaxFiles: 1, Forward: fwd}, fwd != nil, err
	}
	if s.Logging == nil || len(s.Logging.Options) == 0 {
		return logdriver.Options{MaxFiles: 1}, false, nil
	}
	opts, err = logdriver.ParseOptions(s.Logging.Options)
	if err != nil {
		return opts, false, fmt.Errorf("service %q: logging.options: %w", s.Name, err)
	}
	return opts, true, nil
}

// checkLogCollector refuses a service whose logging driver's collector cannot be
// reached, naming it, before anything is made: docker does not start such a
// container either.
func checkLogCollector(s types.ServiceConfig) error {
	fwd, err := logForward(s, logdriver.ContainerInfo{})
	if err != nil || fwd == nil {
		return err
	}
	if err := fwd.Check(); err != nil {
		return fmt.Errorf("service %q: field \"logging.driver\": %s", s.Name, strings.TrimPrefix(err.Error(), "logging driver "))
	}
	return nil
}
