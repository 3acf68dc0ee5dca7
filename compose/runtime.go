// Package compose implements berth's verbs: observe what runs, plan what should
// change, execute the plan through the scheduler. It knows nothing of containerd:
// it drives the small Runtime interface below.
package compose

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Runtime is what the verbs need of a container engine.
// It is made of the roles below, which compose/containerd serves together and the
// engine's tests fake.
type Runtime interface {
	Locker
	ContainerRuntime
	ImageRuntime
	ResourceRuntime
	AgentRuntime
}

// Locker keeps two berths from changing one project at once.
type Locker interface {
	// Lock serialises berth processes that change the same project.
	Lock(ctx context.Context, project string) (unlock func(), err error)
}

// ContainerRuntime is containers and their tasks: what the verbs make, start,
// stop, watch and remove.
type ContainerRuntime interface {
	// Containers lists a project's containers; project "" lists those of every project.
	Containers(ctx context.Context, project string) ([]Container, error)
	Create(ctx context.Context, req CreateRequest) (Container, error)
	Start(ctx context.Context, id string) error
	// StartAttached starts the container with its streams connected to stdio and
	// returns its exit status (run without -d).
	StartAttached(ctx context.Context, id string, stdio Stdio) (int, error)
	// Stop sends the container's stop signal, waits up to timeout, then kills.
	Stop(ctx context.Context, id string, timeout time.Duration) error
	// Remove deletes the container with its task, snapshot, network namespace and files.
	Remove(ctx context.Context, id string, o RemoveOptions) error
	// Kill sends a signal (a name like "SIGHUP" or a number) to the container's process.
	Kill(ctx context.Context, id, signal string) error
	Pause(ctx context.Context, id string) error
	Unpause(ctx context.Context, id string) error
	// Top lists the container's processes as rows under a header.
	Top(ctx context.Context, id string) (header []string, rows [][]string, err error)
	// Stats samples a running container's resource use.
	Stats(ctx context.Context, id string) (Stats, error)
	// FilesRoot gives a host path to the container's files, valid until release.
	FilesRoot(ctx context.Context, id string) (root string, release func(), err error)
	// Export writes the container's own filesystem (its image and what it changed,
	// without volumes or mounts) to w as a tar stream.
	Export(ctx context.Context, id string, w io.Writer) error
	// Commit stores a new image of what the container changed over its image.
	Commit(ctx context.Context, id string, req CommitRequest) (digest string, err error)
	// Wait returns the exit status of the container's current task once it exits.
	Wait(ctx context.Context, id string) (int, error)
	Exec(ctx context.Context, id string, req ExecRequest) (int, error)
	// Stdin opens a running container's stdin for attach; ErrNoStdin when it has none.
	Stdin(ctx context.Context, id string) (ContainerStdin, error)
	Logs(ctx context.Context, id string, o LogOptions, fn func(LogEntry) error) error
	// Events reports what happens to containers from now on.
	Events(ctx context.Context) (<-chan Event, error)
}

// ImageRuntime is the image store: digests, pulls, pushes and builds.
type ImageRuntime interface {
	ImageDigest(ctx context.Context, ref string) (string, error) // ErrImageNotFound when absent
	// RemoteDigest is the digest the image's registry gives for the reference, without
	// pulling it.
	RemoteDigest(ctx context.Context, ref string) (string, error)
	// ImagePulled is when berth last pulled the image; zero when it did not.
	ImagePulled(ctx context.Context, ref string) (time.Time, error)
	// Pull fetches and unpacks an image for the platform ("" = the host's).
	Pull(ctx context.Context, ref, platform string, report func(Progress)) error
	// Push sends an image of the store to its registry.
	Push(ctx context.Context, ref string, report func(Progress)) error
	// PushArtifact pushes blobs, each with its Data, to the repository of ref in
	// order, the last one a manifest tagged as ref says (publish).
	PushArtifact(ctx context.Context, ref string, blobs []ocispec.Descriptor) error
	// PushImageTo pushes an image of the store into another repository, by digest,
	// and returns the descriptor it has there (publish --app).
	PushImageTo(ctx context.Context, ref, repository string) (ocispec.Descriptor, error)
	RemoveImage(ctx context.Context, ref string) error
	// Build builds an image and stores it under req.Ref and req.Tags.
	Build(ctx context.Context, req BuildRequest) error
}

