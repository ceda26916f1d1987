package bench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"time"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/workflows"
)

// Burst is N cases sharing one recommendation deadline, spread over campaigns (one per
// the province's counties, shards past 100 campaigns; or, for the national deadline,
// one campaign per province): how late each becomes `expired` in the read model,
// measured from the deadline instant by polling the applications table.
type Burst struct {
	N           int    `json:"n"`
	Reached     int    `json:"reached"`
	Persistence string `json:"persistence"`
	Campaigns   int    `json:"campaigns"`
	// Provinces is how many provinces the campaigns belong to: 1 for a burst of the
	// deployment's province, every province for the national deadline.
	Provinces int `json:"provinces,omitempty"`
	Shards    int `json:"shards"`
	// SetupSeconds is the time to register the N cases; SetupPerSecond their rate.
	SetupSeconds   float64   `json:"setup_s"`
	SetupPerSecond float64   `json:"setup_registrations_per_s"`
	Deadline       time.Time `json:"deadline"`
	// Lateness is from the deadline instant to the poll that first saw each case
	// expired. It includes the one-second grace the campaign workflow waits after a
	// deadline (an act at the deadline instant is still in time) and up to one poll
	// interval.
	Lateness      Latency `json:"lateness"`
	PollInterval  float64 `json:"poll_interval_ms"`
	FirstExpiredS float64 `json:"first_expired_after_s"`
	// CPU is from the deadline until the last case was seen expired.
	CPU            CPU       `json:"cpu_after_deadline"`
	Footprint      Footprint `json:"idle_footprint"`
	Reason         string    `json:"reason,omitempty"`
	RegisterP50    float64   `json:"register_p50_ms"`
	RegisterP99    float64   `json:"register_p99_ms"`
	SetupCPU       CPU       `json:"cpu_setup"`
	ExpiredTimeout bool      `json:"expired_timeout,omitempty"`
}

// Footprint is what N open cases cost while nothing happens: memory of the process
// (embedded Temporal, worker and its workflow cache, driver) and rows in PostgreSQL.
type Footprint struct {
	OpenApplications int              `json:"open_applications"`
	RSSBaselineBytes int64            `json:"rss_baseline_bytes"`
	RSSBytes         int64            `json:"rss_bytes"`
	RSSAfterGCBytes  int64            `json:"rss_after_gc_bytes"`
	HeapInuseBytes   uint64           `json:"heap_inuse_bytes"`
	Goroutines       int              `json:"goroutines"`
	Rows             map[string]int64 `json:"rows"`
	ReadModelBytes   int64            `json:"read_model_database_bytes"`
	TemporalBytes    int64            `json:"temporal_persistence_bytes"`
	OpenWorkflows    int              `json:"open_workflows"`
}

// pollInterval is how often the burst polls the read model for expired cases.
const pollInterval = 50 * time.Millisecond

func (r *runner) burstStep(ctx context.Context, persistence string, n int) (Burst, error) {
	campaigns := r.ref.campaigns(n)
	b := Burst{N: n, Campaigns: campaigns, Provinces: 1, Shards: shardsFor(campaigns)}
	return r.deadlineStep(ctx, fmt.Sprintf("burst-%d", n), persistence, b, func(shards []*shard) []*campaignPlan {
		return planCampaigns(r.ref, n, shards)
	})
}

// nationalStep is the national deadline: every province's campaign of one year (all
// their counties, about 2,850) in one deployment, sharing one deadline.
func (r *runner) nationalStep(ctx context.Context, persistence string) (Burst, error) {
	var refs []*reference
	n := 0
	for _, p := range domain.Provinces() {
		ref, err := newReference(p)
		if err != nil {
			return Burst{}, err
		}
		refs = append(refs, ref)
		n += len(ref.order)
	}
	b := Burst{N: n, Campaigns: len(refs), Provinces: len(refs), Shards: 1}
	return r.deadlineStep(ctx, "national-"+persistence, persistence, b, func(shards []*shard) []*campaignPlan {
		return planNational(refs, shards)
	})
}

