package logdriver

import (
	"errors"
	"os"
	"path/filepath"
)

// Remove deletes a log with its rotated files and options, as a container's removal
// does. A log that is not there is no error.
func Remove(logFile string) error {
	var errs []error
	rotated, _ := filepath.Glob(logFile + ".[0-9]*")
	for _, f := range append([]string{logFile, OptionsFile(logFile)}, rotated...) {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
