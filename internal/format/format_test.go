package format

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) time.Time { return now.Add(-d) }

func TestStatus(t *testing.T) {
	for _, c := range []struct {
		s    ContainerState
		want string
	}{
		{ContainerState{State: "running", StartedAt: ago(5 * time.Second)}, "Up 5 seconds"},
		{ContainerState{State: "running", StartedAt: ago(300 * time.Millisecond)}, "Up Less than a second"},
		{ContainerState{State: "running", Health: "healthy", StartedAt: ago(2 * time.Minute)}, "Up 2 minutes (healthy)"},
		{ContainerState{State: "running", Health: "unhealthy", StartedAt: ago(3 * time.Hour)}, "Up 3 hours (unhealthy)"},
		{ContainerState{State: "running", Health: "starting", StartedAt: ago(time.Second)}, "Up 1 second (health: starting)"},
		{ContainerState{State: "running", StartedAt: ago(70 * time.Second)}, "Up About a minute"},
		{ContainerState{State: "exited", FinishedAt: ago(3 * time.Second)}, "Exited (0) 3 seconds ago"},
		{ContainerState{State: "exited", ExitCode: 137, FinishedAt: ago(3 * 24 * time.Hour)}, "Exited (137) 3 days ago"},
		{ContainerState{State: "created"}, "Created"},
		// Times not known are left out, not counted from 1970.
		{ContainerState{State: "running", Health: "healthy"}, "Up (healthy)"},
		{ContainerState{State: "exited", ExitCode: 2}, "Exited (2)"},
		{ContainerState{State: "restarting", ExitCode: 1}, "Restarting (1)"},
		{ContainerState{State: "restarting", ExitCode: 1, FinishedAt: ago(2 * time.Second)}, "Restarting (1) 2 seconds ago"},
		// Paused says so, and not its health, as docker.
		{ContainerState{State: "paused", Health: "healthy", StartedAt: ago(4 * time.Second)}, "Up 4 seconds (Paused)"},
	} {
		if got := Status(c.s, now); got != c.want {
			t.Errorf("Status(%+v) = %q, want %q", c.s, got, c.want)
		}
	}
}

func TestPorts(t *testing.T) {
	for _, c := range []struct {
		ps   []Publisher
		want string
	}{
		{nil, ""},
		{[]Publisher{{TargetPort: 6379, Protocol: "tcp"}}, "6379/tcp"},
		{[]Publisher{{URL: "0.0.0.0", TargetPort: 80, PublishedPort: 8080, Protocol: "tcp"}}, "0.0.0.0:8080->80/tcp"},
		{[]Publisher{{URL: "::", TargetPort: 80, PublishedPort: 8080, Protocol: "tcp"}}, "[::]:8080->80/tcp"},
		{[]Publisher{
			{URL: "0.0.0.0", TargetPort: 8001, PublishedPort: 8001, Protocol: "tcp"},
			{URL: "0.0.0.0", TargetPort: 8000, PublishedPort: 8000, Protocol: "tcp"},
			{URL: "0.0.0.0", TargetPort: 8002, PublishedPort: 8002, Protocol: "tcp"},
			{URL: "0.0.0.0", TargetPort: 53, PublishedPort: 53, Protocol: "udp"},
		}, "0.0.0.0:53->53/udp, 0.0.0.0:8000-8002->8000-8002/tcp"},
	} {
		if got := Ports(c.ps); got != c.want {
			t.Errorf("Ports(%+v) = %q, want %q", c.ps, got, c.want)
		}
	}
}

func row(trunc bool) ContainerRow {
	return NewContainerRow(ContainerInfo{
		ID: "0123456789abcdef0123", Name: "p-web-1", Image: "nginx", Command: "nginx -g 'daemon off;' --long",
		Project: "p", Service: "web", Created: ago(2 * time.Minute),
		ContainerState: ContainerState{State: "running", Health: "healthy", StartedAt: ago(time.Minute + 50*time.Second)},
		Labels:         map[string]string{"b": "2", "a": "1"},
		Publishers:     []Publisher{{URL: "0.0.0.0", TargetPort: 80, PublishedPort: 8080, Protocol: "tcp"}},
		Mounts:         []string{"p_data", "/srv/some/long/host/path"}, LocalVolumes: 1, Networks: []string{"p_default", "p_back"},
	}, now, trunc)
}

