// Command berth runs Compose projects on containerd: `berth up`, `berth down`, …
// with docker compose's file format and command line.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"

	"github.com/containerd/log"

	"berth.dev/berth/compose"
	"berth.dev/berth/project"
)

// exitError carries a command's own exit status (exec, run) up to main.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	// containerd's client logs at info level (e.g. its HTTP fallback for a localhost
	// registry); berth's own output says what the user needs.
	_ = log.SetLevel("warn")
	ctx, force := signalContext()
	root := newRootCommand(force)
	root.SetArgs(globalShorthands(os.Args[1:]))
	err := root.ExecuteContext(ctx)
	os.Exit(exitCode(err, root.debug))
}

// exitCode prints err as one line (with the chain under --debug) and picks the status.
func exitCode(err error, debug bool) int {
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var status *compose.ExitStatusError
	if errors.As(err, &status) {
		return status.Code
	}
	msg := err.Error()
	if !debug {
		if errors.Is(err, project.ErrInvalid) {
			// "invalid project: " says nothing the message does not.
			msg = trimPrefix(msg, project.ErrInvalid.Error()+": ")
		}
	} else {
		msg = fmt.Sprintf("%+v", err)
	}
	fmt.Fprintln(os.Stderr, "berth: "+msg)
	return 1
}

func trimPrefix(s, prefix string) string {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):]
	}
	return s
}

// diverted, while set, takes the SIGINTs and SIGTERMs signalContext would act on:
// attach --sig-proxy passes them to the container instead of ending.
var diverted atomic.Pointer[chan os.Signal]

// signalContext is the one place signals are handled: the first SIGINT or SIGTERM
// cancels the context (commands wind down gracefully), the second closes force
// (whatever is still stopping is killed), a third exits at once.
func signalContext() (context.Context, <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	force := make(chan struct{})
	sigs := make(chan os.Signal, 3)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		n := 0
		for s := range sigs {
			if d := diverted.Load(); d != nil {
				*d <- s
				continue
			}
			n++
			switch n {
			case 1:
				cancel()
			case 2:
				close(force)
			default:
				os.Exit(130)
			}
		}
	}()
	return ctx, force
}
