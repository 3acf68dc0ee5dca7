package containerd

import (
	"encoding/json"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/compose"
	"berth.dev/berth/network"
	"berth.dev/berth/project"
)

// berth's own container labels: what Start needs to bring a container back (its
// networks and ports, to attach it again if its namespace is gone) and what ps shows.
const (
	labelStopSignal   = "berth.stop-signal"
	labelNetworks     = "berth.networks" // JSON []compose.Attachment
	labelPorts        = "berth.ports"    // JSON []types.ServicePortConfig
	labelCommand      = "berth.command"
	labelImageRef     = "berth.image"
	labelTTY          = "berth.tty"
	labelNetworkMode  = "berth.network-mode"
	labelNoLogs       = "berth.no-logs"       // logging driver none
	labelEndpoint     = "berth.endpoint"      // JSON network.Endpoint: the container's names, dns and links
	labelMountTargets = "berth.mount-targets" // where its volumes and binds are: what volumes_from takes

	// containerd's restart monitor reads these.
	restartStatus   = "containerd.io/restart.status"
	restartPolicy   = "containerd.io/restart.policy"
	restartLogURI   = "containerd.io/restart.loguri"
	restartExplicit = "containerd.io/restart.explicitly-stopped"
)

// restartLabels ask containerd's restart monitor to apply the service's policy, so a
// crashed container comes back with no berth process running. The status label is
// set by Start and Stop.
func restartLabels(policy, logURI string) (map[string]string, error) {
	r, err := project.ParseRestart(policy)
	if err != nil {
		return nil, err
	}
	if r.Policy == "no" {
		return nil, nil
	}
	p := r.Policy
	if r.Policy == "on-failure" && r.MaxRetries > 0 {
		p = fmt.Sprintf("on-failure:%d", r.MaxRetries)
	}
	return map[string]string{restartPolicy: p, restartLogURI: logURI}, nil
}

func attachmentsLabel(as []compose.Attachment) string {
	b, _ := json.Marshal(as)
	return string(b)
}

func attachmentsOf(labels map[string]string) []network.Attachment {
	var as []compose.Attachment
	_ = json.Unmarshal([]byte(labels[labelNetworks]), &as)
	out := make([]network.Attachment, 0, len(as))
	for _, a := range as {
		out = append(out, networkAttachment(a))
	}
	return out
}

// networkAttachment is a compose attachment as the network package takes it.
func networkAttachment(a compose.Attachment) network.Attachment {
	return network.Attachment{Network: a.Network, Aliases: a.Aliases, IPv4: a.IPv4, IPv6: a.IPv6, MAC: a.MAC,
		IfName: a.IfName, GatewayPriority: a.GwPriority, NoServiceName: a.NoServiceName, LinkLocal: a.LinkLocal}
}

func endpointLabel(ep network.Endpoint) string {
	b, _ := json.Marshal(ep)
	return string(b)
}

// endpointOf reads the endpoint label; a container made before berth wrote it gets
// its names from the compose labels.
func endpointOf(labels map[string]string) network.Endpoint {
	var ep network.Endpoint
	if err := json.Unmarshal([]byte(labels[labelEndpoint]), &ep); err != nil {
		ep = network.Endpoint{Project: labels[project.LabelProject], Service: labels[project.LabelService], ContainerName: labels[project.LabelName]}
	}
	return ep
}

func portsLabel(ps []types.ServicePortConfig) string {
	b, _ := json.Marshal(ps)
	return string(b)
}

func portsOf(labels map[string]string) []types.ServicePortConfig {
	var ps []types.ServicePortConfig
	_ = json.Unmarshal([]byte(labels[labelPorts]), &ps)
	return ps
}
