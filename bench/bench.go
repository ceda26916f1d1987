// Package bench measures what the selection engine costs on one machine, so capacity
// questions ("can one box run a province? ten?") are answered with figures instead of
// guesses: the throughput of the full lifecycle against a bare-Temporal floor, what the
// HTTP edge adds to an Update, how late a deadline fires when thousands of cases share
// it, what idle cases cost in memory and rows, and how close the read model comes to
// PostgreSQL's commit ceiling. `selection bench` runs it against the embedded Temporal
// server and a real PostgreSQL server; every database it creates is dropped at the end.
package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/guizhou-commerce/selection/worker"
)

// DefaultServerURL is the PostgreSQL server of dev machines (trust auth), used when
// DATABASE_URL is unset. Only the server is taken from it: the bench works in databases
// of its own.
const DefaultServerURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Config says what to measure and how hard.
type Config struct {
	// Province is the province whose reference data every campaign uses, all its
	// counties eligible: the deployment's PROVINCE. It has no default.
	Province string `json:"province"`
	// N is the number of applications of the lifecycle step; Size derives the other
	// sizes from it.
	N int `json:"n"`
	// Bursts are the sizes of the deadline burst step, one run each; none skips it.
	Bursts []int `json:"bursts"`
	// National runs the national deadline on every persistence: every province's
	// campaign of one year (all their counties) sharing one deadline.
	National bool `json:"national"`
	// Persistence lists the Temporal persistences the lifecycle and the national
	// deadline run on; the bursts use the first.
	Persistence []string `json:"persistence"`
	// ServerURL names the PostgreSQL server (any database on it); the bench creates
	// selection_bench_<random>[_<step>] databases there and drops them at the end.
	ServerURL string `json:"-"`
	// Concurrency is how many Updates the driver keeps in flight; at most
	// PerWorkflow go to one campaign (the server refuses more than 10 per workflow).
	Concurrency int `json:"concurrency"`
	PerWorkflow int `json:"per_workflow"`
	// HTTPSamples is the number of round trips per path of the HTTP overhead step.
	// (The floor needs no size of its own: it replays the lifecycle's Updates.)
	HTTPSamples int `json:"http_samples"`
	// CeilingDuration is how long the commit-ceiling loop runs per connection count.
	CeilingDuration time.Duration `json:"ceiling_duration_ns"`
	// Warmup is the number of cases each warm-up campaign prepares before a step; the
	// warm-up's rate sets the step's shared deadline so that it falls after the setup.
	Warmup int `json:"warmup"`
	// Worker is the workers' tuning (WORKER_STICKY_TIMEOUT, WORKER_CACHE_SIZE); zero
	// fields keep the product's defaults.
	Worker worker.Tuning `json:"worker"`
	// Publicity is the campaigns' publicity period in the lifecycle step.
	Publicity time.Duration `json:"publicity_ns"`
	// ProfileDir, when set, receives one CPU profile per step (<step>.pprof).
	ProfileDir string `json:"-"`
	// Quick marks the small run of `--quick` and of the package's test.
	Quick bool `json:"quick"`
	// Progress receives progress lines of long steps; nil discards them.
	Progress io.Writer `json:"-"`
}

// DefaultConfig is the full run of `selection bench`: 1,000 applications, bursts of
// 1,000 and 10,000.
func DefaultConfig() Config {
	c := Config{
		Persistence: []string{PersistenceSQLite, PersistencePostgres},
		ServerURL:   DefaultServerURL, Concurrency: 32, PerWorkflow: 8,
		CeilingDuration: 3 * time.Second, Warmup: 16, Publicity: 2 * time.Second, National: true,
	}
	c.Size(1000)
	return c
}

// QuickConfig is the run of `--quick` and of the package's test: 100 applications and
// one burst of 100, under two minutes for both persistences on two cores, and every
// step but the national deadline (its 2,850 cases alone take minutes; --national adds
// it). Its warm-up is one full round of PerWorkflow cases per campaign, so the
// warm-up's rate (which sets the shared deadlines) is taken at the step's concurrency.
func QuickConfig() Config {
	c := DefaultConfig()
	c.Quick, c.National = true, false
	c.CeilingDuration, c.Warmup, c.Publicity = time.Second, c.PerWorkflow, time.Second
	c.Size(100)
	return c
}

// Size sets N to n and every size that follows from it, so that one number sizes the
// whole run: bursts of n and 10n (the quick run: one of n) and n/5 HTTP round trips
// per path (the quick run: n/10), at least 10. Callers override any of them after.
func (c *Config) Size(n int) {
	c.N = n
	if c.Quick {
		c.Bursts, c.HTTPSamples = []int{n}, max(10, n/10)
		return
	}
	c.Bursts, c.HTTPSamples = []int{n, 10 * n}, max(10, n/5)
}

