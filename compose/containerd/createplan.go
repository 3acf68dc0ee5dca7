package containerd

import (
	"context"
	"fmt"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	ctrd "github.com/containerd/containerd/v2/client"
	"github.com/containerd/errdefs"
	"github.com/containerd/platforms"
	"github.com/moby/sys/signal"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"berth.dev/berth/compose"
	"berth.dev/berth/internal/logdriver"
	"berth.dev/berth/network"
	"berth.dev/berth/project"
)

// Creating a container is two steps. planCreate, a pure function of the service
// and its image, decides and checks everything that can refuse the service; only
// then does Create make namespaces, volumes, files and the containerd container,
// and containerLabels (pure too) names what it made. A refused service leaves
// nothing behind to undo.

// imageFacts is what creation reads of the service's image.
type imageFacts struct {
	Config ocispec.ImageConfig
	Digest string             // of its config: the ImageID a log driver reports
	Check  *dockerHealthcheck // the image's HEALTHCHECK, nil for none
}

// readImage finds the service's image in the store (for its platform, if it
// names one) and reads what creation needs of it. It makes nothing.
func (r *Runtime) readImage(ctx context.Context, s types.ServiceConfig) (ctrd.Image, imageFacts, error) {
	name, err := normalize(s.Image)
	if err != nil {
		return nil, imageFacts{}, err
	}
	img, err := r.client.GetImage(ctx, name)
	if errdefs.IsNotFound(err) {
		return nil, imageFacts{}, fmt.Errorf("service %q: image %s is not in the store: %w", s.Name, s.Image, compose.ErrImageNotFound)
	}
	if err != nil {
		return nil, imageFacts{}, err
	}
	if s.Platform != "" {
		// The image as pulled for the service's platform (wasi/wasm, for a wasm
		// runtime), not the host's.
		p, err := platforms.Parse(s.Platform)
		if err != nil {
			return nil, imageFacts{}, err
		}
		img = ctrd.NewImageWithPlatform(r.client, img.Metadata(), platforms.Only(p))
	}
	wrap := func(err error) error { return fmt.Errorf("service %q: image %s: %w", s.Name, s.Image, err) }
	spec, err := img.Spec(ctx)
	if err != nil {
		return nil, imageFacts{}, wrap(err)
	}
	desc, err := img.Config(ctx)
	if err != nil {
		return nil, imageFacts{}, wrap(err)
	}
	check, err := imageHealthcheck(ctx, img)
	if err != nil {
		return nil, imageFacts{}, wrap(err)
	}
	return img, imageFacts{Config: spec.Config, Digest: desc.Digest.String(), Check: check}, nil
}

// createPlan is what planCreate decides.
type createPlan struct {
	Ports      []network.Port    // to publish on the host
	Restart    map[string]string // the restart labels; nil: no restart policy
	Args       []string          // the process's command line
	StopSignal string
	Health     string // the healthcheck label, "" for none
	Runtime    project.OCIRuntime
}

// planCreate checks the service against its image and decides what creation
// needs, making nothing: a bad field (stop_signal, ports, restart, healthcheck,
// runtime, resources, devices, security options, logging options) is refused here, before any
// namespace, volume or file is made.
func planCreate(s types.ServiceConfig, img imageFacts, projectDir string) (createPlan, error) {
	var p createPlan
	var err error
	if p.Args, err = processArgs(img.Config, s); err != nil {
		return p, err
	}
	if p.Ports, err = publishedPorts(s); err != nil {
		return p, err
	}
	if p.Restart, err = restartLabels(s.Restart, ""); err != nil {
		return p, fmt.Errorf("service %q: restart: %w", s.Name, err)
	}
	p.StopSignal = s.StopSignal
	if p.StopSignal == "" {
		p.StopSignal = img.Config.StopSignal
	}
	if p.StopSignal == "" {
		p.StopSignal = "SIGTERM"
	}
	if _, err := signal.ParseSignal(p.StopSignal); err != nil {
		return p, fmt.Errorf("service %q: stop_signal: %w", s.Name, err)
	}
	if check := healthCheck(s, img.Check); check != nil {
		if _, err := check.Args(); err != nil {
			return p, fmt.Errorf("service %q: healthcheck: %w", s.Name, err)
		}
		p.Health = healthLabel(check)
	}
	if p.Runtime, err = project.ResolveRuntime(s.Runtime); err != nil {
		return p, fmt.Errorf("service %q: field \"runtime\": %w", s.Name, err)
	}
	// The spec's own checks, run again when the spec is made: those that need
	// nothing made first.
	if _, err := limitsOpts(s); err != nil {
		return p, err
	}
	if _, err := deviceOpts(s); err != nil {
		return p, err
	}
	if _, err := securityOpts(s, projectDir); err != nil {
		return p, err
	}
	// The logging options, made again with the container's ID once it has one.
	if _, _, err := logOptions(s, logdriver.ContainerInfo{}); err != nil {
		return p, err
	}
	return p, nil
}

// madeParts is what the making step made that a container's labels name.
type madeParts struct {
	LogURI       string                    // where containerd's restart monitor sends its output
	Anonymous    []string                  // anonymous volumes made for it
	MountTargets string                    // see mountTargets
	Ports        []types.ServicePortConfig // the published ports, with the host ports bound
	Endpoint     *network.Endpoint         // its network attachment; nil for none
}

// containerLabels are the labels of the container created for req: the request's,
// then berth's own, from the plan and what was made.
func containerLabels(req compose.CreateRequest, s types.ServiceConfig, p createPlan, m madeParts) map[string]string {
	labels := map[string]string{}
	for k, v := range req.Labels {
		labels[k] = v
	}
	for k, v := range p.Restart {
		labels[k] = v
	}
	if p.Restart != nil {
		labels[restartLogURI] = m.LogURI
	}
	if p.Health != "" {
		labels[labelHealthcheck] = p.Health
	}
	if len(m.Anonymous) > 0 {
		labels[compose.LabelAnonymousVolumes] = strings.Join(m.Anonymous, ",")
	}
	if m.MountTargets != "" {
		labels[labelMountTargets] = m.MountTargets
	}
	labels[labelStopSignal] = p.StopSignal
	labels[labelNetworks] = attachmentsLabel(req.Networks)
	labels[labelPorts] = portsLabel(m.Ports)
	labels[labelCommand] = strings.Join(p.Args, " ")
	labels[labelImageRef] = s.Image
	if s.NetworkMode != "" {
		labels[labelNetworkMode] = s.NetworkMode
	}
	if m.Endpoint != nil {
		labels[labelEndpoint] = endpointLabel(*m.Endpoint)
	}
	if s.Logging != nil && s.Logging.Driver == "none" {
		labels[labelNoLogs] = "true"
		delete(labels, restartLogURI) // restarted by containerd, it logs nowhere either
	}
	if s.Tty {
		labels[labelTTY] = "true"
	}
	if s.StdinOpen {
		labels[labelStdinOpen] = "true"
	}
	return labels
}
