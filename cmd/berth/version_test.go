package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestVersionFormats(t *testing.T) {
	defer func(v string) { version = v }(version)
	version = "v1.2.3"
	run := func(args ...string) (string, error) {
		cmd := newVersionCommand()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs(args)
		err := cmd.Execute()
		return out.String(), err
	}
	cases := []struct {
		args []string
		want string
	}{
		{nil, "berth version v1.2.3\n"},
		{[]string{"--format", "pretty"}, "berth version v1.2.3\n"},
		{[]string{"--short"}, "1.2.3\n"},
		{[]string{"-f", "json"}, `{"version":"v1.2.3"}` + "\n"},
	}
	for _, c := range cases {
		got, err := run(c.args...)
		if err != nil || got != c.want {
			t.Errorf("version %v: %q, %v; want %q", c.args, got, err, c.want)
		}
	}
	got, _ := run("--format", "json")
	var v map[string]string
	if err := json.Unmarshal([]byte(got), &v); err != nil || v["version"] != "v1.2.3" {
		t.Errorf("version --format json is not docker compose's object: %q (%v)", got, err)
	}
	if _, err := run("--format", "yaml"); err == nil || !strings.Contains(err.Error(), "yaml") {
		t.Errorf("version --format yaml: %v, want an error naming it", err)
	}
}
