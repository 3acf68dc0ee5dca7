package main

import (
	"strings"

	"github.com/spf13/cobra"

	"berth.dev/berth/compose"
	"berth.dev/berth/internal/format"
)

// newNetworkCommand manages networks outside projects, which compose files can use
// as external networks.
func newNetworkCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "network", Short: "Manage networks"}
	var spec string
	var quiet bool
	ls := engineVerb(g, "ls [OPTIONS]", "List networks", cobra.NoArgs, func(cmd *cobra.Command, e *compose.Engine, args []string) error {
		rows, err := e.NetworkLs(cmd.Context())
		if err != nil {
			return err
		}
		return render(cmd, format.NetworkListing, spec, quiet, rows)
	})
	formatFlag(ls, &spec)
	ls.Flags().BoolVarP(&quiet, "quiet", "q", false, "Only display network names")

	var n compose.NetworkSpec
	var labels, aux, opts []string
	create := engineVerb(g, "create [OPTIONS] NETWORK", "Create a network", cobra.ExactArgs(1), func(cmd *cobra.Command, e *compose.Engine, args []string) error {
		n.Name, n.Labels, n.AuxAddresses, n.Options = args[0], keyValues(labels), keyValues(aux), keyValues(opts)
		return e.NetworkCreate(cmd.Context(), n)
	})
	f := create.Flags()
	f.StringArrayVar(&n.Subnets, "subnet", nil, "Subnet in CIDR format, one per address family (default: one that collides with nothing)")
	f.StringArrayVar(&n.Gateways, "gateway", nil, "Gateway of the subnet of its address family")
	f.StringArrayVar(&n.IPRanges, "ip-range", nil, "Allocate container addresses from a sub-range of the subnet of its family")
	f.StringArrayVar(&aux, "aux-address", nil, "Address the network must not give to a container (NAME=IP)")
	f.BoolVar(&n.IPv6, "ipv6", false, "Give the network an IPv6 subnet too")
	f.StringArrayVarP(&opts, "opt", "o", nil, "Driver option: com.docker.network.bridge.name or com.docker.network.driver.mtu")
	f.BoolVar(&n.Internal, "internal", false, "Restrict external access to the network")
	f.StringArrayVar(&labels, "label", nil, "Set metadata on a network")

	inspect := engineVerb(g, "inspect NETWORK...", "Display detailed information on networks", cobra.MinimumNArgs(1), func(cmd *cobra.Command, e *compose.Engine, args []string) error {
		rows, err := e.NetworkInspect(cmd.Context(), args)
		if err != nil {
			return err
		}
		return format.Inspect(cmd.OutOrStdout(), rows)
	})
	rm := engineVerb(g, "rm NETWORK...", "Remove networks", cobra.MinimumNArgs(1), func(cmd *cobra.Command, e *compose.Engine, args []string) error {
		return e.NetworkRm(cmd.Context(), args)
	})
	cmd.AddCommand(ls, create, inspect, rm)
	return cmd
}

// newVolumeCommand manages volumes outside projects.
func newVolumeCommand(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "volume", Short: "Manage volumes"}
	var spec string
	var quiet, force bool
	ls := engineVerb(g, "ls [OPTIONS]", "List volumes", cobra.NoArgs, func(cmd *cobra.Command, e *compose.Engine, args []string) error {
		rows, err := e.VolumeLs(cmd.Context())
		if err != nil {
			return err
		}
		return render(cmd, format.VolumeListing, spec, quiet, rows)
	})
	formatFlag(ls, &spec)
	ls.Flags().BoolVarP(&quiet, "quiet", "q", false, "Only display volume names")

	var labels []string
	create := engineVerb(g, "create [OPTIONS] VOLUME", "Create a volume", cobra.ExactArgs(1), func(cmd *cobra.Command, e *compose.Engine, args []string) error {
		return e.VolumeCreate(cmd.Context(), compose.Volume{Name: args[0], Labels: keyValues(labels)})
	})
	create.Flags().StringArrayVar(&labels, "label", nil, "Set metadata for a volume")
	inspect := engineVerb(g, "inspect VOLUME...", "Display detailed information on volumes", cobra.MinimumNArgs(1), func(cmd *cobra.Command, e *compose.Engine, args []string) error {
		rows, err := e.VolumeInspect(cmd.Context(), args)
		if err != nil {
			return err
		}
		return format.Inspect(cmd.OutOrStdout(), rows)
	})
	rm := engineVerb(g, "rm [OPTIONS] VOLUME...", "Remove volumes", cobra.MinimumNArgs(1), func(cmd *cobra.Command, e *compose.Engine, args []string) error {
		return e.VolumeRm(cmd.Context(), args, force)
	})
	rm.Flags().BoolVarP(&force, "force", "f", false, "Remove volumes even when containers use them")
	cmd.AddCommand(ls, create, inspect, rm)
	return cmd
}

// engineVerb makes a command that needs the engine but no project.
func engineVerb(g *globals, use, short string, args cobra.PositionalArgs, fn func(*cobra.Command, *compose.Engine, []string) error) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  args,
		RunE: func(cmd *cobra.Command, a []string) error {
			e, done, err := g.engine()
			if err != nil {
				return err
			}
			defer done()
			return fn(cmd, e, a)
		},
	}
}

// keyValues reads repeated KEY=VALUE flags.
func keyValues(kvs []string) map[string]string {
	if len(kvs) == 0 {
		return nil
	}
	out := map[string]string{}
	for _, kv := range kvs {
		k, v, _ := strings.Cut(kv, "=")
		out[k] = v
	}
	return out
}
