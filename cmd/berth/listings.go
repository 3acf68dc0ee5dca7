package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"berth.dev/berth/internal/format"
	"berth.dev/berth/project"
)

// The listing verbs get rows from the engine and print them here, each as its
// listing in internal/format says: a table, JSON, a Go template or --quiet's keys.

// formatFlag is the --format of a listing verb.
func formatFlag(cmd *cobra.Command, spec *string) {
	cmd.Flags().StringVar(spec, "format", "table", "Format the output: table, json, or a Go template (table TEMPLATE for a table of it)")
}

// render writes rows to the command's output as l prints them.
func render(cmd *cobra.Command, l format.Listing, spec string, quiet bool, rows any) error {
	return invalidFormat(l.Render(cmd.OutOrStdout(), spec, quiet, rows))
}

// checkFormat refuses a --format that is no template before any row is made.
func checkFormat(l format.Listing, spec string) error {
	return invalidFormat(l.Check(spec))
}

// invalidFormat makes a --format that is no template a mistake of the command line.
func invalidFormat(err error) error {
	if errors.Is(err, format.ErrFormat) {
		return fmt.Errorf("%w: %w", project.ErrInvalid, err)
	}
	return err
}
