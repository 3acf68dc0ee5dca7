package project

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"

	"github.com/compose-spec/compose-go/v2/types"
)

// ServiceHash digests everything in a service's config that changes its containers,
// and nothing that does not: replicas, pull policy, build instructions (the image
// digest stands for them), depends_on and profiles are left out. The caller mixes in
// the image digest: see ConfigHash.
func ServiceHash(s types.ServiceConfig) (string, error) {
	s.Scale = nil
	if s.Deploy != nil {
		d := *s.Deploy
		d.Replicas = nil
		s.Deploy = &d
	}
	s.PullPolicy = ""
	s.Build = nil
	s.DependsOn = nil
	s.Profiles = nil
	s.CustomLabels = nil
	b, err := json.Marshal(s)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// ConfigHash is the config-hash label of a container: the service hash with the
// digest of the image it runs.
func ConfigHash(serviceHash, imageDigest string) string {
	sum := sha256.Sum256([]byte(serviceHash + "\n" + imageDigest))
	return hex.EncodeToString(sum[:])
}
