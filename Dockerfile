# Multi-stage build of the one binary: a static executable on a distroless base,
# running as a non-root user. The same image serves `worker`, `api` and `migrate`.
FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/selection ./cmd/selection

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/selection /usr/local/bin/selection
USER nonroot:nonroot
# The binary listens on loopback unless told otherwise; in a container only every
# interface is reachable through a published port.
ENV HTTP_ADDR=:8080
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/selection"]
CMD ["api"]
