package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newCommitCommand(g *globals) *cobra.Command {
	var o compose.CommitOptions
	cmd := projectVerb(g, "commit [OPTIONS] SERVICE REPOSITORY[:TAG]", "Create a new image from a service container's changes", false,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			// containerd keeps images by name only: docker's nameless image has no
			// place in its store.
			if len(args) < 2 {
				return usageError("commit %s: give the new image a name, REPOSITORY[:TAG]: berth keeps images by name", args[0])
			}
			o.Service, o.Ref = args[0], args[1]
			return e.Commit(ctx, p, o)
		})
	cmd.Args = cobra.RangeArgs(1, 2)
	f := cmd.Flags()
	f.IntVar(&o.Index, "index", 0, "Index of the container if the service has several replicas")
	f.StringVarP(&o.Author, "author", "a", "", `Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")`)
	f.StringArrayVarP(&o.Changes, "change", "c", nil, "Apply Dockerfile instruction to the created image")
	f.StringVarP(&o.Message, "message", "m", "", "Commit message")
	f.BoolVarP(&o.Pause, "pause", "p", true, "Pause container during commit")
	return cmd
}
