package compose

import "berth.dev/berth/internal/names"

// What the network and volume verbs share.

// checkNames refuses the first bad name of a command line before any is used: the
// names become paths in the state directory.
func checkNames(kind names.Kind, list []string) error {
	for _, n := range list {
		if err := names.Check(kind, n); err != nil {
			return err
		}
	}
	return nil
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