// ResourceRuntime is networks, volumes and the host ports containers publish.
type ResourceRuntime interface {
	// Networks and Volumes list a project's; project "" lists all.
	Networks(ctx context.Context, project string) ([]Network, error)
	EnsureNetwork(ctx context.Context, n Network) error
	RemoveNetwork(ctx context.Context, name string) error
	// NetworkMembers lists the containers attached to a network, for inspect.
	NetworkMembers(ctx context.Context, name string) ([]NetworkMember, error)

	Volumes(ctx context.Context, project string) ([]Volume, error)
	EnsureVolume(ctx context.Context, v Volume) error
	RemoveVolume(ctx context.Context, name string) error

	// CheckPorts refuses a fixed host port of the service that a host program holds
	// or a container of berth outside the project publishes, and a logging driver's
	// collector that cannot be reached, before anything is made.
	CheckPorts(ctx context.Context, project string, s types.ServiceConfig) error
}

// AgentRuntime is berth's agent, the task that serves DNS and runs healthchecks.
type AgentRuntime interface {
	// EnsureAgent starts berth's agent task (the DNS resolver and the healthchecks)
	// if it does not run; RemoveAgentIfIdle stops it when no network of berth is left.
	EnsureAgent(ctx context.Context) error
	RemoveAgentIfIdle(ctx context.Context) error
	// AgentProblem says, in one line naming the agent's log, why berth's agent does
	// not serve; nil when it serves or was never started.
	AgentProblem(ctx context.Context) error
}

// RemoveOptions tune Remove.
type RemoveOptions struct {
	// NetworksGoing are the networks the caller removes right after its containers
	// (down). A container attached to none but these leaves its attachments to
	// RemoveNetwork, which takes those of every such container down in one pass.
	NetworksGoing []string
}

// ErrImageNotFound is returned by ImageDigest for an image not in the store.
var ErrImageNotFound = errors.New("image not found")

// ErrNotFound is returned for a container, network or volume that does not exist.
var ErrNotFound = errors.New("not found")

// Container is a container as observed.
type Container struct {
	ID       string
	Name     string
	Project  string
	Service  string
	Number   int
	OneOff   bool
	Image    string
	Command  string
	Labels   map[string]string
	State    string // created, running, paused, exited
	ExitCode int
	Created  time.Time
	Ports    []types.ServicePortConfig
	// ImageDigest is the digest of the image the container was made from.
	ImageDigest string
	// Health is "starting", "healthy" or "unhealthy" for a running container with a
	// healthcheck, "" otherwise.
	Health string
	// KeptRunning: its restart policy says it runs (always, or unless-stopped and not
	// stopped by the user), whatever its task does now; it comes back at boot.
	KeptRunning bool
	// StartedAt is when its process started, FinishedAt when it last exited; zero
	// when not known.
	StartedAt, FinishedAt time.Time
	// Networks it is on; Mounts are its volumes' names and its binds' host paths,
	// LocalVolumes how many of those are volumes.
	Networks     []string
	Mounts       []string
	LocalVolumes int
}

// Health statuses.
const (
	HealthStarting  = "starting"
	HealthHealthy   = "healthy"
	HealthUnhealthy = "unhealthy"
)

// Container states.
const (
	StateCreated = "created"
	StateRunning = "running"
	StatePaused  = "paused"
	StateExited  = "exited"
)

// CreateRequest asks for one container of a service.
type CreateRequest struct {
	Project  *types.Project
	Service  types.ServiceConfig
	Name     string
	Labels   map[string]string // compose labels, with the config hash
	Networks []Attachment      // in order; the first carries published ports
	Volumes  map[string]string // compose volume key → host volume name
	// UseAliases gives a one-off (run) its service's name and aliases on its
	// networks, as run --use-aliases.
	UseAliases bool
	// NetworkFrom is the container whose network a network_mode service:NAME or
	// container:NAME joins.
	NetworkFrom string
	// PIDFrom and IPCFrom are the running containers whose PID and IPC namespaces a
	// pid or ipc of service:NAME or container:NAME joins.
	PIDFrom, IPCFrom string
	// VolumesFrom are the containers a volumes_from container:NAME[:ro|rw] takes the
	// mounts of.
	VolumesFrom []VolumesFrom
	// RenewAnonymous makes the container's anonymous volumes anew (up -V).
	RenewAnonymous bool
	// Devices are the CDI devices the container gets (see DeviceResolver).
	Devices []string
}

