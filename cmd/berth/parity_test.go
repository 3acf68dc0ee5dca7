package main

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// parityEntry is a line of testdata/parity.txt: a docker compose verb ("up"), a
// global flag ("--dry-run"), or a verb's flag ("up --wait"), with its shorthand,
// and the reason berth lacks it when it is marked "# absent: reason".
type parityEntry struct {
	line            int
	verb, flag, abb string
	absent          string
}

func readParity(t *testing.T) []parityEntry {
	t.Helper()
	f, err := os.Open("testdata/parity.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []parityEntry
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		text, comment, _ := strings.Cut(sc.Text(), "#")
		fields := strings.Fields(text)
		if len(fields) == 0 {
			continue
		}
		e := parityEntry{line: n}
		if a, ok := strings.CutPrefix(strings.TrimSpace(comment), "absent:"); ok {
			if e.absent = strings.TrimSpace(a); e.absent == "" {
				t.Errorf("parity.txt:%d: absent without a reason", n)
			}
		}
		if !strings.HasPrefix(fields[0], "--") {
			e.verb, fields = fields[0], fields[1:]
		}
		if len(fields) > 0 {
			e.flag = strings.TrimPrefix(fields[0], "--")
		}
		if len(fields) > 1 {
			e.abb = strings.TrimPrefix(fields[1], "-")
		}
		if len(fields) > 2 {
			t.Errorf("parity.txt:%d: more than VERB --FLAG -S", n)
		}
		out = append(out, e)
	}
	return out
}

// TestDockerComposeParity fails when berth lacks a verb or flag of docker compose
// that testdata/parity.txt does not mark absent with a reason, and when one marked
// absent "not yet" is in fact there (the mark is stale).
func TestDockerComposeParity(t *testing.T) {
	root := newRootCommand(nil)
	verbs := map[string]*cobra.Command{}
	for _, c := range root.Commands() {
		verbs[c.Name()] = c
		for _, a := range c.Aliases {
			verbs[a] = c
		}
	}
	has := func(e parityEntry) bool {
		if e.verb == "" { // a global flag
			f := root.PersistentFlags().Lookup(e.flag)
			return f != nil && (e.abb == "" || f.Shorthand == e.abb || globalShortNames[e.abb] == "--"+e.flag)
		}
		c, ok := verbs[e.verb]
		if !ok {
			return false
		}
		if e.flag == "" {
			return true
		}
		var f *pflag.Flag
		if f = c.LocalFlags().Lookup(e.flag); f == nil {
			return false
		}
		return e.abb == "" || f.Shorthand == e.abb
	}
	entries := readParity(t)
	if len(entries) < 200 {
		t.Fatalf("parity.txt has %d entries: docker compose has more verbs and flags than that", len(entries))
	}
	missing := 0
	for _, e := range entries {
		name := strings.TrimSpace(e.verb + " --" + e.flag)
		if e.flag == "" {
			name = e.verb
		}
		switch present := has(e); {
		case !present && e.absent == "":
			t.Errorf("parity.txt:%d: berth has no %s (docker compose has it); add it, or mark it # absent: reason", e.line, name)
		case present && strings.HasPrefix(e.absent, "not yet"):
			t.Errorf("parity.txt:%d: berth has %s now: drop its absent mark", e.line, name)
		case !present:
			missing++
		}
	}
	t.Logf("%d of docker compose's %d verbs and flags marked absent", missing, len(entries))
}

// TestReadmeListsParityVerbs: every docker compose verb of testdata/parity.txt that
// berth has is in the README's command list (its "Commands:" paragraph), written
// `verb` or `verb …` (or `berth verb`).
func TestReadmeListsParityVerbs(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, list, ok := strings.Cut(string(readme), "\nCommands: ")
	if !ok {
		t.Fatal("README.md has no paragraph starting with \"Commands: \"")
	}
	list, _, _ = strings.Cut(list, "\n\n")
	for _, e := range readParity(t) {
		if e.verb == "" || e.flag != "" || e.absent != "" {
			continue
		}
		if !strings.Contains(list, "`"+e.verb+"`") && !strings.Contains(list, "`"+e.verb+" ") && !strings.Contains(list, "`berth "+e.verb) {
			t.Errorf("README.md's command list lacks %s, which berth has (parity.txt:%d)", e.verb, e.line)
		}
	}
}
