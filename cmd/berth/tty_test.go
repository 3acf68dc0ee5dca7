package main

import (
	"testing"

	"github.com/spf13/cobra"
)

func TestStdioFlags(t *testing.T) {
	cases := []struct {
		args               []string
		stdinTerm, outTerm bool
		wantTTY, wantStdin bool
		wantErr            bool
	}{
		{nil, true, true, true, true, false},
		{nil, true, false, false, true, false}, // output to a file: no TTY, as docker compose
		{nil, false, true, false, true, false}, // piped stdin: no TTY to give
		{[]string{"-it"}, true, true, true, true, false},
		{[]string{"-it"}, true, false, true, true, false}, // -t asks for one
		{[]string{"-it"}, false, false, false, true, false},
		{[]string{"-T"}, true, true, false, true, false},
		{[]string{"--no-TTY"}, true, true, false, true, false},
		{[]string{"--no-tty=false"}, true, false, true, true, false},
		{[]string{"-i=false"}, true, true, true, false, false},
		{[]string{"-t", "-T"}, true, true, false, false, true},
	}
	for _, c := range cases {
		var s stdioFlags
		cmd := &cobra.Command{Use: "x", RunE: func(*cobra.Command, []string) error { return nil }}
		s.add(cmd)
		if err := cmd.ParseFlags(c.args); err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		tty, in, err := s.resolve(cmd, c.stdinTerm, c.outTerm)
		if (err != nil) != c.wantErr || err == nil && (tty != c.wantTTY || in != c.wantStdin) {
			t.Errorf("%v (stdin terminal %v, stdout terminal %v): tty %v, stdin %v, err %v; want tty %v, stdin %v, error %v",
				c.args, c.stdinTerm, c.outTerm, tty, in, err, c.wantTTY, c.wantStdin, c.wantErr)
		}
	}
}
