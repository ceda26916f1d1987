package main

import (
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/worker"
	"github.com/guizhou-commerce/selection/workflows"
)

// devJWTSecret signs tokens when JWT_SECRET is unset in development (`run` on a
// loopback address, `token`, `demo`). It is in the source for anyone to read, so the API
// process refuses it, and so does `run` when it listens beyond this machine.
const devJWTSecret = "dev-only-secret-do-not-use-in-production"

// minJWTSecret is the shortest secret a process reachable from the network accepts:
// HS256 tokens can be tested against guessed secrets offline, as fast as hashing goes,
// so the secret needs the 256 bits of the hash.
const minJWTSecret = 32

// setting is one environment variable the binary reads. The table below is the single
// list: configuration is read from it, and tests check the README and the compose file
// against it.
type setting struct {
	Name     string
	Default  string
	Commands []string // the subcommands that read it
	Doc      string
}

var settings = []setting{
	{"TEMPORAL_ADDRESS", "127.0.0.1:7233", []string{"worker", "api"}, "Temporal frontend (host:port) of the cluster"},
	{"TEMPORAL_NAMESPACE", "default", []string{"run", "worker", "api"}, "Temporal namespace"},
	{"DATABASE_URL", store.DefaultURL, []string{"run", "worker", "api", "migrate"}, "PostgreSQL URL; the database is created when missing"},
	{"PROVINCE", "520000", []string{"run", "api", "token", "bench"}, "the deployment's province (GB/T 2260 code, with reference data in domain/data): its officials' regions, and the province of a campaign created without one"},
	{"HTTP_ADDR", "127.0.0.1:8080", []string{"run", "api", "healthcheck"}, "listen address of the API and console; this machine only unless set (\":8080\" for every interface)"},
	{"JWT_SECRET", "", []string{"run", "api", "token", "demo"}, "HS256 secret of the tokens, at least 32 bytes; required by `api` and by `run` beyond loopback, a loud development default (with the console's role picker) for `run` on loopback"},
	{"HTTP_MAX_CONNS_PER_CLIENT", "64", []string{"run", "api"}, "connections one client (RATE_LIMIT_KEY's prefix of its address) may hold open at once; more are answered 503 and closed; TRUSTED_PROXIES are exempt"},
	{"TRUSTED_PROXIES", "none", []string{"run", "api"}, "comma-separated CIDRs of the reverse proxies whose X-Forwarded-For names the client; none: only the connection's address counts"},
	{"RATE_LIMIT_KEY", "ip/32/64", []string{"run", "api"}, "ip/V4/V6: a client is its address cut to V4 bits (IPv4) or V6 bits (IPv6), for the objection rate limit and the connection cap; ip/24/48 makes a whole /24 or /48 one client"},
	{"OBJECTIONS_OPEN_PER_COUNTY", "200", []string{"run", "api"}, "objections awaiting a decision one county may have; more are refused (409 R10) until some are decided"},
	{"OBJECTIONS_OPEN_PER_CONTACT", "5", []string{"run", "api"}, "objections awaiting a decision one contact (normalised) may have in a campaign"},
	{"CAMPAIGN_UPDATES_PER_RUN", "1000", []string{"run", "api"}, "Updates a campaign workflow run accepts before it continues as new (Temporal allows 2,000 per run); fixed into each campaign when it is created"},
	{"CASE_SIGNALS_PER_RUN", "1000", []string{"run", "api"}, "transitions an application workflow run takes in before it continues as new; fixed into each campaign when it is created"},
	{"TEMPORAL_SUGGEST_CAN_EVENTS", "4096", []string{"run"}, "history events at which the embedded Temporal server suggests continue-as-new (the campaign and cases follow it)"},
	{"TEMPORAL_SUGGEST_CAN_BYTES", "4194304", []string{"run"}, "history bytes at which the embedded Temporal server suggests continue-as-new"},
	{"WORKER_STICKY_TIMEOUT", "5s", []string{"run", "worker"}, "how long a workflow task waits for the worker that holds the workflow in its cache before any worker takes it and replays the history (Go duration)"},
	{"WORKER_CACHE_SIZE", "10000", []string{"run", "worker"}, "workflows the worker process keeps in memory between tasks; an evicted one is replayed from its history at its next task"},
	{"LOG_FORMAT", "json", []string{"run", "worker", "api", "migrate"}, "json or text"},
	{"DATA_DIR", ".data", []string{"run"}, "files of the embedded Temporal server (SQLite)"},
	{"TEMPORAL_FRONTEND_ADDR", "127.0.0.1:7233", []string{"run"}, "gRPC frontend of the embedded Temporal server"},
	{"TEMPORAL_UI_ADDR", "127.0.0.1:8233", []string{"run"}, "Temporal Web UI of the embedded server; empty to disable"},
	{"TEMPORAL_PERSISTENCE", "sqlite", []string{"run"}, "sqlite (file under DATA_DIR) or postgres (the DATABASE_URL database)"},
}

