package compose

import (
	"encoding/json"
	"fmt"

	"berth.dev/berth/internal/names"
)

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

func writeJSONArray(e *Engine, v []map[string]any) error {
	if v == nil {
		v = []map[string]any{}
	}
	b, err := json.MarshalIndent(v, "", "    ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(e.Out, string(b))
	return err
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