// Results is everything one run measured; `selection bench` writes it as JSON and
// prints it as a table.
type Results struct {
	StartedAt time.Time      `json:"started_at"`
	Seconds   float64        `json:"seconds"`
	Machine   Machine        `json:"machine"`
	Config    Config         `json:"config"`
	Ceiling   Ceiling        `json:"commit_ceiling"`
	Lifecycle []Lifecycle    `json:"lifecycle"`
	HTTP      []HTTPOverhead `json:"http_overhead"`
	Bursts    []Burst        `json:"deadline_bursts"`
	National  []Burst        `json:"national_deadline,omitempty"`
	// PersistenceRatio is the lifecycle's applications/s on PostgreSQL persistence over
	// SQLite's, when both ran.
	PersistenceRatio float64  `json:"postgres_over_sqlite"`
	Notes            []string `json:"notes"`
}

// runner carries what every step shares: the server, the databases to drop, progress,
// the province's reference data.
type runner struct {
	cfg       Config
	admin     *pgx.Conn // on the server, for CREATE/DROP DATABASE
	serverURL *url.URL
	prefix    string
	mu        sync.Mutex
	databases []string
	errLog    *slog.Logger
	logLevel  *slog.LevelVar
	out       io.Writer
	res       *Results
	ref       *reference
}

// Run measures everything cfg asks for. Databases and temporary directories it creates
// are removed before it returns, also on error or cancellation.
func Run(ctx context.Context, cfg Config) (_ *Results, err error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	ref, err := newReference(cfg.Province)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(cfg.ServerURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, fmt.Errorf("PostgreSQL server URL %q is not a postgres:// URL", cfg.ServerURL)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	r := &runner{cfg: cfg, serverURL: u, prefix: "selection_bench_" + hex.EncodeToString(b[:]), out: cfg.Progress, ref: ref}
	if r.out == nil {
		r.out = io.Discard
	}
	// Errors only: the server and SDK warn about what a benchmark provokes on purpose
	// (large histories, sticky-queue timeouts), which would bury the progress lines.
	r.logLevel = new(slog.LevelVar)
	r.logLevel.Set(slog.LevelError)
	r.errLog = slog.New(slog.NewTextHandler(r.out, &slog.HandlerOptions{Level: r.logLevel}))
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	r.admin, err = pgx.Connect(cctx, cfg.ServerURL)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL at %s: %w (set DATABASE_URL, or start the local server)", u.Host, err)
	}
	defer r.dropDatabases()

	res := &Results{StartedAt: time.Now(), Machine: readMachine(), Config: cfg}
	r.res = res
	_ = r.admin.QueryRow(ctx, "SHOW server_version").Scan(&res.Machine.PostgreSQL)
	r.progress("bench: %d cores, %s, PostgreSQL %s at %s; databases %s*", res.Machine.Cores, res.Machine.GoVersion, res.Machine.PostgreSQL, u.Host, r.prefix)
	bursts := "no burst"
	if len(cfg.Bursts) > 0 {
		bursts = fmt.Sprintf("bursts of %s on %s", joinInts(cfg.Bursts), cfg.Persistence[0])
	}
	r.progress("bench: lifecycle of %d applications on %s, %d HTTP round trips per path; %s; commit ceiling %s per connection count",
		cfg.N, strings.Join(cfg.Persistence, " and "), cfg.HTTPSamples, bursts, cfg.CeilingDuration)
	whole := sampleCPU()

	if err := r.step("ceiling", func() error {
		res.Ceiling, err = r.commitCeiling(ctx)
		return err
	}); err != nil {
		return res, err
	}
	for _, p := range cfg.Persistence {
		if err := r.step("lifecycle-"+p, func() error {
			lc, h, err := r.lifecycleStep(ctx, p)
			if err != nil {
				return err
			}
			res.Lifecycle = append(res.Lifecycle, lc)
			res.HTTP = append(res.HTTP, h)
			return nil
		}); err != nil {
			return res, err
		}
	}
	for _, n := range cfg.Bursts {
		if err := r.step(fmt.Sprintf("burst-%d", n), func() error {
			bu, err := r.burstStep(ctx, cfg.Persistence[0], n)
			if err != nil {
				return err
			}
			res.Bursts = append(res.Bursts, bu)
			return nil
		}); err != nil {
			return res, err
		}
	}
	if cfg.National {
		for _, p := range cfg.Persistence {
			if err := r.step("national-"+p, func() error {
				nb, err := r.nationalStep(ctx, p)
				if err != nil {
					return err
				}
				res.National = append(res.National, nb)
				return nil
			}); err != nil {
				return res, err
			}
		}
	}
	r.finish(whole)
	return res, nil
}

