package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/guizhou-commerce/selection/bench"
	"github.com/guizhou-commerce/selection/worker"
)

// runBench is `selection bench`: it measures the engine on this machine against the
// embedded Temporal server and a real PostgreSQL (DATABASE_URL's server, else the local
// one on 127.0.0.1:5432), prints a table and writes the figures as JSON, so capacity
// claims in BENCHMARKS.md can be re-checked with one command.
func runBench(ctx context.Context, args []string) error {
	def := bench.DefaultConfig()
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	n := fs.Int("n", def.N, "applications driven through the whole lifecycle; sizes the other steps unless their flags are given")
	bursts := fs.String("burst", "", `comma-separated sizes of the deadline burst, "" for none (default n,10n; --quick: n)`)
	httpSamples := fs.Int("http-samples", 0, "round trips per path of the HTTP overhead step (default n/5, --quick: n/10; at least 10)")
	ceiling := fs.Duration("ceiling", def.CeilingDuration, "how long the commit-ceiling loop runs per connection count (--quick: 1s)")
	persistence := fs.String("persistence", strings.Join(def.Persistence, ","), "Temporal persistences for the lifecycle and the national deadline: sqlite,postgres (bursts use the first)")
	national := fs.Bool("national", def.National, "the national deadline: every province's campaign of one year (about 2,850 cases) sharing one deadline, on each persistence (--quick: off)")
	out := fs.String("out", filepath.Join("bench", "results.json"), "where to write the JSON results")
	quick := fs.Bool("quick", false, "a small run (n=100, one burst of 100) that still exercises every step; flags given explicitly override it")
	concurrency := fs.Int("concurrency", def.Concurrency, "Updates the driver keeps in flight")
	profileDir := fs.String("profile-dir", "", "write one CPU profile per step into this directory")
	sticky := fs.Duration("sticky-timeout", worker.DefaultStickyScheduleToStart, "the workers' sticky schedule-to-start timeout (WORKER_STICKY_TIMEOUT)")
	cacheSize := fs.Int("cache-size", worker.DefaultCacheSize, "workflows the process caches between tasks (WORKER_CACHE_SIZE)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := def
	if *quick {
		cfg = bench.QuickConfig()
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if set["n"] {
		cfg.Size(*n)
	}
	if set["burst"] {
		b, err := parseInts(*bursts)
		if err != nil {
			return fmt.Errorf("--burst: %w", err)
		}
		cfg.Bursts = b
	}
	if set["http-samples"] {
		cfg.HTTPSamples = *httpSamples
	}
	if set["ceiling"] {
		cfg.CeilingDuration = *ceiling
	}
	if set["national"] {
		cfg.National = *national
	}
	cfg.Persistence = strings.Split(*persistence, ",")
	cfg.Concurrency = *concurrency
	cfg.ProfileDir = *profileDir
	cfg.Worker = worker.Tuning{StickyScheduleToStart: *sticky, CacheSize: *cacheSize}
	cfg.Progress = os.Stderr
	cfg.Province = env("PROVINCE")
	cfg.ServerURL = bench.DefaultServerURL
	if u := os.Getenv("DATABASE_URL"); u != "" {
		cfg.ServerURL = u
	}

	res, err := bench.Run(ctx, cfg)
	if res != nil {
		if werr := writeJSON(*out, res); werr != nil && err == nil {
			err = werr
		}
	}
	if err != nil {
		return err
	}
	fmt.Println()
	if err := bench.WriteTable(os.Stdout, res); err != nil {
		return err
	}
	fmt.Printf("\nresults written to %s\n", *out)
	return nil
}

func writeJSON(path string, res *bench.Results) error {
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func parseInts(s string) ([]int, error) {
	out := []int{} // "" is no burst, written as [] rather than null
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("%q is not a positive number", f)
		}
		out = append(out, v)
	}
	return out, nil
}
