// Command selection runs the provincial selection of rural e-commerce demonstration
// counties: one binary, one subcommand per process role (DESIGN.md §6).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

const usage = `selection — the provincial selection of e-commerce demonstration counties

Usage:
  selection run        everything in one process: embedded Temporal (+ Web UI), worker, API
  selection worker     the Temporal worker only (production)
  selection api        the HTTP API only (production)
  selection migrate    apply the PostgreSQL migrations and seed reference data
  selection token      mint a JWT: --role R --region CODE [--sub NAME] [--ttl 24h]
  selection healthcheck  exit 0 when the local API answers /readyz (container health check)
  selection bench      measure throughput, latency and footprint on this machine (BENCHMARKS.md)
  selection demo       play a compressed 2016 campaign against a running server [--speed 1d=4s]

Configuration comes from the environment; see README.md.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmds := map[string]func(context.Context, []string) error{
		"run": runAll, "worker": runWorker, "api": runAPI, "migrate": runMigrate,
		"token": runToken, "demo": runDemo, "healthcheck": runHealthcheck, "bench": runBench,
	}
	name := os.Args[1]
	cmd, ok := cmds[name]
	if !ok {
		if name == "-h" || name == "--help" || name == "help" {
			fmt.Print(usage)
			return
		}
		fmt.Fprintf(os.Stderr, "selection: unknown command %q\n\n%s", name, usage)
		os.Exit(2)
	}
	if err := cmd(ctx, os.Args[2:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintf(os.Stderr, "selection %s: %v\n", name, err)
		os.Exit(1)
	}
}
