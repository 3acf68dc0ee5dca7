package format

import (
	"bytes"
	"errors"
	"testing"
	"time"
)

// renderCase is one call of Render and the bytes it must write.
type renderCase struct {
	name    string
	listing Listing
	spec    string
	quiet   bool
	rows    any
	want    string
}

func TestRender(t *testing.T) {
	created := time.Date(2026, 3, 1, 11, 0, 0, 0, time.UTC)
	projects := []ProjectRow{{Name: "alpha", Status: "running(2)", ConfigFiles: "/srv/alpha/compose.yaml"},
		{Name: "b", Status: "exited(1), running(1)", ConfigFiles: "/b.yaml"}}
	images := []ImageRow{{ContainerName: "p-web-1", Repository: "nginx", Tag: "1.27", ID: "0123456789ab"},
		{ContainerName: "p-web-2", Repository: "nginx", Tag: "1.27", ID: "0123456789ab"},
		{ContainerName: "p-db-1", Repository: "127.0.0.1:5050/pg", Tag: "16", ID: "fedcba987654"}}
	stats := []StatsRow{{ID: "0123456789ab", Name: "p-web-1", Container: "p-web-1", CPUPerc: "1.50%",
		MemUsage: "10MiB / 1GiB", MemPerc: "0.98%", NetIO: "1kB / 2kB", BlockIO: "0B / 0B", PIDs: "3"}}
	event := []EventRow{{Action: "die", Attributes: map[string]string{"name": "p-web-1", "image": "nginx", "exitCode": "1"},
		ID: "abc", Service: "web", Time: time.Date(2026, 3, 1, 11, 0, 0, 5000, time.UTC), Type: "container"}}
	networks := []NetworkRow{{Name: "p_default", Driver: "bridge", Subnet: "10.1.0.0/24", Project: "p", Created: created,
		IPAM: IPAM{Config: []Pool{{Subnet: "10.1.0.0/24", Gateway: "10.1.0.1"}}}, Labels: map[string]string{},
		Options: map[string]string{"com.docker.network.bridge.name": "br-1"}},
		{Name: "shared", Driver: "bridge", Subnet: "10.200.0.0/24"}}
	volumes := []VolumeRow{{Name: "p_data", Driver: "local", Project: "p", Mountpoint: "/v/p_data", Created: created,
		Labels: map[string]string{"k": "v"}}, {Name: "cache", Driver: "local"}}
	for _, c := range []renderCase{
		{"ps quiet: whole IDs", PsListing, "", true, []ContainerRow{row(false)}, "0123456789abcdef0123\n"},
		{"ps services", PsServicesListing, "", true, []ContainerRow{row(true), row(true)}, "web\n"},
		{"ps template", PsListing, "{{.Service}}:{{.Ports}}", false, []ContainerRow{row(true)}, "web:0.0.0.0:8080->80/tcp\n"},

		{"ls table", LsListing, "table", false, projects, "NAME      STATUS                  CONFIG FILES\n" +
			"alpha     running(2)              /srv/alpha/compose.yaml\nb         exited(1), running(1)   /b.yaml\n"},
		{"ls json: one array", LsListing, "json", false, projects,
			`[{"Name":"alpha","Status":"running(2)","ConfigFiles":"/srv/alpha/compose.yaml"},{"Name":"b","Status":"exited(1), running(1)","ConfigFiles":"/b.yaml"}]` + "\n"},
		{"ls json of none: an empty array", LsListing, "json", false, []ProjectRow(nil), "[]\n"},
		{"ls template", LsListing, "{{.Name}}={{.Status}}", false, projects, "alpha=running(2)\nb=exited(1), running(1)\n"},
		{"ls quiet", LsListing, "json", true, projects, "alpha\nb\n"},

		{"images table", ImagesListing, "", false, images[2:], "CONTAINER   REPOSITORY          TAG       IMAGE ID\n" +
			"p-db-1      127.0.0.1:5050/pg   16        fedcba987654\n"},
		{"images json", ImagesListing, "json", false, images[:1],
			`[{"ContainerName":"p-web-1","Repository":"nginx","Tag":"1.27","ID":"0123456789ab"}]` + "\n"},
		{"images template", ImagesListing, "{{.Repository}}:{{.Tag}}", false, images[2:], "127.0.0.1:5050/pg:16\n"},
		{"images quiet: each image once", ImagesListing, "", true, images, "0123456789ab\nfedcba987654\n"},

		{"stats table", StatsListing, "", false, stats, "CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O     BLOCK I/O   PIDS\n" +
			"0123456789ab   p-web-1   1.50%     10MiB / 1GiB        0.98%     1kB / 2kB   0B / 0B     3\n"},
		{"stats json: one object a line", StatsListing, "json", false, stats,
			`{"BlockIO":"0B / 0B","CPUPerc":"1.50%","Container":"p-web-1","ID":"0123456789ab","Name":"p-web-1","MemUsage":"10MiB / 1GiB","MemPerc":"0.98%","NetIO":"1kB / 2kB","PIDs":"3"}` + "\n"},
		{"stats template", StatsListing, "{{.Name}} {{.CPUPerc}}", false, stats, "p-web-1 1.50%\n"},

		{"events line", EventsListing, "", false, event,
			time.Date(2026, 3, 1, 11, 0, 0, 5000, time.UTC).Local().Format("2006-01-02 15:04:05.000000") +
				" container die abc (exitCode=1, image=nginx, name=p-web-1)\n"},
		{"events json", EventsListing, "json", false, event,
			`{"action":"die","attributes":{"exitCode":"1","image":"nginx","name":"p-web-1"},"id":"abc","service":"web","time":"2026-03-01T11:00:00.000005Z","type":"container"}` + "\n"},
		{"events template", EventsListing, "{{.Service}} {{.Action}}", false, event, "web die\n"},

		// Columns as wide as their cells: berth's network and volume tables.
		{"network table", NetworkListing, "", false, networks, "NAME        DRIVER   SUBNET          PROJECT\n" +
			"p_default   bridge   10.1.0.0/24     p\nshared      bridge   10.200.0.0/24   \n"},
		{"network json: docker's fields, none of the table's own", NetworkListing, "json", false, networks[:1],
			`{"Created":"2026-03-01T11:00:00Z","Driver":"bridge","EnableIPv6":false,"IPAM":{"Config":[{"Gateway":"10.1.0.1","Subnet":"10.1.0.0/24"}]},"Internal":false,"Labels":{},"Name":"p_default","Options":{"com.docker.network.bridge.name":"br-1"}}` + "\n"},
		{"network template", NetworkListing, "{{.Name}} {{.Subnet}}", false, networks, "p_default 10.1.0.0/24\nshared 10.200.0.0/24\n"},
		{"network quiet", NetworkListing, "", true, networks, "p_default\nshared\n"},

		{"volume table", VolumeListing, "table", false, volumes, "DRIVER   VOLUME NAME   PROJECT\nlocal    p_data        p\nlocal    cache         \n"},
		{"volume json", VolumeListing, "json", false, volumes[:1],
			`{"Created":"2026-03-01T11:00:00Z","Driver":"local","Labels":{"k":"v"},"Mountpoint":"/v/p_data","Name":"p_data"}` + "\n"},
		{"volume template", VolumeListing, "{{.Name}}@{{.Mountpoint}}", false, volumes[:1], "p_data@/v/p_data\n"},
		{"volume quiet", VolumeListing, "table", true, volumes, "p_data\ncache\n"},
	} {
		var b bytes.Buffer
		if err := c.listing.Render(&b, c.spec, c.quiet, c.rows); err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if b.String() != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, b.String(), c.want)
		}
	}
}

