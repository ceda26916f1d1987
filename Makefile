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
