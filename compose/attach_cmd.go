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
	// Keys is the user's input, read for DetachKeys (nil: not read): typing them
	// ends the attach and leaves the container running, as docker's ctrl-p ctrl-q.
	// What else is typed goes nowhere: containers write through berth's log driver,
	// whose IO has no stdin.
	Keys       io.Reader
	DetachKeys []byte
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
		go func() {
			if detachKeysRead(o.Keys, o.DetachKeys) {
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

// detachKeysRead reads r until keys come in a row: true; false at its end.
func detachKeysRead(r io.Reader, keys []byte) bool {
	proxy := term.NewEscapeProxy(r, keys)
	buf := make([]byte, 256)
	for {
		_, err := proxy.Read(buf)
		var escape term.EscapeError
		switch {
		case errors.As(err, &escape):
			return true
		case err != nil:
			return false
		}
	}
}
