package main

import (
	"time"

	"github.com/spf13/cobra"
)

// timeoutFlag is -t/--timeout: seconds to wait for a stop before killing; unset
// keeps each service's stop_grace_period.
type timeoutFlag struct{ seconds int }

func (t *timeoutFlag) add(cmd *cobra.Command) {
	cmd.Flags().IntVarP(&t.seconds, "timeout", "t", 10, "Seconds to wait for containers to stop before killing them")
}

func (t *timeoutFlag) value(cmd *cobra.Command) *time.Duration {
	if !cmd.Flags().Changed("timeout") {
		return nil
	}
	d := time.Duration(t.seconds) * time.Second
	return &d
}