// config is the environment of every subcommand, read and validated once.
type config struct {
	TemporalAddress     string
	TemporalNamespace   string
	DatabaseURL         string
	DatabaseURLSet      bool
	HTTPAddr            string
	Province            string
	JWTSecret           string
	DataDir             string
	FrontendAddr        string
	UIAddr              string
	TemporalPersistence string
	LogFormat           string
	MaxConnsPerClient   int
	TrustedProxies      []netip.Prefix
	ClientPrefix        api.ClientPrefix
	// ObjectionsPerCounty and ObjectionsPerContact cap open objections (R10).
	ObjectionsPerCounty  int
	ObjectionsPerContact int
	// Limits are fixed into each campaign the API creates.
	Limits workflows.Limits
	// SuggestCANEvents and SuggestCANBytes tune the embedded Temporal server.
	SuggestCANEvents int
	SuggestCANBytes  int
	// Worker is how the worker keeps workflows in memory between their tasks.
	Worker worker.Tuning
}

// env reads a setting of the table, with its default when unset. An empty value
// counts as set only for TEMPORAL_UI_ADDR, where it turns the UI off.
func env(name string) string {
	for _, s := range settings {
		if s.Name != name {
			continue
		}
		v, ok := os.LookupEnv(name)
		if !ok || (v == "" && name != "TEMPORAL_UI_ADDR") {
			return s.Default
		}
		return v
	}
	panic("unknown setting " + name)
}

