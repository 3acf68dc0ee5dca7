package agent

import (
	"context"
	"fmt"
	"net"

	"berth.dev/berth/compose/containerd"
)

// ServeSocket is called once the agent's resolver and monitors run: it holds the
// namespace's agent socket until ctx ends, accepting and closing every connection
// (berth's commands learn what they need from the peer's credentials). It fails
// when another process holds the socket.
func ServeSocket(ctx context.Context, namespace string) (func() error, error) {
	l, err := net.Listen("unix", containerd.AgentSocket(namespace))
	if err != nil {
		return nil, fmt.Errorf("another agent serves namespace %s: %w", namespace, err)
	}
	go func() {
		<-ctx.Done()
		l.Close()
	}()
	return func() error {
		for {
			c, err := l.Accept()
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			c.Close()
		}
	}, nil
}
