package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/guizhou-commerce/selection/store"
)

// devJWTSecret signs tokens when JWT_SECRET is unset in development (`run`, `token`,
// `demo`). The API process refuses to start without a real secret.
const devJWTSecret = "dev-only-secret-do-not-use-in-production"

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
	{"HTTP_ADDR", ":8080", []string{"run", "api", "healthcheck"}, "listen address of the API and console"},
	{"JWT_SECRET", "", []string{"run", "api", "token", "demo"}, "HS256 secret of the tokens; required by `api`, a loud development default elsewhere"},
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
	JWTSecret           string
	DataDir             string
	FrontendAddr        string
	UIAddr              string
	TemporalPersistence string
	LogFormat           string
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
		JWTSecret:           env("JWT_SECRET"),
		DataDir:             env("DATA_DIR"),
		FrontendAddr:        env("TEMPORAL_FRONTEND_ADDR"),
		UIAddr:              env("TEMPORAL_UI_ADDR"),
		TemporalPersistence: env("TEMPORAL_PERSISTENCE"),
		LogFormat:           env("LOG_FORMAT"),
	}
	c.DatabaseURLSet = os.Getenv("DATABASE_URL") != ""
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
	return c, nil
}

func (c config) logger(w io.Writer) *slog.Logger {
	if c.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}
