package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// Ceiling is the rate at which this PostgreSQL server commits single-row INSERTs: with
// fsync on, each commit waits for the WAL to reach the disk, so this is the most any
// design that commits once per write could reach. Parallel connections share WAL
// flushes (group commit) and show how much concurrency buys.
type Ceiling struct {
	Seconds           float64 `json:"seconds"`
	CommitsPerSecond  float64 `json:"commits_per_s"`
	Connections       int     `json:"parallel_connections"`
	ParallelPerSecond float64 `json:"parallel_commits_per_s"`
	SynchronousCommit string  `json:"synchronous_commit"`
	Fsync             string  `json:"fsync"`
	WALSyncMethod     string  `json:"wal_sync_method"`
}

// ceilingConnections matches the product's pool: pgxpool's default of max(4, cores).
const ceilingConnections = 4

// commitCeiling runs the tight INSERT loop, first on one connection, then on
// ceilingConnections at once, in a database of its own.
func (r *runner) commitCeiling(ctx context.Context) (Ceiling, error) {
	_, dbURL, err := r.createDatabase(ctx, "")
	if err != nil {
		return Ceiling{}, err
	}
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return Ceiling{}, err
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	c := Ceiling{Seconds: seconds(r.cfg.CeilingDuration), Connections: ceilingConnections}
	for name, dst := range map[string]*string{"synchronous_commit": &c.SynchronousCommit, "fsync": &c.Fsync, "wal_sync_method": &c.WALSyncMethod} {
		_ = conn.QueryRow(ctx, "SELECT current_setting($1)", name).Scan(dst)
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE commit_ceiling (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), payload text NOT NULL)`); err != nil {
		return c, err
	}
	n, err := insertLoop(ctx, conn, r.cfg.CeilingDuration)
	if err != nil {
		return c, err
	}
	c.CommitsPerSecond = rate(float64(n), r.cfg.CeilingDuration)
	r.progress("ceiling: %d commits in %s on 1 connection: %.0f/s", n, r.cfg.CeilingDuration, c.CommitsPerSecond)

	var total atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, ceilingConnections)
	for range ceilingConnections {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pc, err := pgx.Connect(ctx, dbURL)
			if err != nil {
				errs <- err
				return
			}
			defer func() { _ = pc.Close(context.WithoutCancel(ctx)) }()
			n, err := insertLoop(ctx, pc, r.cfg.CeilingDuration)
			total.Add(n)
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return c, fmt.Errorf("parallel commits: %w", err)
	}
	c.ParallelPerSecond = rate(float64(total.Load()), r.cfg.CeilingDuration)
	r.progress("ceiling: %d commits in %s on %d connections: %.0f/s", total.Load(), r.cfg.CeilingDuration, ceilingConnections, c.ParallelPerSecond)
	return c, nil
}

// insertLoop commits one single-row INSERT after the other (autocommit) for d.
func insertLoop(ctx context.Context, conn *pgx.Conn, d time.Duration) (int64, error) {
	var n int64
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		if _, err := conn.Exec(ctx, `INSERT INTO commit_ceiling (payload) VALUES ($1)`, "application/2016/520322 seq 1"); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
