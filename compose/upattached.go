package compose

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"berth.dev/berth/project"
)

// attach follows the output of the project's containers until every one has exited
// or ctx ends; then, as docker compose does, it stops them gracefully, and kills
// them when Force is closed.
func (e *Engine) attach(ctx context.Context, p *types.Project, o UpOptions, fresh map[string]bool) error {
	// Under watch a rebuild replaces containers: they are followed too.
	events, cs, err := e.followedContainers(ctx, p.Name, o.Watch != nil)
	if err != nil {
		return err
	}
	var services []string
	if len(o.Services) > 0 {
		services = o.Services
		if o.AttachDependencies {
			g, err := project.NewGraph(p)
			if err != nil {
				return err
			}
			if services, err = selectedServices(p, g, o.Services, false); err != nil {
				return err
			}
		}
	}
	cs = attachedContainers(serviceContainers(cs, services), o.Attach, o.NoAttach)
	pr := newPrinter(e.Out, cs, LogsOptions{NoColor: o.NoColor, Timestamps: o.Timestamps, NoLogPrefix: o.NoLogPrefix})

	follow, stopFollowing := context.WithCancel(context.Background())
	defer stopFollowing()
	var logs sync.WaitGroup
	var exited sync.WaitGroup
	exits := make(chan exit, len(cs))
	for _, c := range cs {
		c := c
		tail := 0 // a container that ran before this up shows only what comes next
		if fresh[c.Name] {
			tail = -1
		}
		logs.Add(1)
		go func() {
			defer logs.Done()
			_ = e.Runtime.Logs(follow, c.ID, LogOptions{Tail: tail, Follow: true}, func(l LogEntry) error {
				pr.print(c.Name, l)
				return nil
			})
		}()
		exited.Add(1)
		go func() {
			defer exited.Done()
			code, err := e.Runtime.Wait(ctx, c.ID)
			if err == nil {
				pr.message("%s exited with code %d", c.Name, code)
				exits <- exit{c, code}
			}
		}()
	}
	allExited := make(chan struct{})
	go func() { exited.Wait(); close(allExited) }()
	ended := allExited
	if o.Watch != nil {
		// Up --watch runs until Ctrl-C, whatever its containers do.
		ended = nil
		go e.followStarted(ctx, follow, p, events, cs, o, pr)
	}

	// result is what up returns once everything has stopped: the exit status asked
	// for by --exit-code-from or the abort flags.
	var result error
	aborted := false
wait:
	for {
		select {
		case x := <-exits:
			if o.ExitCodeFrom != "" && x.c.Service == o.ExitCodeFrom && x.code != 0 {
				result = &ExitStatusError{Container: x.c.Name, Code: x.code}
			}
			if o.AbortOnExit || (o.AbortOnFailure && x.code != 0) || (o.ExitCodeFrom != "" && x.c.Service == o.ExitCodeFrom) {
				if o.ExitCodeFrom == "" && x.code != 0 {
					result = &ExitStatusError{Container: x.c.Name, Code: x.code}
				}
				aborted = true
				break wait
			}
		case <-ended:
			// The log driver writes a container's last lines just after its exit, and
			// nothing tells a reader it has: give it a moment, bounded, before leaving.
			time.Sleep(200 * time.Millisecond)
			stopFollowing()
			logs.Wait()
			return result
		case <-ctx.Done():
			break wait
		}
	}
	if aborted {
		pr.message("Aborting on container exit...")
	} else {
		pr.message("Gracefully stopping... (press Ctrl+C again to force)")
	}
	stopCtx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-o.Force:
			cancel()
		case <-stopCtx.Done():
		}
	}()
	err = e.Stop(stopCtx, p, StopOptions{Services: services, Timeout: o.Timeout})
	stopFollowing()
	logs.Wait()
	if errors.Is(err, context.Canceled) {
		zero := time.Duration(0)
		err = e.Stop(context.Background(), p, StopOptions{Services: services, Timeout: &zero})
	}
	if err != nil {
		return err
	}
	return result
}

// followStarted shows, under up --watch, the output of the attached containers that
// start after up began (those a rebuild made) from their first line.
func (e *Engine) followStarted(ctx, follow context.Context, p *types.Project, events <-chan Event, cs []Container, o UpOptions, pr *printer) {
	following := map[string]bool{}
	for _, c := range cs {
		following[c.ID] = true
	}
	for ev := range events {
		if ev.Action != "start" || following[ev.ContainerID] {
			continue
		}
		all, err := e.Runtime.Containers(ctx, p.Name)
		if err != nil {
			continue
		}
		for _, c := range attachedContainers(serviceContainers(all, o.Services), o.Attach, o.NoAttach) {
			if c.ID != ev.ContainerID || c.OneOff {
				continue
			}
			following[c.ID] = true
			pr.addName(c.Name)
			go func() {
				_ = e.Runtime.Logs(follow, c.ID, LogOptions{Tail: -1, Follow: true}, func(l LogEntry) error {
					pr.print(c.Name, l)
					return nil
				})
			}()
		}
	}
}

type exit struct {
	c    Container
	code int
}

// ExitStatusError is up's result when a container's exit status decides it
// (--exit-code-from, --abort-on-container-exit): berth exits with Code.
type ExitStatusError struct {
	Container string
	Code      int
}

func (e *ExitStatusError) Error() string {
	return fmt.Sprintf("%s exited with code %d", e.Container, e.Code)
}

// attachedContainers keeps the containers of the --attach services (all when none)
// less those of the --no-attach services.
func attachedContainers(cs []Container, attach, noAttach []string) []Container {
	var out []Container
	for _, c := range cs {
		if (len(attach) == 0 || slices.Contains(attach, c.Service)) && !slices.Contains(noAttach, c.Service) {
			out = append(out, c)
		}
	}
	return out
}