// deadlineStep registers the cases of plan's campaigns, all with one recommendation
// deadline, and measures how late each expires after it, with the idle footprint in
// between; b says how many cases, campaigns and shards.
func (r *runner) deadlineStep(ctx context.Context, name, persistence string, b Burst, plan func([]*shard) []*campaignPlan) (Burst, error) {
	n := b.N
	b.Persistence, b.PollInterval = persistence, ms(pollInterval)
	runtime.GC()
	debug.FreeOSMemory()
	e, err := r.startEnv(ctx, name, persistence, b.Shards)
	if err != nil {
		return b, err
	}
	defer e.stop()
	warmRate, _, err := r.warmup(ctx, e, false)
	if err != nil {
		return b, err
	}
	runtime.GC()
	debug.FreeOSMemory()
	b.Footprint.RSSBaselineBytes = rssBytes()
	warmOpen, err := e.running(ctx) // the warm-up's campaigns and cases, still open
	if err != nil {
		return b, err
	}

	plans := plan(e.shards)
	deadline := r.sharedDeadline(n, warmRate)
	b.Deadline = deadline
	d := newDriver()
	d.deadline = deadline
	r.progress("%s: %d applications in %d campaigns on %d shard(s), one deadline %s", e.name, n, len(plans), len(e.shards), deadline.Format(time.TimeOnly))
	cpu0 := sampleCPU()
	start := time.Now()
	stop := every(5*time.Second, func() {
		done := d.updates.Load()
		r.progress("%s: %d/%d registered (%.0f/s), deadline in %s", e.name, done, n, rate(float64(done), time.Since(start)), time.Until(deadline).Round(time.Second))
	})
	err = forEach(ctx, plans, r.parallel(), func(ctx context.Context, p *campaignPlan) error {
		if err := startCampaign(ctx, p.sh, p.ref.campaignConfig(p.year, deadline, time.Hour)); err != nil {
			return err
		}
		return forEach(ctx, p.counties, r.cfg.PerWorkflow, func(ctx context.Context, c domain.Division) error {
			return d.update(ctx, p.sh, p.id(), workflows.UpdateRegister, workflows.RegisterInput{Actor: countyActor(c.Code), County: c.Code}, nil)
		})
	})
	stop()
	setup := time.Since(start)
	b.SetupCPU = cpuSince(cpu0)
	b.Reached = int(d.updates.Load())
	b.SetupSeconds, b.SetupPerSecond = seconds(setup), rate(float64(b.Reached), setup)
	reg := d.summary()[workflows.UpdateRegister]
	b.RegisterP50, b.RegisterP99 = reg.P50, reg.P99
	if err != nil {
		if !errors.Is(err, errOverran) {
			return b, err
		}
		b.Reason = fmt.Sprintf("only %d of %d registrations were in before the deadline (%.0f/s; the deadline was set from the warm-up's %.0f/s): %v",
			b.Reached, n, b.SetupPerSecond, warmRate, err)
		r.progress("%s: %s", e.name, b.Reason)
	}
	r.progress("%s: %d registered in %s (%.0f/s); %s idle before the deadline", e.name, b.Reached, setup.Round(time.Millisecond), b.SetupPerSecond, time.Until(deadline).Round(time.Millisecond))

	if time.Until(deadline) > 2*time.Second {
		if b.Footprint, err = r.footprint(ctx, e, b.Footprint.RSSBaselineBytes, warmOpen+b.Reached+b.Campaigns); err != nil {
			return b, err
		}
		r.progress("%s: idle footprint with %d open applications: RSS %d MiB (baseline %d MiB), %d timeline rows",
			e.name, b.Footprint.OpenApplications, b.Footprint.RSSBytes>>20, b.Footprint.RSSBaselineBytes>>20, b.Footprint.Rows["timeline_events"])
	}

	late, cpu, err := r.expiries(ctx, e, plans, deadline)
	b.CPU = cpu
	if err != nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			return b, err
		}
		b.ExpiredTimeout = true
		b.Reason = fmt.Sprintf("%s; %v", b.Reason, err)
	}
	b.Lateness = summarize(late)
	if len(late) > 0 {
		b.FirstExpiredS = seconds(slices.Min(late))
	}
	r.progress("%s: lateness after the deadline: p50 %.0f ms, p95 %.0f ms, max %.0f ms over %d cases",
		e.name, b.Lateness.P50, b.Lateness.P95, b.Lateness.Max, b.Lateness.Samples)
	return b, nil
}

