package main

import (
	"errors"
	"io"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"berth.dev/berth/compose"
)

// stdioFlags are exec's and run's -i, -t and -T, read as docker compose reads them:
// stdin attached unless -i=false, a TTY by default when berth has a terminal to give
// it, -t asks for one, -T refuses one.
type stdioFlags struct {
	interactive bool
	tty         bool
	noTTY       bool
}

func (s *stdioFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVarP(&s.interactive, "interactive", "i", true, "Keep STDIN open even if not attached")
	f.BoolVarP(&s.tty, "tty", "t", true, "Allocate a pseudo-TTY")
	f.BoolVarP(&s.noTTY, "no-tty", "T", false, "Disable pseudo-TTY allocation (default: auto-detected)")
	// -t and -i are docker's muscle memory: on by default, so not worth listing.
	_ = f.MarkHidden("tty")
	f.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if name == "no-TTY" { // docker compose's older spelling
			name = "no-tty"
		}
		return pflag.NormalizedName(name)
	})
}

// resolve picks the process's stdio: whether it gets a TTY, and whether stdin is
// attached, given whether berth's own stdin and stdout are terminals.
func (s *stdioFlags) resolve(cmd *cobra.Command, stdinTerm, stdoutTerm bool) (tty, interactive bool, err error) {
	f := cmd.Flags()
	want := stdoutTerm // docker compose's default: a TTY when the output goes to one
	switch {
	case f.Changed("tty") && f.Changed("no-tty"):
		return false, false, errors.New("--tty and --no-tty can't be used together")
	case f.Changed("tty"):
		want = s.tty
	case f.Changed("no-tty"):
		want = !s.noTTY
	}
	// docker compose refuses -t on a piped stdin ("the input device is not a TTY");
	// berth gives the process no TTY instead, so `-it` in a script still works, as
	// docker compose's run does when the flags are left at their defaults.
	return want && stdinTerm, s.interactive, nil
}

// stdio is the process's standard streams from the flags and berth's own.
func (s *stdioFlags) stdio(cmd *cobra.Command) (compose.Stdio, error) {
	tty, interactive, err := s.resolve(cmd, term.IsTerminal(int(os.Stdin.Fd())), term.IsTerminal(int(os.Stdout.Fd())))
	if err != nil {
		return compose.Stdio{}, err
	}
	var in io.Reader
	if interactive {
		in = os.Stdin
	}
	return compose.Stdio{In: in, Out: os.Stdout, Err: os.Stderr, TTY: tty}, nil
}
