package compose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"golang.org/x/sync/errgroup"
)

// LogsOptions are the flags of `logs`.
type LogsOptions struct {
	Services    []string
	Follow      bool
	Tail        int // -1 = all
	Timestamps  bool
	NoColor     bool
	NoLogPrefix bool
	// Since and Until bound the lines by the time they were written (zero: no
	// bound); Index shows one replica of each service (0: all).
	Since, Until time.Time
	Index        int
}

// Logs prints the output of the project's containers, each line prefixed with the
// container's name as docker compose does.
func (e *Engine) Logs(ctx context.Context, p *types.Project, o LogsOptions) error {
	if err := checkServices(p, o.Services); err != nil {
		return err
	}
	events, cs, err := e.followedContainers(ctx, p.Name, o.Follow)
	if err != nil {
		return err
	}
	cs = serviceContainers(cs, o.Services)
	if o.Index > 0 {
		var one []Container
		for _, c := range cs {
			if c.Number == o.Index {
				one = append(one, c)
			}
		}
		cs = one
	}
	out := newBatchWriter(e.Out)
	defer out.Flush()
	pr := newPrinter(out, cs, o)
	g, gctx := errgroup.WithContext(ctx)
	following := map[string]bool{}
	follow := func(c Container, tail int) {
		following[c.ID] = true
		g.Go(func() error {
			return e.Runtime.Logs(gctx, c.ID, LogOptions{Tail: tail, Follow: o.Follow, Since: o.Since}, func(l LogEntry) error {
				if o.Until.IsZero() || !l.Time.After(o.Until) {
					pr.print(c.Name, l)
				}
				return nil
			})
		})
	}
	for _, c := range cs {
		follow(c, o.Tail)
	}
	if o.Follow {
		// Containers that start later (scaled up, recreated) are followed from their
		// first line; one that restarts is already followed.
		g.Go(func() error {
			for ev := range events {
				id := ev.ContainerID
				if ev.Action != "start" || following[id] {
					continue
				}
				all, err := e.Runtime.Containers(gctx, p.Name)
				if err != nil {
					return err
				}
				for _, c := range serviceContainers(all, o.Services) {
					if c.ID == id && (o.Index == 0 || c.Number == o.Index) {
						pr.addName(c.Name)
						follow(c, -1)
					}
				}
			}
			return nil
		})
	}
	err = g.Wait()
	pr.flush()
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return nil
	}
	return err
}

// printer writes log lines of several containers to one stream, whole lines at a
// time, each with its container's coloured name.
type printer struct {
	mu      sync.Mutex
	w       io.Writer
	prefix  map[string]string
	o       LogsOptions
	pending map[string]string // name+stream → the start of a line written without newline
	line    []byte            // print's buffer, reused
}

// Docker compose's prefix colours, in the order it hands them out.
var palette = []string{"36", "33", "32", "35", "34", "31", "36;1", "33;1", "32;1", "35;1", "34;1", "31;1"}

func newPrinter(w io.Writer, cs []Container, o LogsOptions) *printer {
	width := 0
	for _, c := range cs {
		width = max(width, len(c.Name))
	}
	pr := &printer{w: w, prefix: map[string]string{}, o: o, pending: map[string]string{}}
	for i, c := range cs {
		pr.add(c.Name, width, i)
	}
	return pr
}

// addName gives a container that appeared while following the next colour.
func (pr *printer) addName(name string) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if _, ok := pr.prefix[name]; !ok {
		pr.add(name, len(name), len(pr.prefix))
	}
}

func (pr *printer) add(name string, width, i int) {
	p := fmt.Sprintf("%-*s | ", width, name)
	if !pr.o.NoColor {
		p = "\x1b[" + palette[i%len(palette)] + "m" + p + "\x1b[0m"
	}
	pr.prefix[name] = p
}

func (pr *printer) print(name string, l LogEntry) {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if l.Partial || len(pr.pending) > 0 {
		key := name + "\x00" + l.Stream
		if l.Partial {
			pr.pending[key] += l.Line
			return
		}
		l.Line = pr.pending[key] + l.Line
		delete(pr.pending, key)
	}
	b := pr.line[:0] // one Write per line, so lines of several containers never mix
	if !pr.o.NoLogPrefix {
		b = append(b, pr.prefix[name]...)
	}
	if pr.o.Timestamps {
		b = l.Time.UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, ' ')
	}
	b = append(b, l.Line...)
	b = append(b, '\n')
	pr.w.Write(b)
	pr.line = b
}

// message prints a line of berth's own among the containers' lines.
func (pr *printer) message(format string, args ...any) {
	pr.mu.Lock()
	fmt.Fprintf(pr.w, format+"\n", args...)
	pr.mu.Unlock()
}

// flush prints the lines still waiting for their end, when no more output comes.
func (pr *printer) flush() {
	pr.mu.Lock()
	pending := pr.pending
	pr.pending = map[string]string{}
	pr.mu.Unlock()
	for key, text := range pending {
		name, stream, _ := strings.Cut(key, "\x00")
		pr.print(name, LogEntry{Stream: stream, Line: text})
	}
}

// followedContainers lists the project's containers and, to follow those that
// start later, first subscribes to the runtime's events (nil unless follow), so
// that no container started in between is missed.
func (e *Engine) followedContainers(ctx context.Context, projectName string, follow bool) (<-chan Event, []Container, error) {
	var events <-chan Event
	if follow {
		var err error
		if events, err = e.Runtime.Events(ctx); err != nil {
			return nil, nil, err
		}
	}
	cs, err := e.Runtime.Containers(ctx, projectName)
	return events, cs, err
}
