package format

// The listings of ls, images and stats, with docker compose's default columns and
// titles.
var (
	LsListing = Listing{
		Table:   "table {{.Name}}\t{{.Status}}\t{{.ConfigFiles}}",
		Headers: map[string]string{"ConfigFiles": "CONFIG FILES"},
	}
	ImagesListing = Listing{
		Table:   "table {{.ContainerName}}\t{{.Repository}}\t{{.Tag}}\t{{.ID}}",
		Headers: map[string]string{"ContainerName": "CONTAINER", "ID": "IMAGE ID"},
	}
	StatsListing = Listing{
		Table: "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}",
		Headers: map[string]string{"ID": "CONTAINER ID", "CPUPerc": "CPU %", "MemUsage": "MEM USAGE / LIMIT",
			"MemPerc": "MEM %", "NetIO": "NET I/O", "BlockIO": "BLOCK I/O", "PIDs": "PIDS"},
	}
)
