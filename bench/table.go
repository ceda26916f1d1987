package bench

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable prints the results the way BENCHMARKS.md quotes them: one block per
// figure, persistences side by side.
func WriteTable(w io.Writer, res *Results) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	m := res.Machine
	fmt.Fprintf(tw, "machine\t%d cores (%s), %.1f GiB, %s, PostgreSQL %s, load %.2f at start / %.2f at end\n",
		m.Cores, m.CPUModel, float64(m.MemoryBytes)/(1<<30), m.GoVersion, m.PostgreSQL, m.LoadAvgStart[0], m.LoadAvgEnd[0])
	for _, n := range res.Notes {
		fmt.Fprintf(tw, "note\t%s\n", n)
	}
	c := res.Ceiling
	fmt.Fprintf(tw, "\nPostgreSQL commit ceiling\t1 connection\t%d connections\n", c.Connections)
	fmt.Fprintf(tw, "  single-row INSERT commits/s\t%.0f\t%.0f\t(fsync=%s, synchronous_commit=%s)\n", c.CommitsPerSecond, c.ParallelPerSecond, c.Fsync, c.SynchronousCommit)

	if len(res.Lifecycle) > 0 {
		l0 := res.Lifecycle[0]
		fmt.Fprintf(tw, "\nLifecycle: %d applications, %d campaigns, %d reach review\t", l0.Applications, l0.Campaigns, l0.Reviewed)
		for _, l := range res.Lifecycle {
			fmt.Fprintf(tw, "%s\t", l.Persistence)
		}
		fmt.Fprintln(tw)
		row := func(label string, f func(Lifecycle) string) {
			fmt.Fprintf(tw, "  %s\t", label)
			for _, l := range res.Lifecycle {
				fmt.Fprintf(tw, "%s\t", f(l))
			}
			fmt.Fprintln(tw)
		}
		row("active s (wall − idle before deadline)", func(l Lifecycle) string {
			return fmt.Sprintf("%.1f (%.1f − %.1f)", l.ActiveSeconds, l.WallSeconds, l.IdleSeconds)
		})
		row("  setup / deadline→reviewing / review→closed s", func(l Lifecycle) string {
			return fmt.Sprintf("%.1f / %.1f / %.1f", l.SetupSeconds, l.DeadlineSeconds, l.ReviewSeconds)
		})
		row("applications/s", func(l Lifecycle) string { return fmt.Sprintf("%.1f", l.AppsPerSecond) })
		row("Updates (per application)", func(l Lifecycle) string {
			return fmt.Sprintf("%d (%.1f)", l.Updates, float64(l.Updates)/float64(l.Applications))
		})
		row("state transitions (workflows)", func(l Lifecycle) string {
			return fmt.Sprintf("%d (%d)", l.StateTransitions, l.Workflows)
		})
		row("  per application (in the case workflows)", func(l Lifecycle) string {
			return fmt.Sprintf("%.1f (%.1f)", float64(l.StateTransitions)/float64(l.Applications), float64(l.CaseTransitions)/float64(l.Applications))
		})
		row("state transitions/s", func(l Lifecycle) string { return fmt.Sprintf("%.0f", l.TransitionsPerSecond) })
		row("floor: bare workflows, same Updates+timers, s", func(l Lifecycle) string { return fmt.Sprintf("%.1f", l.Floor.Seconds) })
		row("floor applications/s equivalent", func(l Lifecycle) string { return fmt.Sprintf("%.1f", l.Floor.AppsPerSecondEquiv) })
		row("floor state transitions/s", func(l Lifecycle) string { return fmt.Sprintf("%.0f", l.Floor.TransitionsPerSecond) })
		row("floor Update p50 ms", func(l Lifecycle) string { return fmt.Sprintf("%.0f", l.Floor.UpdateLatency.P50) })
		row("lifecycle / floor (time)", func(l Lifecycle) string { return fmt.Sprintf("%.1f×", l.FloorRatio) })
		row("Update p50 register/materials/submit ms", func(l Lifecycle) string {
			u := l.UpdateLatency
			return fmt.Sprintf("%.0f/%.0f/%.0f", u["register"].P50, u["materials"].P50, u["submit"].P50)
		})
		row("read-model commits/s (per application)", func(l Lifecycle) string {
			return fmt.Sprintf("%.0f (%.1f)", l.ReadModelCommitsPerSecond, l.CommitsPerApplication)
		})
		row("  of the commit ceiling (1 / 4 conns)", func(l Lifecycle) string {
			return fmt.Sprintf("%.1f%% / %.1f%%", 100*l.FractionOfCeiling, 100*l.FractionOfParallelCeiling)
		})
		row("PostgreSQL transactions/s, reads included", func(l Lifecycle) string { return fmt.Sprintf("%.0f", l.PGTransactionsPerSecond) })
		row("CPU cores: this process / rest; iowait", func(l Lifecycle) string {
			return fmt.Sprintf("%.2f / %.2f; %.0f%%", l.CPU.ProcessCores, l.CPU.OtherCores, 100*l.CPU.IOWait)
		})
		row("outcome", func(l Lifecycle) string { return outcomeString(l.Outcome) })
		if res.PersistenceRatio > 0 {
			fmt.Fprintf(tw, "  postgres / sqlite applications/s\t%.2f\n", res.PersistenceRatio)
		}
	}

	if len(res.HTTP) > 0 {
		fmt.Fprintf(tw, "\nHTTP overhead: one materials Update, %d sequential samples per path\tp50 ms\tp95 ms\tp99 ms\n", res.HTTP[0].Samples)
		for _, h := range res.HTTP {
			fmt.Fprintf(tw, "  [%s] SDK client.UpdateWorkflow\t%.1f\t%.1f\t%.1f\n", h.Persistence, h.SDK.P50, h.SDK.P95, h.SDK.P99)
			fmt.Fprintf(tw, "  [%s] API PUT …/materials\t%.1f\t%.1f\t%.1f\n", h.Persistence, h.API.P50, h.API.P95, h.API.P99)
			fmt.Fprintf(tw, "  [%s] API with Idempotency-Key\t%.1f\t%.1f\t%.1f\n", h.Persistence, h.APIIdempotent.P50, h.APIIdempotent.P95, h.APIIdempotent.P99)
			fmt.Fprintf(tw, "  [%s] API / SDK\t%.2f×\t%.2f×\t%.2f×\n", h.Persistence, h.RatioP50, h.RatioP95, h.RatioP99)
		}
	}

	writeBursts(tw, "Deadline burst", res.Bursts)
	writeBursts(tw, "National deadline, every province's campaign of one year", res.National)
	fmt.Fprintf(tw, "\ntotal run time\t%.0f s\n", res.Seconds)
	return tw.Flush()
}

