# berth — see README.md. Targets run as root on Debian.
GO        ?= go
BIN       := bin/berth
GOFLAGS_B := -trimpath
# A static binary: the resolver task and the log driver run it outside any rootfs
# of the host's libraries.
export CGO_ENABLED := 0

.PHONY: all build test unit e2e setup images demo bench vet fmt clean docs

all: build

build:
	$(GO) build $(GOFLAGS_B) -o $(BIN) ./cmd/berth
	$(GO) build $(GOFLAGS_B) -o bin/berth-logdriver ./cmd/berth-logdriver
	$(GO) build $(GOFLAGS_B) -o bin/berth-agent ./cmd/berth-agent
	# The Kubernetes verbs (client-go), which berth runs from beside it: cmd/berth/kubeexec.go.
	$(GO) build $(GOFLAGS_B) -tags kube -o bin/berth-kube ./cmd/berth

setup:
	scripts/setup

images: setup
	e2e/images/build

vet:
	$(GO) vet ./...
	$(GO) vet -tags kube ./cmd/berth
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt: files above need formatting"; exit 1; }

# The tests that need the Kubernetes control plane (kube/) or BuildKit (e2e/) get the
# binaries scripts/kube-bins and scripts/buildkit-bins build from the pinned modules
# (cached under /var/cache/berth), unless KUBE_BINS or BUILDKIT_BINS name others:
# make test skips none of them.
unit:
	KUBE_BINS=$${KUBE_BINS:-$$(scripts/kube-bins)} $(GO) test ./cmd/... ./project/... ./scheduler/... ./compose/... ./internal/... ./network/... ./kube/...
	CGO_ENABLED=1 $(GO) test -race ./scheduler/...
	# Hostile input, for a bounded number of runs: any compose file, any name from the
	# command line. Counts, not durations: Go's fuzzing coordinator can fail a run with
	# "context deadline exceeded" when a duration ends while a worker is busy (golang/go#75804).
	$(GO) test ./project -run '^$$' -fuzz '^FuzzLoad$$' -fuzztime 20000x -fuzzminimizetime 200x
	$(GO) test ./internal/names -run '^$$' -fuzz '^FuzzCheck$$' -fuzztime 500000x -fuzzminimizetime 1000x

e2e: build images
	BUILDKIT_BINS=$${BUILDKIT_BINS:-$$(scripts/buildkit-bins)} BERTH_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 40m ./e2e/...

# The README's test command: everything, on a real containerd.
test: setup vet unit e2e

# The README's first command: bring up the example and show it answering.
demo: build images
	cd examples/web-redis && ../../$(BIN) up -d
	@for i in $$(seq 1 50); do curl -fsS http://127.0.0.1:8000/ 2>/dev/null && break; sleep 0.2; done
	curl -fsS http://127.0.0.1:8000/
	cd examples/web-redis && ../../$(BIN) ps

# Every figure beside its reference and goal, printed and written to bench/latest.json
# (each package merges its figures into it; removed first so nothing stale stays).
bench: build images
	rm -f bench/latest.json
	BUILDKIT_BINS=$$(scripts/buildkit-bins) BERTH_BIN=$(CURDIR)/$(BIN) $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./e2e/...
	# convert and deploy of a 30-service file on the tier 2 control plane, beside the
	# real kubectl apply (and apply + wait) of the same manifests.
	KUBE_BINS=$$(scripts/kube-bins) $(GO) test -run '^$$' -bench . -benchtime 1x ./kube/

# docs/compatibility.md, from the field tables in project/fields.go.
docs:
	$(GO) test ./project -run TestCompatibilityDocIsCurrent -update

clean:
	rm -rf bin