func (c *Config) validate() error {
	if c.Province == "" {
		return errors.New("the province is required (PROVINCE): the bench's campaigns use its reference data")
	}
	if c.N < 1 {
		return errors.New("--n must be at least 1")
	}
	for _, n := range c.Bursts {
		if n < 1 {
			return fmt.Errorf("--burst %d: each size must be at least 1", n)
		}
	}
	if len(c.Persistence) == 0 {
		return errors.New("--persistence must name sqlite, postgres or both")
	}
	for _, p := range c.Persistence {
		if p != PersistenceSQLite && p != PersistencePostgres {
			return fmt.Errorf("--persistence %q: want sqlite or postgres", p)
		}
	}
	if c.Concurrency < 1 || c.PerWorkflow < 1 || c.PerWorkflow > 10 {
		return errors.New("concurrency must be at least 1 and per-workflow concurrency 1–10 (the server's in-flight Update limit)")
	}
	if c.HTTPSamples < 1 {
		return errors.New("--http-samples must be at least 1")
	}
	if c.CeilingDuration <= 0 {
		return errors.New("--ceiling must be positive")
	}
	if c.Warmup < 1 || c.Publicity <= 0 {
		return errors.New("warm-up size and publicity period must be positive")
	}
	if c.ServerURL == "" {
		c.ServerURL = DefaultServerURL
	}
	return nil
}

// step runs one measured step, with its CPU profile when asked for.
func (r *runner) step(name string, f func() error) error {
	start := time.Now()
	r.progress("== %s", name)
	if r.cfg.ProfileDir != "" {
		if err := os.MkdirAll(r.cfg.ProfileDir, 0o755); err != nil {
			return err
		}
		pf, err := os.Create(filepath.Join(r.cfg.ProfileDir, name+".pprof"))
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if err := f(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	r.progress("== %s done in %s", name, time.Since(start).Round(time.Millisecond))
	return nil
}

func (r *runner) finish(whole cpuSample) {
	res := r.res
	res.Seconds = seconds(time.Since(res.StartedAt))
	res.Machine.LoadAvgEnd = loadAvg()
	res.Machine.OtherCPU = cpuSince(whole).OtherCores
	var sqlite, pg float64
	for _, l := range res.Lifecycle {
		switch l.Persistence {
		case PersistenceSQLite:
			sqlite = l.AppsPerSecond
		case PersistencePostgres:
			pg = l.AppsPerSecond
		}
	}
	res.PersistenceRatio = ratio(pg, sqlite)
	if res.Machine.LoadAvgStart[0] > 0.5 || res.Machine.OtherCPU > 0.25 {
		res.Notes = append(res.Notes, fmt.Sprintf("the machine was shared: load average %.2f at the start, other processes (PostgreSQL included) used %.2f cores on average",
			res.Machine.LoadAvgStart[0], res.Machine.OtherCPU))
	}
}

func (r *runner) progress(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.out, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

// createDatabase creates prefix_suffix (or prefix for an empty suffix) and returns its
// name and URL; it is dropped when the run ends.
func (r *runner) createDatabase(ctx context.Context, suffix string) (string, string, error) {
	name := r.prefix
	if suffix != "" {
		name += "_" + strings.ReplaceAll(suffix, "-", "_")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, err := r.admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", "", fmt.Errorf("create database %s: %w", name, err)
	}
	r.databases = append(r.databases, name)
	u := *r.serverURL
	u.Path, u.RawPath = "/"+name, ""
	return name, u.String(), nil
}

// dropDatabases removes every database of the run, connections or not. Each DROP
// DATABASE waits for a checkpoint of the whole server, seconds when other work has
// filled its buffers, so the drops run at once, each on a connection of its own, and
// share their checkpoints.
func (r *runner) dropDatabases() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r.mu.Lock()
	dbs := slices.Clone(r.databases)
	r.mu.Unlock()
	start := time.Now()
	var wg sync.WaitGroup
	for _, name := range dbs {
		wg.Go(func() {
			conn, err := pgx.Connect(ctx, r.cfg.ServerURL)
			if err == nil {
				_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
				_ = conn.Close(ctx)
			}
			if err != nil {
				r.progress("bench: drop database %s: %v", name, err)
			}
		})
	}
	wg.Wait()
	r.progress("bench: dropped %d databases in %s", len(dbs), time.Since(start).Round(time.Millisecond))
	_ = r.admin.Close(ctx)
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ", ")
}
