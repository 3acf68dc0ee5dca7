package network

import (
	"errors"
	"os"
	"path/filepath"

	"berth.dev/berth/internal/statefile"
)

// records reads every container record in the given subdirectories of the state
// directory (EndpointsDir, pendingDir, departedDir): a container's once per
// directory that holds one. A record removed while they are read is skipped.
func (m *Manager) records(dirs ...string) ([]*Endpoint, error) {
	return readRecords(m.paths.StateDir, dirs...)
}

// readRecords is records for the state directory of any namespace.
func readRecords(stateDir string, dirs ...string) ([]*Endpoint, error) {
	var out []*Endpoint
	for _, dir := range dirs {
		ids, err := statefile.JSONNames(filepath.Join(stateDir, dir))
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			var ep Endpoint
			if err := statefile.ReadJSON(filepath.Join(stateDir, dir, id+".json"), &ep); err != nil {
				if errors.Is(err, os.ErrNotExist) {
					continue
				}
				return nil, err
			}
			ep.ContainerID = id // the file's name is the container's ID
			out = append(out, &ep)
		}
	}
	return out, nil
}

// attachedTo says whether a record has an attachment to network.
func (ep *Endpoint) attachedTo(network string) bool {
	for _, en := range ep.Networks {
		if en.Network == network {
			return true
		}
	}
	return false
}