func outcomeString(o map[string]int) string {
	var parts []string
	for _, s := range []string{"designated", "not_selected", "expired", "under_review", "shortlisted", "reserve"} {
		if o[s] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", s, o[s]))
		}
	}
	return strings.Join(parts, ", ")
}

// writeBursts prints the deadline steps of one kind, a column each.
func writeBursts(tw *tabwriter.Writer, title string, bursts []Burst) {
	if len(bursts) == 0 {
		return
	}
	fmt.Fprintf(tw, "\n%s\t", title)
	for _, b := range bursts {
		fmt.Fprintf(tw, "N=%d %s\t", b.N, b.Persistence)
	}
	fmt.Fprintln(tw)
	row := func(label string, f func(Burst) string) {
		fmt.Fprintf(tw, "  %s\t", label)
		for _, b := range bursts {
			fmt.Fprintf(tw, "%s\t", f(b))
		}
		fmt.Fprintln(tw)
	}
	row("campaigns (shards)", func(b Burst) string { return fmt.Sprintf("%d (%d)", b.Campaigns, b.Shards) })
	row("registered before the deadline", func(b Burst) string { return fmt.Sprintf("%d", b.Reached) })
	row("setup: registrations/s", func(b Burst) string { return fmt.Sprintf("%.0f", b.SetupPerSecond) })
	row("lateness p50 / p95 / max s", func(b Burst) string {
		return fmt.Sprintf("%.2f / %.2f / %.2f", b.Lateness.P50/1000, b.Lateness.P95/1000, b.Lateness.Max/1000)
	})
	row("CPU cores during setup: process / rest; iowait", func(b Burst) string {
		return fmt.Sprintf("%.2f / %.2f; %.0f%%", b.SetupCPU.ProcessCores, b.SetupCPU.OtherCores, 100*b.SetupCPU.IOWait)
	})
	row("CPU cores after the deadline: process / rest; iowait", func(b Burst) string {
		return fmt.Sprintf("%.2f / %.2f; %.0f%%", b.CPU.ProcessCores, b.CPU.OtherCores, 100*b.CPU.IOWait)
	})
	fmt.Fprintf(tw, "\nIdle footprint, N open applications\t")
	for _, b := range bursts {
		fmt.Fprintf(tw, "N=%d %s\t", b.N, b.Persistence)
	}
	fmt.Fprintln(tw)
	row("open applications (open workflows)", func(b Burst) string {
		return fmt.Sprintf("%d (%d)", b.Footprint.OpenApplications, b.Footprint.OpenWorkflows)
	})
	row("RSS MiB (after GC) / baseline", func(b Burst) string {
		f := b.Footprint
		return fmt.Sprintf("%d (%d) / %d", f.RSSBytes>>20, f.RSSAfterGCBytes>>20, f.RSSBaselineBytes>>20)
	})
	row("RSS KiB per open application", func(b Burst) string {
		f := b.Footprint
		if f.OpenApplications == 0 {
			return "-"
		}
		return fmt.Sprintf("%.0f", float64(f.RSSBytes-f.RSSBaselineBytes)/1024/float64(f.OpenApplications))
	})
	row("Go heap in use MiB, goroutines", func(b Burst) string {
		return fmt.Sprintf("%d, %d", b.Footprint.HeapInuseBytes>>20, b.Footprint.Goroutines)
	})
	row("rows: applications / timeline / campaigns", func(b Burst) string {
		r := b.Footprint.Rows
		return fmt.Sprintf("%d / %d / %d", r["applications"], r["timeline_events"], r["campaigns"])
	})
	row("read model MiB / Temporal persistence MiB", func(b Burst) string {
		return fmt.Sprintf("%.1f / %.1f", float64(b.Footprint.ReadModelBytes)/(1<<20), float64(b.Footprint.TemporalBytes)/(1<<20))
	})
	for _, b := range bursts {
		if b.Reason != "" {
			fmt.Fprintf(tw, "  N=%d: %s\n", b.N, b.Reason)
		}
	}
}
