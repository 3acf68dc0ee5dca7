package main

import "github.com/spf13/cobra"

// checkConflicts refuses flags given together that a table says exclude each other.
func checkConflicts(cmd *cobra.Command, table [][2]string) error {
	for _, pair := range table {
		if cmd.Flags().Changed(pair[0]) && cmd.Flags().Changed(pair[1]) {
			return usageError("--%s and --%s cannot be combined", pair[0], pair[1])
		}
	}
	return nil
}
