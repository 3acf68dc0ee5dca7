package compose

import (
	"context"
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
}

// Logs prints the output of the project's containers, each line prefixed with the
// container's name as docker compose does.
func (e *Engine) Logs(ctx context.Context, p *types.Project, o LogsOptions) error {
	if err := checkServices(p, o.Services); err != nil {
		return err
	}
	cs, err := e.Runtime.Containers(ctx, p.Name)
	if err != nil {
		return err
	}
	cs = serviceContainers(cs, o.Services)
	pr := newPrinter(e.Out, cs, o)
	g, ctx := errgroup.WithContext(ctx)
	for _, c := range cs {
		c := c
		g.Go(func() error {
			return e.Runtime.Logs(ctx, c.ID, LogOptions{Tail: o.Tail, Follow: o.Follow}, func(l LogEntry) error {
				pr.print(c.Name, l)
				return nil
			})
		})
	}
	err = g.Wait()
	pr.flush()
	if ctx.Err() != nil && err == ctx.Err() {
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

func (pr *printer) add(name string, width, i int) {
	p := fmt.Sprintf("%-*s | ", width, name)
	if !pr.o.NoColor {
		p = "\x1b[" + palette[i%len(palette)] + "m" + p + "\x1b[0m"
	}
	pr.prefix[name] = p
}

func (pr *printer) print(name string, l LogEntry) {
	key := name + "\x00" + l.Stream
	pr.mu.Lock()
	if l.Partial {
		pr.pending[key] += l.Line
		pr.mu.Unlock()
		return
	}
	l.Line = pr.pending[key] + l.Line
	delete(pr.pending, key)
	pr.mu.Unlock()
	var b strings.Builder
	if !pr.o.NoLogPrefix {
		b.WriteString(pr.prefix[name])
	}
	if pr.o.Timestamps {
		b.WriteString(l.Time.UTC().Format(time.RFC3339Nano) + " ")
	}
	b.WriteString(l.Line)
	b.WriteByte('\n')
	pr.mu.Lock()
	io.WriteString(pr.w, b.String())
	pr.mu.Unlock()
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
