package main

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/guizhou-commerce/selection/store"
)

// devJWTSecret signs tokens when JWT_SECRET is unset in development (`run`, `token`).
// The API process refuses to start without a real secret.
const devJWTSecret = "dev-only-secret-do-not-use-in-production"

// config is the environment of every subcommand, read and validated once.
type config struct {
	TemporalAddress     string // TEMPORAL_ADDRESS: the cluster of `worker` and `api`
	TemporalNamespace   string // TEMPORAL_NAMESPACE
	DatabaseURL         string // DATABASE_URL
	DatabaseURLSet      bool
	HTTPAddr            string // HTTP_ADDR
	JWTSecret           string // JWT_SECRET
	DataDir             string // DATA_DIR: the embedded server's files (`run`)
	FrontendAddr        string // TEMPORAL_FRONTEND_ADDR (`run`)
	UIAddr              string // TEMPORAL_UI_ADDR (`run`)
	TemporalPersistence string // TEMPORAL_PERSISTENCE: sqlite or postgres (`run`)
	LogFormat           string // LOG_FORMAT: json or text
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

func loadConfig() (config, error) {
	c := config{
		TemporalAddress:     env("TEMPORAL_ADDRESS", "127.0.0.1:7233"),
		TemporalNamespace:   env("TEMPORAL_NAMESPACE", "default"),
		DatabaseURL:         env("DATABASE_URL", store.DefaultURL),
		HTTPAddr:            env("HTTP_ADDR", ":8080"),
		JWTSecret:           os.Getenv("JWT_SECRET"),
		DataDir:             env("DATA_DIR", ".data"),
		FrontendAddr:        env("TEMPORAL_FRONTEND_ADDR", "127.0.0.1:7233"),
		UIAddr:              env("TEMPORAL_UI_ADDR", "127.0.0.1:8233"),
		TemporalPersistence: env("TEMPORAL_PERSISTENCE", "sqlite"),
		LogFormat:           env("LOG_FORMAT", "json"),
	}
	_, c.DatabaseURLSet = os.LookupEnv("DATABASE_URL")
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
	if strings.EqualFold(c.LogFormat, "text") {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}