func TestRenderBadFormat(t *testing.T) {
	var b bytes.Buffer
	err := ImagesListing.Render(&b, "{{.ID", false, []ImageRow{{ID: "x"}})
	if !errors.Is(err, ErrFormat) || b.Len() != 0 {
		t.Errorf("an unclosed action: %v, wrote %q", err, b.String())
	}
}

func TestInspect(t *testing.T) {
	members := map[string]Endpoint{"abc": {IPv4Address: "10.1.0.2/24", MacAddress: "aa:bb", Name: "p-web-1"}}
	none := map[string]Endpoint{}
	for _, c := range []struct {
		name string
		rows []NetworkRow
		want string
	}{
		{"none", nil, "[]\n"},
		{"no member: an empty Containers", []NetworkRow{{Name: "n", Containers: &none}}, `[
    {
        "Containers": {},
        "Created": "0001-01-01T00:00:00Z",
        "Driver": "",
        "EnableIPv6": false,
        "IPAM": {
            "Config": null
        },
        "Internal": false,
        "Labels": null,
        "Name": "n",
        "Options": null
    }
]
`},
		{"members by container ID", []NetworkRow{{Name: "n", Driver: "bridge", Containers: &members, Labels: map[string]string{}}}, `[
    {
        "Containers": {
            "abc": {
                "IPv4Address": "10.1.0.2/24",
                "IPv6Address": "",
                "MacAddress": "aa:bb",
                "Name": "p-web-1"
            }
        },
        "Created": "0001-01-01T00:00:00Z",
        "Driver": "bridge",
        "EnableIPv6": false,
        "IPAM": {
            "Config": null
        },
        "Internal": false,
        "Labels": {},
        "Name": "n",
        "Options": null
    }
]
`},
	} {
		var b bytes.Buffer
		if err := Inspect(&b, c.rows); err != nil {
			t.Fatal(err)
		}
		if b.String() != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, b.String(), c.want)
		}
	}
}

func TestTop(t *testing.T) {
	var b bytes.Buffer
	err := Top(&b, []Processes{
		{Container: "p-web-1", Titles: []string{"UID", "PID", "CMD"}, Rows: [][]string{{"root", "4242", "nginx: master"}, {"101", "4300", "nginx: worker"}}},
		{Container: "p-db-1", Titles: []string{"UID", "PID", "CMD"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "p-web-1\nUID    PID    CMD\nroot   4242   nginx: master\n101    4300   nginx: worker\n\n" +
		"p-db-1\nUID   PID   CMD\n\n"
	if b.String() != want {
		t.Errorf("got %q\nwant %q", b.String(), want)
	}
}
