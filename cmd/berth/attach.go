package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/moby/term"
	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"

	"berth.dev/berth/compose"
)

// defaultDetachKeys are docker's.
const defaultDetachKeys = "ctrl-p,ctrl-q"

func newAttachCommand(g *globals) *cobra.Command {
	var o compose.AttachOptions
	var noStdin, sigProxy bool
	var detachKeys string
	cmd := projectVerb(g, "attach [OPTIONS] SERVICE", "Attach to a service's running container's output; the detach keys leave it running", false,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			keys, err := term.ToBytes(detachKeys)
			if err != nil {
				return usageError("--detach-keys %q: %v", detachKeys, err)
			}
			o.DetachKeys = keys
			if !noStdin {
				o.Keys = os.Stdin
				restore := keysAsTyped(os.Stdin)
				defer restore()
				if t := callerTerminal(os.Stdin); t != nil {
					defer t.stop()
					o.Terminal = t
				}
			}
			if sigProxy {
				sigs := make(chan os.Signal, 8)
				// SIGINT and SIGTERM come through main's handler, the others here.
				signal.Notify(sigs, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
				defer signal.Stop(sigs)
				diverted.Store(&sigs)
				defer diverted.Store(nil)
				o.Signals = sigs
			}
			err = e.Attach(ctx, p, args[0], o)
			if cancelled(err) {
				return nil
			}
			return err
		})
	cmd.Args = cobra.ExactArgs(1)
	f := cmd.Flags()
	f.IntVar(&o.Index, "index", 0, "Index of the container if the service has several replicas")
	f.BoolVar(&noStdin, "no-stdin", false, "Do not read STDIN (where the detach keys are typed)")
	f.StringVar(&detachKeys, "detach-keys", defaultDetachKeys, "Override the key sequence for detaching from a container")
	f.BoolVar(&sigProxy, "sig-proxy", true, "Proxy all received signals to the process")
	return cmd
}

// keysAsTyped makes a terminal pass each key as it is typed, unechoed, so the
// detach keys act at once; Ctrl-C still signals. It returns what undoes it; a
// stdin that is no terminal is left as it is.
func keysAsTyped(f *os.File) (restore func()) {
	fd := int(f.Fd())
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return func() {}
	}
	t := *old
	t.Lflag &^= unix.ICANON | unix.ECHO | unix.IEXTEN
	t.Iflag &^= unix.IXON // else ctrl-q, docker's detach key, is flow control
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &t); err != nil {
		return func() {}
	}
	return func() { _ = unix.IoctlSetTermios(fd, unix.TCSETS, old) }
}

// terminal is the caller's terminal as attach hands it to a container's TTY.
type terminal struct {
	f       *os.File
	resized chan struct{}
	winch   chan os.Signal
}

// callerTerminal is f when it is a terminal, else nil; it notes SIGWINCH until stop.
func callerTerminal(f *os.File) *terminal {
	if !term.IsTerminal(f.Fd()) {
		return nil
	}
	t := &terminal{f: f, resized: make(chan struct{}, 1), winch: make(chan os.Signal, 1)}
	signal.Notify(t.winch, syscall.SIGWINCH)
	go func() {
		for range t.winch {
			select {
			case t.resized <- struct{}{}:
			default: // one pending resize reads the latest size anyway
			}
		}
	}()
	return t
}

func (t *terminal) stop() {
	signal.Stop(t.winch)
	close(t.winch)
}

func (t *terminal) Raw() func() {
	state, err := term.MakeRaw(t.f.Fd())
	if err != nil {
		return func() {}
	}
	return func() { _ = term.RestoreTerminal(t.f.Fd(), state) }
}

func (t *terminal) Size() (uint32, uint32, bool) {
	ws, err := term.GetWinsize(t.f.Fd())
	if err != nil || ws.Width == 0 {
		return 0, 0, false
	}
	return uint32(ws.Width), uint32(ws.Height), true
}

func (t *terminal) Resized() <-chan struct{} { return t.resized }
