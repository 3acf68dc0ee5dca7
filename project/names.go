package project

import (
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/internal/names"
)

// checkNames refuses a volume or network whose host name berth could not make a
// path of (internal/names), so that up fails before it makes anything.
func checkNames(p *types.Project) error {
	for _, key := range sortedKeys(p.Volumes) {
		if err := names.Check(names.Volume, VolumeName(p, key)); err != nil {
			return fmt.Errorf("%w: %s: volume %q: %w", ErrInvalid, FileNames(p), key, err)
		}
	}
	for _, key := range sortedKeys(p.Networks) {
		if err := names.Check(names.Network, NetworkName(p, key)); err != nil {
			return fmt.Errorf("%w: %s: network %q: %w", ErrInvalid, FileNames(p), key, err)
		}
	}
	return nil
}
