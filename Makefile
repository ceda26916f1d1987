# The README's two commands are `make run` and `make test`; both set up what they need.
GO ?= go
BIN := bin/selection

.PHONY: run test build vet lint

build:
	$(GO) build -o $(BIN) ./cmd/selection

# `selection run` finds or starts PostgreSQL itself (DATABASE_URL, 127.0.0.1:5432, or a
# private cluster under DATA_DIR).
run: build
	./$(BIN) run

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

test: vet lint
	./scripts/ensure-postgres.sh
	$(GO) test -count=1 -timeout 20m ./...

lint:
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 ./...

# `selection bench` measures the engine on this machine against the embedded Temporal
# server and the local PostgreSQL (DATABASE_URL's server when set); BENCHMARKS.md quotes
# one run. About a quarter of an hour; `./bin/selection bench --quick` takes under two minutes (about 80 s on 2 cores).
.PHONY: bench
bench: build
	./scripts/ensure-postgres.sh
	./$(BIN) bench
