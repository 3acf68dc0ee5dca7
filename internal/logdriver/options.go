// Package logdriver is berth's containerd log driver: containerd's shim starts
// `berth _logdriver <file>` (a binary:// log URI) for each task, and the driver
// writes the container's stdout and stderr to <file> as docker json-file lines,
// rotating per the service's logging.options. Read tails and follows those files.
package logdriver

import (
	"berth.dev/berth/internal/statefile"

	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Options are the rotation settings of one log, and where its lines go besides.
type Options struct {
	MaxSize  int64 `json:"max_size"`  // bytes; 0 = no rotation
	MaxFiles int   `json:"max_files"` // kept files including the current one, >= 1
	// Forward, when set, sends a copy of each line to a collector.
	Forward *Forward `json:"forward,omitempty"`
}

// ErrBadOption is wrapped by every ParseOptions error.
var ErrBadOption = errors.New("bad logging option")

// sizeRE is docker's human size syntax (go-units FromHumanSize), which json-file
// uses for max-size: "10m" and "10MB" are both 10*1000*1000.
var sizeRE = regexp.MustCompile(`^(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$`)

var sizeUnits = map[string]float64{"": 1, "k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12, "p": 1e15}

// ParseOptions reads a compose service's logging.options with docker json-file's
// meaning. Keys berth cannot honour are errors naming the key.
func ParseOptions(m map[string]string) (Options, error) {
	o := Options{MaxFiles: 1}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the same bad file reports the same key every time
	for _, k := range keys {
		v := strings.TrimSpace(m[k])
		switch k {
		case "max-size":
			n, err := parseSize(v)
			if err != nil {
				return Options{}, fmt.Errorf("%w: max-size %q: %v", ErrBadOption, v, err)
			}
			o.MaxSize = n
		case "max-file":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return Options{}, fmt.Errorf("%w: max-file %q: must be an integer >= 1", ErrBadOption, v)
			}
			o.MaxFiles = n
		default:
			return Options{}, fmt.Errorf("%w: unsupported option %q (supported: max-size, max-file)", ErrBadOption, k)
		}
	}
	return o, nil
}

func parseSize(s string) (int64, error) {
	g := sizeRE.FindStringSubmatch(s)
	if g == nil {
		return 0, errors.New(`want a size like "500k", "10m", "1g" or plain bytes`)
	}
	f, err := strconv.ParseFloat(g[1], 64)
	if err != nil {
		return 0, err
	}
	n := int64(f * sizeUnits[strings.ToLower(g[2])])
	if n <= 0 {
		return 0, errors.New("must be positive")
	}
	return n, nil
}

// DriverArg is the single query key of the log URI, hence the argument the
// shim passes to berth: `berth _logdriver <logfile>`.
const DriverArg = "_logdriver"

// URI is the containerd binary:// log URI that makes the shim run
// `binaryPath _logdriver logFile`. The shim's working directory is the task
// bundle, so both paths are made absolute.
func URI(binaryPath, logFile string) string {
	u := url.URL{
		Scheme:   "binary",
		Path:     absPath(binaryPath),
		RawQuery: url.Values{DriverArg: {absPath(logFile)}}.Encode(),
	}
	return u.String()
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}

// OptionsFile is where berth leaves the rotation options of logFile for the
// driver, which gets nothing but the log path from the shim.
func OptionsFile(logFile string) string { return logFile + ".opts.json" }

// WriteOptions stores o for the driver of logFile; berth calls it before the
// task starts. The write is atomic so a starting driver never sees half a file.
func WriteOptions(logFile string, o Options) error {
	if o.MaxFiles < 1 {
		o.MaxFiles = 1
	}
	b, err := json.Marshal(o)
	if err != nil {
		return err
	}
	return statefile.Write(OptionsFile(logFile), b, 0o640)
}

// loadOptions reads the options berth left for logFile; none means no rotation.
func loadOptions(logFile string) (Options, error) {
	o := Options{MaxFiles: 1}
	b, err := os.ReadFile(OptionsFile(logFile))
	if errors.Is(err, os.ErrNotExist) {
		return o, nil
	}
	if err != nil {
		return o, err
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return Options{MaxFiles: 1}, fmt.Errorf("%s: %w", OptionsFile(logFile), err)
	}
	if o.MaxFiles < 1 {
		o.MaxFiles = 1
	}
	if o.MaxSize < 0 {
		o.MaxSize = 0
	}
	return o, nil
}
