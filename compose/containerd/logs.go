package containerd

import (
	"context"

	"berth.dev/berth/compose"
	"berth.dev/berth/internal/logdriver"
)

// Logs reads the container's log file as the log driver wrote it.
func (r *Runtime) Logs(ctx context.Context, id string, o compose.LogOptions, fn func(compose.LogEntry) error) error {
	return logdriver.Read(ctx, r.logFile(id), logdriver.ReadOptions{Tail: o.Tail, Follow: o.Follow, Since: o.Since},
		func(e logdriver.Entry) error {
			return fn(compose.LogEntry{Time: e.Time, Stream: e.Stream, Line: e.Line, Partial: e.Partial})
		})
}
