package containerd

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// pullCountEvery is how often a pull's byte count is sampled: the content store
// has no events for a write under way, so the count is polled while the pull runs.
const pullCountEvery = 200 * time.Millisecond

// pullProgress counts the bytes of one pull: the descriptors it fetches (recorded by
// an image handler) against the content store's statuses of the writes under way.
type pullProgress struct {
	mu    sync.Mutex
	sizes map[digest.Digest]int64
	done  map[digest.Digest]bool // in the store: counted in full
}

func newPullProgress() *pullProgress {
	return &pullProgress{sizes: map[digest.Digest]int64{}, done: map[digest.Digest]bool{}}
}

// handler records each descriptor the pull dispatches, before it is fetched.
func (p *pullProgress) handler() images.Handler {
	return images.HandlerFunc(func(_ context.Context, desc ocispec.Descriptor) ([]ocispec.Descriptor, error) {
		p.mu.Lock()
		p.sizes[desc.Digest] = desc.Size
		p.mu.Unlock()
		return nil, nil
	})
}

// sample sums the bytes that have arrived and the bytes known to come.
func (p *pullProgress) sample(ctx context.Context, cs content.Store) (current, total int64) {
	active := map[string]int64{}
	if statuses, err := cs.ListStatuses(ctx); err == nil {
		for _, s := range statuses {
			// Fetch refs are "<kind>-<digest>" (remotes.MakeRefKey).
			if i := strings.Index(s.Ref, "-"); i >= 0 {
				active[s.Ref[i+1:]] = s.Offset
			}
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for d, size := range p.sizes {
		total += size
		switch off, writing := active[d.String()]; {
		case p.done[d]:
			current += size
		case writing:
			current += off
		default:
			if _, err := cs.Info(ctx, d); err == nil {
				p.done[d] = true
				current += size
			}
		}
	}
	return current, total
}

// watch reports a sample every pullCountEvery until the returned stop is called.
func (p *pullProgress) watch(ctx context.Context, cs content.Store, report func(current, total int64)) (stop func()) {
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(pullCountEvery)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				if current, total := p.sample(ctx, cs); total > 0 {
					report(current, total)
				}
			}
		}
	}()
	return func() {
		close(quit)
		<-finished
	}
}