// footprint reads the process's memory and the read model's rows with the cases open,
// once open workflows (cases and campaigns) are running: a registration answers before
// its case workflow's start is known (fast-updates), so the last cases may start a
// little later, and the footprint is that of every case open.
func (r *runner) footprint(ctx context.Context, e *env, baseline int64, open int) (Footprint, error) {
	for wait := time.Now().Add(caseStartWait); ; {
		n, err := e.running(ctx)
		if err != nil {
			return Footprint{}, err
		}
		if n >= open || time.Now().After(wait) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second) // let the last child workflows settle into the cache
	f := Footprint{RSSBaselineBytes: baseline, RSSBytes: rssBytes(), Rows: map[string]int64{}}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	f.HeapInuseBytes = ms.HeapInuse
	f.Goroutines = runtime.NumGoroutine()
	debug.FreeOSMemory()
	f.RSSAfterGCBytes = rssBytes()
	for _, sh := range e.shards {
		pool := sh.store.Pool()
		for _, t := range []string{"campaigns", "applications", "timeline_events", "scorecards", "objections", "notices", "idempotency_keys"} {
			var c int64
			if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+t).Scan(&c); err != nil {
				return f, fmt.Errorf("count %s: %w", t, err)
			}
			f.Rows[t] += c
		}
		var open, size int64
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM applications WHERE year < $1 AND state NOT IN ('designated','not_selected','expired','forfeited','withdrawn','removed')`, firstYear+yearsPerShard).Scan(&open); err != nil {
			return f, err
		}
		f.OpenApplications += int(open)
		if err := pool.QueryRow(ctx, `SELECT pg_database_size(current_database())`).Scan(&size); err != nil {
			return f, err
		}
		f.ReadModelBytes += size
	}
	n, err := e.running(ctx)
	if err != nil {
		return f, err
	}
	f.OpenWorkflows = n
	f.TemporalBytes = e.temporalBytes(ctx)
	if e.persistence == PersistencePostgres {
		f.ReadModelBytes -= f.TemporalBytes // Temporal's schemas live in the first database
	}
	return f, nil
}

// expiries polls the read model from the deadline on and returns, per case, how long
// after the deadline it was first seen expired, and where the CPU went meanwhile.
func (r *runner) expiries(ctx context.Context, e *env, plans []*campaignPlan, deadline time.Time) (late []time.Duration, cpu CPU, err error) {
	byShard := map[*shard][]int32{}
	want := map[*shard]map[int32]int{}
	for _, p := range plans {
		byShard[p.sh] = append(byShard[p.sh], int32(p.year))
		if want[p.sh] == nil {
			want[p.sh] = map[int32]int{}
		}
	}
	// Only what was registered can expire.
	for sh, years := range byShard {
		rows, err := sh.store.Pool().Query(ctx, `SELECT year, count(*) FROM applications WHERE year = ANY($1) GROUP BY year`, years)
		if err != nil {
			return nil, cpu, err
		}
		for rows.Next() {
			var y int32
			var c int
			if err := rows.Scan(&y, &c); err != nil {
				rows.Close()
				return nil, cpu, err
			}
			want[sh][y] = c
		}
		rows.Close()
	}
	total := 0
	for _, m := range want {
		for _, c := range m {
			total += c
		}
	}
	select {
	case <-ctx.Done():
		return nil, cpu, ctx.Err()
	case <-time.After(time.Until(deadline)):
	}
	cpu0 := sampleCPU()
	defer func() { cpu = cpuSince(cpu0) }()
	timeout := 10 * time.Minute
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	seen := map[*shard]map[int32]int{}
	stop := every(5*time.Second, func() {
		r.progress("%s: %d/%d expired, %s after the deadline", e.name, len(late), total, time.Since(deadline).Round(time.Second))
	})
	defer stop()
	for len(late) < total {
		for sh, years := range byShard {
			if seen[sh] == nil {
				seen[sh] = map[int32]int{}
			}
			rows, err := sh.store.Pool().Query(pctx, `SELECT year, count(*) FROM applications WHERE year = ANY($1) AND state = 'expired' GROUP BY year`, years)
			if err != nil {
				if pctx.Err() != nil {
					return late, cpu, fmt.Errorf("%d of %d cases expired within %s: %w", len(late), total, timeout, context.DeadlineExceeded)
				}
				return late, cpu, err
			}
			at := time.Since(deadline)
			for rows.Next() {
				var y int32
				var c int
				if err := rows.Scan(&y, &c); err != nil {
					rows.Close()
					return late, cpu, err
				}
				for range c - seen[sh][y] {
					late = append(late, at)
				}
				seen[sh][y] = c
			}
			rows.Close()
		}
		if len(late) >= total {
			break
		}
		select {
		case <-pctx.Done():
			return late, cpu, fmt.Errorf("%d of %d cases expired within %s: %w", len(late), total, timeout, context.DeadlineExceeded)
		case <-time.After(pollInterval):
		}
	}
	return late, cpu, nil
}

// running counts the running workflows of every shard, as visibility sees them.
func (e *env) running(ctx context.Context) (int, error) {
	n := 0
	for _, sh := range e.shards {
		resp, err := sh.client.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: sh.namespace, Query: "ExecutionStatus = 'Running'"})
		if err != nil {
			return 0, fmt.Errorf("count running workflows: %w", err)
		}
		n += int(resp.GetCount())
	}
	return n, nil
}
