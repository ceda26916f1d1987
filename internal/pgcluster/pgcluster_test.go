package pgcluster

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestPrivateCluster initialises a cluster in a temporary directory, connects to it,
// finds it again while it runs (a restarted process after kill -9), and stops it.
func TestPrivateCluster(t *testing.T) {
	if _, _, err := Binaries(); err != nil {
		t.Fatalf("the PostgreSQL server binaries are part of this machine's set-up: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := t.TempDir()
	// As root the server runs as postgres, which must be able to reach the directory.
	for _, d := range []string{filepath.Dir(base), base} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	dir := filepath.Join(base, "pg")
	c, err := Start(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Stop() })
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	var one int
	if err := conn.QueryRow(ctx, "select 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("select 1: %v %d", err, one)
	}
	_ = conn.Close(ctx)
	again, err := Start(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if again.Addr() != c.Addr() || again.started {
		t.Fatalf("a running cluster is found again: %s vs %s (started %v)", again.Addr(), c.Addr(), again.started)
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
}
