package compose

import (
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"syscall"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/term"
	"golang.org/x/sync/errgroup"
)

// AttachOptions are the flags of `attach`.
type AttachOptions struct {
	Index int
	// Keys is the user's input (nil: not read). Typing DetachKeys ends the attach
	// and leaves the container running, as docker's ctrl-p ctrl-q; what else is
	// typed goes to the container's stdin, where it has one (stdin_open).
	Keys       io.Reader
	DetachKeys []byte
	// Terminal is the caller's terminal, for a container with a TTY; nil when
	// the caller has none.
	Terminal Terminal
	// Signals received while attached go to the container's process (--sig-proxy).
	Signals <-chan os.Signal
}

// Attach follows a running container's output from now on, until it exits, the
// detach keys are typed, or ctx ends. A container that exits with a non-zero
// status makes Attach return it as an ExitStatusError, as docker attach does.
func (e *Engine) Attach(ctx context.Context, p *types.Project, service string, o AttachOptions) error {
	c, err := e.runningReplica(ctx, p, service, o.Index)
	if err != nil {
		return err
	}
	var stdin *ContainerStdin
	if o.Keys != nil {
		in, err := e.Runtime.Stdin(ctx, c.ID)
		switch {
		case errors.Is(err, ErrNoStdin):
			e.warn("%s: %v", c.Name, err) // typed keys still detach, as before
		case err != nil:
			return err
		default:
			stdin = &in
			defer in.Close()
			if in.TTY && o.Terminal != nil {
				defer o.Terminal.Raw()()
				sizing, stopSizing := context.WithCancel(ctx)
				defer stopSizing()
				e.followTerminalSize(sizing, o.Terminal, in)
			}
		}
	}
	pr := newPrinter(e.Out, nil, LogsOptions{NoLogPrefix: true})
	g, gctx := errgroup.WithContext(ctx)
	follow, stop := context.WithCancel(gctx)
	defer stop()
	g.Go(func() error {
		err := e.Runtime.Logs(follow, c.ID, LogOptions{Tail: 0, Follow: true}, func(l LogEntry) error {
			pr.print(c.Name, l)
			return nil
		})
		if follow.Err() != nil {
			return nil
		}
		return err
	})
	exitCode := 0
	g.Go(func() error {
		defer stop()
		code, err := e.Runtime.Wait(follow, c.ID)
		if follow.Err() != nil {
			return nil
		}
		exitCode = code
		return err
	})
	if o.Keys != nil {
		// Not in the group: the read may block on the terminal after the attach has
		// ended, until berth exits.
		var to io.Writer
		if stdin != nil {
			to = stdin
		}
		go func() {
			if forwardInput(o.Keys, o.DetachKeys, to) {
				stop()
			}
		}()
	}
	if o.Signals != nil {
		g.Go(func() error {
			for {
				select {
				case <-follow.Done():
					return nil
				case s := <-o.Signals:
					if n, ok := s.(syscall.Signal); ok {
						if err := e.Runtime.Kill(follow, c.ID, strconv.Itoa(int(n))); err != nil && !errors.Is(err, ErrNotRunning) {
							e.warn("pass %v to %s: %v", s, c.Name, err)
						}
					}
				}
			}
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if exitCode != 0 {
		return &ExitStatusError{Container: c.Name, Code: exitCode}
	}
	return nil
}

// forwardInput copies r to w (nil: nowhere) until keys come in a row: true; false
// at r's end or when w takes no more. The keys themselves are not passed on.
func forwardInput(r io.Reader, keys []byte, w io.Writer) bool {
	proxy := term.NewEscapeProxy(r, keys)
	buf := make([]byte, 4096)
	for {
		n, err := proxy.Read(buf)
		if n > 0 && w != nil {
			if _, werr := w.Write(buf[:n]); werr != nil {
				return false
			}
		}
		var escape term.EscapeError
		switch {
		case errors.As(err, &escape):
			return true
		case err != nil:
			return false
		}
	}
}

// Terminal is the caller's terminal as attach uses it for a container's TTY.
type Terminal interface {
	// Raw passes every key as typed, Ctrl-C included, and returns what undoes it.
	Raw() (restore func())
	Size() (width, height uint32, ok bool)
	// Resized tells each change of the terminal's size.
	Resized() <-chan struct{}
}

// followTerminalSize sizes the container's console as the caller's terminal, now
// and each time that changes, until ctx ends, as docker attach does.
func (e *Engine) followTerminalSize(ctx context.Context, t Terminal, in ContainerStdin) {
	resize := func() {
		if w, h, ok := t.Size(); ok && in.Resize != nil {
			if err := in.Resize(ctx, w, h); err != nil && ctx.Err() == nil {
				e.warn("resize the container's terminal: %v", err)
			}
		}
	}
	resize()
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.Resized():
				resize()
			}
		}
	}()
}
