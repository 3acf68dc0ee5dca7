package main

import (
	"strconv"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newLogsCommand(g *globals) *cobra.Command {
	var o compose.LogsOptions
	var tail, since, until string
	cmd := &cobra.Command{
		Use:   "logs [OPTIONS] [SERVICE...]",
		Short: "View output from containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Services = args
			o.Tail = -1
			o.NoColor = o.NoColor || !g.colour()
			if tail != "all" {
				n, err := strconv.Atoi(tail)
				if err != nil || n < 0 {
					return usageError("--tail: %q is not a number or \"all\"", tail)
				}
				o.Tail = n
			}
			var err error
			now := time.Now()
			if o.Since, err = parseLogTime("since", since, now); err != nil {
				return err
			}
			if o.Until, err = parseLogTime("until", until, now); err != nil {
				return err
			}
			return g.withEngine(cmd.Context(), true, func(e *compose.Engine, p *types.Project) error {
				err := e.Logs(cmd.Context(), p, o)
				if cancelled(err) {
					return nil
				}
				return err
			})
		},
	}
	f := cmd.Flags()
	f.BoolVarP(&o.Follow, "follow", "f", false, "Follow log output")
	f.StringVarP(&tail, "tail", "n", "all", "Number of lines to show from the end of the logs")
	f.BoolVarP(&o.Timestamps, "timestamps", "t", false, "Show timestamps")
	f.BoolVar(&o.NoColor, "no-color", false, "Produce monochrome output")
	f.BoolVar(&o.NoLogPrefix, "no-log-prefix", false, "Don't print prefix in logs")
	f.StringVar(&since, "since", "", "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)")
	f.StringVar(&until, "until", "", "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)")
	f.IntVar(&o.Index, "index", 0, "index of the container if service has multiple replicas")
	return cmd
}

// parseLogTime reads --since and --until as docker does: a duration back from now
// ("42m"), an RFC 3339 time or date, or Unix seconds. "" is no bound.
func parseLogTime(flag, v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, time.Local); err == nil {
			return t, nil
		}
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		return time.Unix(0, int64(secs*1e9)), nil
	}
	return time.Time{}, usageError("--%s %q: want a duration (42m), a time (2013-01-02T13:23:37Z) or Unix seconds", flag, v)
}
