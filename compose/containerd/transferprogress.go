package containerd

import (
	"context"
	"sync"
	"time"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/images"
	"github.com/containerd/containerd/v2/core/remotes"
	"github.com/containerd/containerd/v2/core/remotes/docker"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// transferCountEvery is how often a pull's or push's byte count is sampled: neither
// the content store nor the pusher has events for a write under way, so the count
// is polled while the transfer runs.
const transferCountEvery = 200 * time.Millisecond

// transferProgress counts the bytes of one pull or push: the blobs it moves
// (recorded by an image handler, before each moves) against how far each has got.
type transferProgress struct {
	probe func(ctx context.Context) blobProbe

	mu    sync.Mutex
	blobs map[digest.Digest]blob
	done  map[digest.Digest]bool // moved: counted in full
}

type blob struct {
	size int64
	ref  string // what containerd tracks the blob's transfer by (remotes.MakeRefKey)
}

// blobProbe tells, at one sample, the bytes of a blob moved so far, or that it is
// all there.
type blobProbe func(ctx context.Context, d digest.Digest, b blob) (offset int64, done bool)

// newPullProgress counts a pull by the content store: the writes under way, then
// the blobs it holds.
func newPullProgress(cs content.Store) *transferProgress {
	return newTransferProgress(func(ctx context.Context) blobProbe {
		active := map[string]int64{}
		if statuses, err := cs.ListStatuses(ctx); err == nil {
			for _, s := range statuses {
				active[s.Ref] = s.Offset
			}
		}
		return func(ctx context.Context, d digest.Digest, b blob) (int64, bool) {
			if off, writing := active[b.ref]; writing {
				return off, false
			}
			_, err := cs.Info(ctx, d)
			return 0, err == nil
		}
	})
}

// newPushProgress counts a push by the status the pusher keeps of each blob
// (uploaded so far, committed, or found in the registry already).
func newPushProgress(tracker docker.StatusTracker) *transferProgress {
	return newTransferProgress(func(context.Context) blobProbe {
		return func(_ context.Context, _ digest.Digest, b blob) (int64, bool) {
			s, err := tracker.GetStatus(b.ref)
			if err != nil {
				return 0, false
			}
			return s.Offset, s.Committed
		}
	})
}

func newTransferProgress(probe func(ctx context.Context) blobProbe) *transferProgress {
	return &transferProgress{probe: probe, blobs: map[digest.Digest]blob{}, done: map[digest.Digest]bool{}}
}

// handler records each descriptor the transfer dispatches, before it moves.
func (p *transferProgress) handler() images.Handler {
	return images.HandlerFunc(func(ctx context.Context, desc ocispec.Descriptor) ([]ocispec.Descriptor, error) {
		ref := remotes.MakeRefKey(ctx, desc)
		p.mu.Lock()
		p.blobs[desc.Digest] = blob{size: desc.Size, ref: ref}
		p.mu.Unlock()
		return nil, nil
	})
}

// sample sums the bytes that have moved and the bytes known to move.
func (p *transferProgress) sample(ctx context.Context) (current, total int64) {
	probe := p.probe(ctx)
	p.mu.Lock()
	defer p.mu.Unlock()
	for d, b := range p.blobs {
		total += b.size
		if !p.done[d] {
			off, done := probe(ctx, d, b)
			if !done {
				current += min(off, b.size)
				continue
			}
			p.done[d] = true
		}
		current += b.size
	}
	return current, total
}

// watch reports a sample every transferCountEvery until the returned stop is called.
func (p *transferProgress) watch(ctx context.Context, report func(current, total int64)) (stop func()) {
	quit, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(transferCountEvery)
		defer tick.Stop()
		for {
			select {
			case <-quit:
				return
			case <-ctx.Done():
				return
			case <-tick.C:
				if current, total := p.sample(ctx); total > 0 {
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
