package logdriver

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Forward is where a copy of each line goes besides the local log file, as docker's
// logging drivers syslog, journald, gelf and fluentd send it. The file stays, so
// berth logs reads it as before (docker's dual logging).
type Forward struct {
	Driver  string `json:"driver"`
	Network string `json:"network,omitempty"` // udp, tcp, unix, unixgram; "" = the driver's default
	Address string `json:"address,omitempty"` // host:port or a socket path
	Tag     string `json:"tag"`
	// Format and Facility are syslog-format and syslog-facility.
	Format   string `json:"format,omitempty"`
	Facility string `json:"facility,omitempty"`
	// Compression and CompressionLevel are gelf's, over UDP.
	Compression      string        `json:"compression,omitempty"`
	CompressionLevel int           `json:"compression_level,omitempty"`
	SubSecond        bool          `json:"sub_second,omitempty"` // fluentd-sub-second-precision
	Container        ContainerInfo `json:"container"`
	// Extra are the labels and environment variables the labels and env options
	// pick, sent with each line.
	Extra map[string]string `json:"extra,omitempty"`
}

// ContainerInfo is what the drivers say of the container a line comes from.
type ContainerInfo struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	ImageName string    `json:"image_name"`
	ImageID   string    `json:"image_id"`
	Command   string    `json:"command"`
	Created   time.Time `json:"created"`
	// Labels and Env are the container's, for the labels and env options.
	Labels map[string]string `json:"-"`
	Env    map[string]string `json:"-"`
}

// ForwardDrivers are the drivers that send lines on; json-file, local and none
// keep them on this host.
var ForwardDrivers = []string{"syslog", "journald", "gelf", "fluentd"}

// JournalSocket is journald's native socket.
var JournalSocket = "/run/systemd/journal/socket"

// commonOptions are the options every forwarding driver takes, as in docker.
var commonOptions = []string{"tag", "labels", "labels-regex", "env", "env-regex"}

var driverOptions = map[string][]string{
	"syslog":   {"syslog-address", "syslog-facility", "syslog-format"},
	"journald": nil,
	"gelf":     {"gelf-address", "gelf-compression-type", "gelf-compression-level"},
	"fluentd":  {"fluentd-address", "fluentd-async", "fluentd-sub-second-precision"},
}

// ParseForward reads a service's logging options for a forwarding driver with
// docker's meaning: the collector's address, the tag (a template of the
// container's ID, name and image; {{.ID}} when unset), and the labels and env
// picked to go with each line. An option berth does not honour is an error
// naming it.
func ParseForward(driver string, opts map[string]string, c ContainerInfo) (*Forward, error) {
	known, ok := driverOptions[driver]
	if !ok {
		return nil, fmt.Errorf("%w: logging driver %q does not forward", ErrBadOption, driver)
	}
	for _, k := range slices.Sorted(maps.Keys(opts)) {
		if !slices.Contains(known, k) && !slices.Contains(commonOptions, k) {
			return nil, fmt.Errorf("%w: option %q of logging driver %s is not supported (%s are)", ErrBadOption, k, driver, strings.Join(append(slices.Clone(known), commonOptions...), ", "))
		}
	}
	f := &Forward{Driver: driver, Container: c}
	var err error
	if f.Tag, err = expandTag(cmp.Or(opts["tag"], "{{.ID}}"), c); err != nil {
		return nil, err
	}
	if f.Extra, err = pickExtra(opts, c); err != nil {
		return nil, err
	}
	switch driver {
	case "syslog":
		err = f.parseSyslog(opts)
	case "gelf":
		err = f.parseGelf(opts)
	case "fluentd":
		err = f.parseFluentd(opts)
	case "journald":
		f.Network, f.Address = "unixgram", JournalSocket
	}
	if err != nil {
		return nil, err
	}
	return f, nil
}