// VolumesFrom is a container whose volumes and bind mounts another mounts too.
type VolumesFrom struct {
	ID       string
	ReadOnly bool
}

// Attachment joins a container to a network.
type Attachment struct {
	Network string // host name of the network
	Aliases []string
	IPv4    string `json:",omitempty"` // ipv4_address
	MAC     string `json:",omitempty"` // mac_address
	IPv6    string `json:",omitempty"` // ipv6_address
	IfName  string `json:",omitempty"` // interface_name
	// GwPriority is gw_priority: the network of the highest gives the default route.
	GwPriority int `json:",omitempty"`
	// NoServiceName is use_service_name_alias: false.
	NoServiceName bool     `json:",omitempty"`
	LinkLocal     []string `json:",omitempty"` // link_local_ips
}

// Stdio connects a process to the user's terminal or pipes.
type Stdio struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	TTY bool
}

// ExecRequest runs a process in a running container.
type ExecRequest struct {
	Cmd        []string
	Env        []string
	WorkDir    string
	User       string
	Privileged bool // every capability
	Detach     bool // start it and return at once
	Stdio
}

// CommitRequest names the image Commit makes and what it adds to the config.
type CommitRequest struct {
	Ref     string   // the new image's name
	Author  string   // the config's author and the history entry's
	Message string   // the history entry's comment
	Changes []string // Dockerfile instructions applied to the config (CMD, ENV …)
	Pause   bool     // pause a running container while its changes are read
}

// Network is a project network.
type Network struct {
	Name     string // host name
	Project  string // "" for a network made outside projects
	Key      string // name in the compose file
	Labels   map[string]string
	Subnet   string // asked for (create) or in use (listings); "" = allocate
	Gateway  string
	Internal bool
	Bridge   string // asked for (driver_opts) or in use (listings); "" = berth names it
	MTU      int    // 0 = the kernel's default
	IPv6     bool   // enable_ipv6: an IPv6 subnet too
	Subnet6  string // asked for or in use, as Subnet; "" = allocate (when IPv6)
	Gateway6 string
	// ip_range of each family and aux_addresses (name → IP), from ipam.
	IPRange, IPRange6 string
	AuxAddresses      map[string]string
	Created           time.Time // listings only
}

// NetworkMember is a container attached to a network, with its addresses there.
type NetworkMember struct {
	ContainerID, Name string
	MAC, IPv4, IPv6   string // addresses without prefix length; IPv6 "" off IPv6 networks
}

// Volume is a named volume.
type Volume struct {
	Name       string
	Project    string // "" for a volume made outside projects
	Key        string
	Labels     map[string]string
	DriverOpts map[string]string // the local driver's type, o and device: mounted at first use
	Mountpoint string            // listings only
	Created    time.Time         // listings only
}

// Progress reports a pull or push under way: bytes moved of the bytes known to move.
type Progress struct {
	Ref     string
	Status  string
	Current int64
	Total   int64
}

// LogOptions select the part of a container's log to read.
type LogOptions struct {
	Tail   int // -1 = all
	Follow bool
	Since  time.Time
}

// LogEntry is one line a container wrote.
type LogEntry struct {
	Time   time.Time
	Stream string // "stdout" or "stderr"
	Line   string
	// Partial: the container wrote no newline here; the next entry of the same
	// stream continues the line.
	Partial bool
}

// Event is something that happened to a container, in docker's words.
type Event struct {
	Time        time.Time
	Action      string // create, start, die, pause, unpause, destroy, oom
	ContainerID string
	ExitCode    int // for die
}

// Stats is one sample of a container's resource use; rates come from two samples.
type Stats struct {
	Time                  time.Time
	CPUNanos              uint64 // CPU time used since the start
	MemUsage, MemLimit    uint64
	NetRx, NetTx          uint64
	BlockRead, BlockWrite uint64
	Pids                  uint64
}