func loadConfig() (config, error) {
	c := config{
		TemporalAddress:     env("TEMPORAL_ADDRESS"),
		TemporalNamespace:   env("TEMPORAL_NAMESPACE"),
		DatabaseURL:         env("DATABASE_URL"),
		HTTPAddr:            env("HTTP_ADDR"),
		Province:            env("PROVINCE"),
		JWTSecret:           env("JWT_SECRET"),
		DataDir:             env("DATA_DIR"),
		FrontendAddr:        env("TEMPORAL_FRONTEND_ADDR"),
		UIAddr:              env("TEMPORAL_UI_ADDR"),
		TemporalPersistence: env("TEMPORAL_PERSISTENCE"),
		LogFormat:           env("LOG_FORMAT"),
	}
	c.DatabaseURLSet = os.Getenv("DATABASE_URL") != ""
	if _, err := domain.Current(c.Province); err != nil {
		return c, fmt.Errorf("PROVINCE: %v", err)
	}
	switch c.TemporalPersistence {
	case "sqlite", "postgres":
	default:
		return c, fmt.Errorf("TEMPORAL_PERSISTENCE must be sqlite or postgres, got %q", c.TemporalPersistence)
	}
	switch c.LogFormat {
	case "json", "text":
	default:
		return c, fmt.Errorf("LOG_FORMAT must be json or text, got %q", c.LogFormat)
	}
	n, err := strconv.Atoi(env("HTTP_MAX_CONNS_PER_CLIENT"))
	if err != nil || n < 1 {
		return c, fmt.Errorf("HTTP_MAX_CONNS_PER_CLIENT must be a whole number from 1, got %q", env("HTTP_MAX_CONNS_PER_CLIENT"))
	}
	c.MaxConnsPerClient = n
	if c.TrustedProxies, err = parseTrustedProxies(env("TRUSTED_PROXIES")); err != nil {
		return c, err
	}
	if c.ClientPrefix, err = parseClientPrefix(env("RATE_LIMIT_KEY")); err != nil {
		return c, err
	}
	for _, n := range []struct {
		name string
		to   *int
	}{
		{"OBJECTIONS_OPEN_PER_COUNTY", &c.ObjectionsPerCounty}, {"OBJECTIONS_OPEN_PER_CONTACT", &c.ObjectionsPerContact},
		{"CAMPAIGN_UPDATES_PER_RUN", &c.Limits.UpdatesPerRun}, {"CASE_SIGNALS_PER_RUN", &c.Limits.SignalsPerRun},
		{"TEMPORAL_SUGGEST_CAN_EVENTS", &c.SuggestCANEvents}, {"TEMPORAL_SUGGEST_CAN_BYTES", &c.SuggestCANBytes},
		{"WORKER_CACHE_SIZE", &c.Worker.CacheSize},
	} {
		v, err := strconv.Atoi(env(n.name))
		if err != nil || v < 1 {
			return c, fmt.Errorf("%s must be a whole number from 1, got %q", n.name, env(n.name))
		}
		*n.to = v
	}
	sticky, err := time.ParseDuration(env("WORKER_STICKY_TIMEOUT"))
	if err != nil || sticky < time.Second {
		return c, fmt.Errorf("WORKER_STICKY_TIMEOUT must be a Go duration of at least 1s, got %q", env("WORKER_STICKY_TIMEOUT"))
	}
	c.Worker.StickyScheduleToStart = sticky
	if c.Limits.UpdatesPerRun > maxUpdatesPerRun {
		return c, fmt.Errorf("CAMPAIGN_UPDATES_PER_RUN must leave room under Temporal's 2,000 Updates per run: at most %d, got %d", maxUpdatesPerRun, c.Limits.UpdatesPerRun)
	}
	return c, nil
}

// maxUpdatesPerRun leaves a run room for the Updates admitted while it drains before
// continuing as new, under Temporal's limit of 2,000.
const maxUpdatesPerRun = 1800

// parseTrustedProxies reads TRUSTED_PROXIES: "none", or CIDRs (a bare address is its own
// network) separated by commas.
func parseTrustedProxies(v string) ([]netip.Prefix, error) {
	if v == "none" {
		return nil, nil
	}
	var out []netip.Prefix
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("TRUSTED_PROXIES must be none or comma-separated CIDRs such as 10.0.0.0/8, got %q", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// parseClientPrefix reads RATE_LIMIT_KEY, ip/V4/V6.
func parseClientPrefix(v string) (api.ClientPrefix, error) {
	bad := fmt.Errorf("RATE_LIMIT_KEY must be ip/V4/V6 with 1 ≤ V4 ≤ 32 and 1 ≤ V6 ≤ 128 (e.g. ip/32/64), got %q", v)
	parts := strings.Split(v, "/")
	if len(parts) != 3 || parts[0] != "ip" {
		return api.ClientPrefix{}, bad
	}
	v4, err4 := strconv.Atoi(parts[1])
	v6, err6 := strconv.Atoi(parts[2])
	if err4 != nil || err6 != nil || v4 < 1 || v4 > 32 || v6 < 1 || v6 > 128 {
		return api.ClientPrefix{}, bad
	}
	return api.ClientPrefix{IPv4: v4, IPv6: v6}, nil
}

func (c config) logger(w io.Writer) *slog.Logger {
	if c.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}
