package main

import (
	"context"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
)

func newPublishCommand(g *globals) *cobra.Command {
	var o compose.PublishOptions
	cmd := projectVerb(g, "publish [OPTIONS] REPOSITORY[:TAG]", "Publish the compose application to a registry as an OCI artifact", false,
		func(ctx context.Context, cmd *cobra.Command, e *compose.Engine, p *types.Project, args []string) error {
			o.Repository, o.Version = args[0], buildVersion()
			return e.Publish(ctx, p, o)
		})
	cmd.Args = cobra.ExactArgs(1)
	f := cmd.Flags()
	f.StringVar(&o.OCIVersion, "oci-version", "", "OCI image/artifact specification version (1.0 or 1.1; automatically determined by default)")
	f.BoolVar(&o.ResolveImageDigests, "resolve-image-digests", false, "Pin image tags to digests")
	f.BoolVar(&o.WithEnv, "with-env", false, "Include environment variables in the published OCI artifact")
	f.BoolVarP(&o.Yes, "yes", "y", false, `Assume "yes" as answer to all prompts`)
	f.BoolVar(&o.App, "app", false, "Published compose application (includes referenced images)")
	return cmd
}