func TestContainerRowJSON(t *testing.T) {
	var b bytes.Buffer
	if err := PsListing.Write(&b, "json", []ContainerRow{row(true), row(false)}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("json: want one object per line, got %q", b.String())
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range got {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	// docker compose's keys, and berth's Created beside them.
	want := []string{"Command", "Created", "CreatedAt", "ExitCode", "Health", "ID", "Image", "Labels", "LocalVolumes",
		"Mounts", "Name", "Names", "Networks", "Ports", "Project", "Publishers", "RunningFor", "Service", "Size", "State", "Status"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
	for k, v := range map[string]any{
		"ID": "0123456789ab", "Command": `"nginx -g 'daemon of…"`, "CreatedAt": "2026-03-01 11:58:00 +0000 UTC",
		"RunningFor": "2 minutes ago", "State": "running", "Status": "Up About a minute (healthy)", "Health": "healthy",
		"ExitCode": 0.0, "Labels": "a=1,b=2", "LocalVolumes": "1", "Mounts": "p_data,/srv/some/long…",
		"Networks": "p_default,p_back", "Ports": "0.0.0.0:8080->80/tcp", "Size": "0B", "Created": float64(ago(2 * time.Minute).Unix()),
	} {
		if got[k] != v {
			t.Errorf("%s = %#v, want %#v", k, got[k], v)
		}
	}
	pub, _ := json.Marshal(got["Publishers"])
	if string(pub) != `[{"Protocol":"tcp","PublishedPort":8080,"TargetPort":80,"URL":"0.0.0.0"}]` /* keys sorted by the map */ {
		t.Errorf("Publishers %s", pub)
	}
	if err := json.Unmarshal([]byte(lines[1]), &got); err != nil || got["ID"] != "0123456789abcdef0123" || got["Command"] != `"nginx -g 'daemon off;' --long"` {
		t.Errorf("--no-trunc: %v %v", got, err)
	}
}

func TestListingTemplates(t *testing.T) {
	rows := []ContainerRow{row(true)}
	for _, c := range []struct{ spec, want string }{
		{"{{.Name}} {{.State}}", "p-web-1 running\n"},
		{`{{.Name}}\t{{.Label "b"}}`, "p-web-1\t2\n"},
		{"{{json .Publishers}}", `[{"URL":"0.0.0.0","TargetPort":80,"PublishedPort":8080,"Protocol":"tcp"}]` + "\n"},
		{"{{upper .Service}}", "WEB\n"},
		{`table {{.Name}}\t{{.Label "com.example.some_key"}}`, "NAME      SOME KEY\np-web-1   \n"},
		// docker's columns: at least 10 wide, 3 spaces apart.
		{`table {{.Name}}\t{{.Status}}`, "NAME      STATUS\np-web-1   Up About a minute (healthy)\n"},
		{"", "NAME      IMAGE     COMMAND                  SERVICE   CREATED         STATUS                        PORTS\n" +
			"p-web-1   nginx     \"nginx -g 'daemon of…\"   web       2 minutes ago   Up About a minute (healthy)   0.0.0.0:8080->80/tcp\n"},
	} {
		var b bytes.Buffer
		if err := PsListing.Write(&b, c.spec, rows); err != nil {
			t.Errorf("%q: %v", c.spec, err)
			continue
		}
		if b.String() != c.want {
			t.Errorf("%q:\n got %q\nwant %q", c.spec, b.String(), c.want)
		}
	}
	if err := PsListing.Check("{{.Name"); err == nil {
		t.Error("an unclosed action passed Check")
	}
	var b bytes.Buffer
	if err := PsListing.Write(&b, "{{.Nope}}", rows); err == nil || b.Len() != 0 {
		t.Errorf("an unknown field: %v, wrote %q", err, b.String())
	}
}