// expandTag fills docker's tag template. Docker runs it through text/template;
// the driver needs no template engine for the handful of names a tag uses, so
// berth replaces those and refuses anything else.
func expandTag(tag string, c ContainerInfo) (string, error) {
	short := c.ID[:min(12, len(c.ID))]
	host, _ := os.Hostname()
	out := strings.NewReplacer("{{.ID}}", short, "{{.FullID}}", c.ID, "{{.Name}}", c.Name,
		"{{.ImageName}}", c.ImageName, "{{.ImageID}}", strings.TrimPrefix(c.ImageID, "sha256:")[:min(12, len(strings.TrimPrefix(c.ImageID, "sha256:")))],
		"{{.ImageFullID}}", c.ImageID, "{{.DaemonName}}", "berth", "{{.Hostname}}", host).Replace(tag)
	if strings.Contains(out, "{{") {
		return "", fmt.Errorf("%w: tag %q: only {{.ID}}, {{.FullID}}, {{.Name}}, {{.ImageName}}, {{.ImageID}}, {{.ImageFullID}}, {{.DaemonName}} and {{.Hostname}} are supported", ErrBadOption, tag)
	}
	return out, nil
}

// pickExtra is docker's labels, labels-regex, env and env-regex: the container's
// labels and environment variables named, or matched, go with each line.
func pickExtra(opts map[string]string, c ContainerInfo) (map[string]string, error) {
	extra := map[string]string{}
	pick := func(list, pattern string, from map[string]string) error {
		for _, k := range strings.Split(list, ",") {
			if v, ok := from[strings.TrimSpace(k)]; ok {
				extra[strings.TrimSpace(k)] = v
			}
		}
		if pattern == "" {
			return nil
		}
		re, err := regexp.Compile(pattern)
		if err != nil {
			return fmt.Errorf("%w: %q: %v", ErrBadOption, pattern, err)
		}
		for k, v := range from {
			if re.MatchString(k) {
				extra[k] = v
			}
		}
		return nil
	}
	if err := pick(opts["labels"], opts["labels-regex"], c.Labels); err != nil {
		return nil, err
	}
	if err := pick(opts["env"], opts["env-regex"], c.Env); err != nil {
		return nil, err
	}
	if len(extra) == 0 {
		return nil, nil
	}
	return extra, nil
}

// parseAddress reads a driver's address option: scheme://host[:port] or
// unix:///path; a host alone takes defaultPort.
func parseAddress(option, address string, schemes []string, defaultPort string) (network, addr string, err error) {
	u, err := url.Parse(address)
	if err != nil || !slices.Contains(schemes, u.Scheme) {
		return "", "", fmt.Errorf("%w: %s %q: want %s://...", ErrBadOption, option, address, strings.Join(schemes, ":// or "))
	}
	if u.Scheme == "unix" || u.Scheme == "unixgram" {
		if u.Path == "" {
			return "", "", fmt.Errorf("%w: %s %q: no socket path", ErrBadOption, option, address)
		}
		return u.Scheme, u.Path, nil
	}
	host := u.Host
	if _, _, err := net.SplitHostPort(host); err != nil {
		if defaultPort == "" {
			return "", "", fmt.Errorf("%w: %s %q: want %s://host:port", ErrBadOption, option, address, u.Scheme)
		}
		host = net.JoinHostPort(host, defaultPort)
	}
	return u.Scheme, host, nil
}

// Check says whether the collector can be reached now, so that a service whose
// collector is absent is refused before anything is made, as docker refuses to
// start such a container. UDP cannot tell; its address must resolve.
func (f *Forward) Check() error {
	var err error
	switch f.Network {
	case "udp":
		_, err = net.ResolveUDPAddr("udp", f.Address)
	case "":
		err = checkLocalSyslog()
	default:
		var c net.Conn
		if c, err = net.DialTimeout(f.Network, f.Address, 3*time.Second); err == nil {
			c.Close()
		}
	}
	if err == nil {
		return nil
	}
	if f.Driver == "journald" && errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("logging driver journald: %s is absent: journald does not run on this host", f.Address)
	}
	return fmt.Errorf("logging driver %s: %w", f.Driver, err)
}

// localSyslogSockets are where docker's driver finds the host's syslog.
var localSyslogSockets = []string{"/dev/log", "/var/run/syslog", "/var/run/log"}

// checkLocalSyslog finds a local syslog socket.
func checkLocalSyslog() error {
	for _, p := range localSyslogSockets {
		if _, err := os.Stat(p); err == nil {
			return nil
		}
	}
	return errors.New("no local syslog socket (/dev/log is absent): give syslog-address")
}
