package compose

import (
	"context"
	"errors"
	"io"
)

// ErrNoStdin is returned by Runtime.Stdin for a container that takes no input.
var ErrNoStdin = errors.New("stdin is not attached")

// ContainerStdin is a running container's stdin as attach writes to it. Closing
// it leaves the container's stdin open, as docker's attach does without stdin_once.
type ContainerStdin struct {
	io.WriteCloser
	// TTY: the input is typed at the container's terminal, which Resize sizes.
	TTY    bool
	Resize func(ctx context.Context, width, height uint32) error
}
