package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/guizhou-commerce/selection/store"
)

// TestRunStartsPrivatePostgres: with DATABASE_URL unset and nothing on the probed
// address, `run` starts a private cluster under DATA_DIR and the store opens on it.
func TestRunStartsPrivatePostgres(t *testing.T) {
	base := t.TempDir()
	for _, d := range []string{filepath.Dir(base), base} {
		require.NoError(t, os.Chmod(d, 0o755)) // as root the cluster runs as postgres
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	url, stop, err := localPostgres(ctx, config{DataDir: base}, freeAddr(t), log)
	require.NoError(t, err)
	defer stop()
	require.True(t, strings.HasPrefix(url, "postgres://postgres@127.0.0.1:"), url)
	st, err := store.Open(ctx, url, log)
	require.NoError(t, err)
	st.Close()

	url2, _, err := localPostgres(ctx, config{DataDir: base, DatabaseURL: "postgres://x@db/y", DatabaseURLSet: true}, freeAddr(t), log)
	require.NoError(t, err)
	require.Equal(t, "postgres://x@db/y", url2, "DATABASE_URL wins")
}
