package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/workflows"
)

// Lifecycle is the throughput of whole cases: N applications taken from registration
// to their final state, spread over as many campaigns as the province's counties a year need.
type Lifecycle struct {
	Persistence  string `json:"persistence"`
	Applications int    `json:"applications"`
	Campaigns    int    `json:"campaigns"`
	Shards       int    `json:"shards"`
	Reviewed     int    `json:"reviewed"`
	Updates      int64  `json:"updates"`
	TimersFired  int    `json:"timers_fired"`

	// Wall is from the first campaign's start to the last campaign's close as the read
	// model shows it; Idle is the time between the end of the setup and the shared
	// deadline, when nothing was asked of the system; Active is Wall minus Idle, and
	// every rate below is per active second.
	WallSeconds     float64 `json:"wall_s"`
	IdleSeconds     float64 `json:"idle_s"`
	ActiveSeconds   float64 `json:"active_s"`
	SetupSeconds    float64 `json:"setup_s"`
	DeadlineSeconds float64 `json:"deadline_to_reviewing_s"`
	ReviewSeconds   float64 `json:"review_to_closed_s"`
	AppsPerSecond   float64 `json:"applications_per_s"`

	Workflows        int   `json:"workflows"`
	StateTransitions int64 `json:"state_transitions"`
	// CaseTransitions are the part of StateTransitions spent in the cases' own
	// workflows (application/{year}/{county}), which mirror the campaign's decisions.
	CaseTransitions      int64   `json:"case_state_transitions"`
	TransitionsPerSecond float64 `json:"state_transitions_per_s"`
	HistoryEvents        int64   `json:"history_events"`

	UpdateLatency map[string]Latency `json:"update_latency"`
	Outcome       map[string]int     `json:"outcome"`

	// ReadModelCommits are the transactions the Project and PublishNotice activities
	// committed (counted at the store); PGTransactions is pg_stat_database's
	// xact_commit over the step's databases, which adds every read and, on PostgreSQL
	// persistence, Temporal's own transactions.
	ReadModelCommits          int64   `json:"read_model_commits"`
	ReadModelCommitsPerSecond float64 `json:"read_model_commits_per_s"`
	CommitsPerApplication     float64 `json:"read_model_commits_per_application"`
	FractionOfCeiling         float64 `json:"fraction_of_commit_ceiling"`
	FractionOfParallelCeiling float64 `json:"fraction_of_parallel_commit_ceiling"`
	PGTransactions            int64   `json:"pg_transactions"`
	PGTransactionsPerSecond   float64 `json:"pg_transactions_per_s"`

	CPU        CPU     `json:"cpu"`
	Floor      Floor   `json:"floor"`
	FloorRatio float64 `json:"active_over_floor"`
}

// lifecycleStep runs the lifecycle, then the floor and the HTTP overhead on the same
// deployment, so the three are compared within one run.
func (r *runner) lifecycleStep(ctx context.Context, persistence string) (Lifecycle, HTTPOverhead, error) {
	n := r.cfg.N
	e, err := r.startEnv(ctx, "life-"+persistence, persistence, shardsFor(r.ref.campaigns(n)))
	if err != nil {
		return Lifecycle{}, HTTPOverhead{}, err
	}
	defer e.stop()
	warmRate, warm, err := r.warmup(ctx, e, true)
	if err != nil {
		return Lifecycle{}, HTTPOverhead{}, err
	}
	lc, plans, err := r.lifecycle(ctx, e, warmRate)
	if err != nil {
		return lc, HTTPOverhead{}, err
	}
	if lc.Floor, err = r.floor(ctx, e, plans); err != nil {
		return lc, HTTPOverhead{}, err
	}
	lc.FloorRatio = ratio(lc.ActiveSeconds, lc.Floor.Seconds)
	h, err := r.httpOverhead(ctx, e, warm)
	return lc, h, err
}

func (r *runner) lifecycle(ctx context.Context, e *env, warmRate float64) (Lifecycle, []*campaignPlan, error) {
	n := r.cfg.N
	plans := planCampaigns(r.ref, n, e.shards)
	lc := Lifecycle{Persistence: e.persistence, Applications: n, Campaigns: len(plans), Shards: len(e.shards)}
	for _, p := range plans {
		lc.Reviewed += len(p.reviewed)
	}
	d := newDriver()
	deadline := r.sharedDeadline(n, warmRate)
	d.deadline = deadline
	r.progress("%s: %d applications in %d campaigns (%d reach review), shared deadline %s",
		e.name, n, len(plans), lc.Reviewed, deadline.Format(time.TimeOnly))

	commits0 := e.readModelCommits()
	xact0, err := e.pgTransactions(ctx)
	if err != nil {
		return lc, plans, err
	}
	cpu0 := sampleCPU()
	start := time.Now()
	stop := every(5*time.Second, func() {
		r.progress("%s: %d Updates done (%.0f/s)", e.name, d.updates.Load(), rate(float64(d.updates.Load()), time.Since(start)))
	})
	parallel := r.parallel()

	// Setup: every case registers, delivers its materials and submits; prefectures
	// file their two, the directly administered counties apply on their own.
	err = forEach(ctx, plans, parallel, func(ctx context.Context, p *campaignPlan) error {
		if err := startCampaign(ctx, p.sh, r.ref.campaignConfig(p.year, deadline, r.cfg.Publicity)); err != nil {
			return err
		}
		pd := &planDriver{d: d, p: p}
		if err := forEach(ctx, p.counties, r.cfg.PerWorkflow, func(ctx context.Context, c domain.Division) error {
			return pd.prepareCase(ctx, c.Code)
		}); err != nil {
			return err
		}
		var acts []func(context.Context) error
		for _, pref := range domain.SortedCodes(p.filings) {
			acts = append(acts, func(ctx context.Context) error {
				return pd.update(ctx, workflows.UpdateRecommend, workflows.RecommendInput{Actor: prefectureActor(pref), Prefecture: pref, Counties: p.filings[pref]}, nil)
			})
		}
		for _, c := range p.self {
			acts = append(acts, func(ctx context.Context) error {
				return pd.update(ctx, workflows.UpdateSelfApply, workflows.SelfApplyInput{Actor: countyActor(c), County: c}, nil)
			})
		}
		return forEach(ctx, acts, r.cfg.PerWorkflow, func(ctx context.Context, f func(context.Context) error) error { return f(ctx) })
	})
	setupEnd := time.Now()
	d.deadline = time.Time{} // from here on Updates are meant for after the deadline
	if err != nil {
		stop()
		return lc, plans, err
	}
	r.progress("%s: setup done in %s; waiting for the deadline %s", e.name, setupEnd.Sub(start).Round(time.Millisecond), deadline.Format(time.TimeOnly))

	// The deadline fires with nobody acting (R5): the recommended go to review, the
	// rest expire. Then every campaign is scored, ranked and published; publicity ends
	// on its own timer and the campaign closes (R10).
	reviewing, err := waitPhase(ctx, plans, domain.PhaseReviewing, time.Until(deadline)+5*time.Minute)
	if err != nil {
		stop()
		return lc, plans, err
	}
	err = forEach(ctx, plans, parallel, func(ctx context.Context, p *campaignPlan) error {
		pd := &planDriver{d: d, p: p}
		if err := forEach(ctx, p.reviewed, r.cfg.PerWorkflow, func(ctx context.Context, c string) error {
			return pd.update(ctx, workflows.UpdateScore, workflows.ScoreInput{Actor: reviewerActor(r.ref.province), County: c, Criteria: card(c)}, nil)
		}); err != nil {
			return err
		}
		if len(p.reviewed) == 0 {
			return nil // nothing to rank: the campaign stays in review, as it would in life
		}
		if err := pd.update(ctx, workflows.UpdateRank, workflows.AdminInput{Actor: adminActor(r.ref.province)}, nil); err != nil {
			return err
		}
		return pd.update(ctx, workflows.UpdatePublishNotice, workflows.AdminInput{Actor: adminActor(r.ref.province)}, nil)
	})
	if err != nil {
		stop()
		return lc, plans, err
	}
	var closing []*campaignPlan
	for _, p := range plans {
		if len(p.reviewed) > 0 {
			closing = append(closing, p)
		}
	}
	end, err := waitPhase(ctx, closing, domain.PhaseClosed, 5*time.Minute)
	stop()
	if err != nil {
		return lc, plans, err
	}
	lc.CPU = cpuSince(cpu0)

	wall := end.Sub(start)
	idle := max(0, deadline.Sub(setupEnd))
	active := wall - idle
	lc.WallSeconds, lc.IdleSeconds, lc.ActiveSeconds = seconds(wall), seconds(idle), seconds(active)
	lc.SetupSeconds = seconds(setupEnd.Sub(start))
	lc.DeadlineSeconds = seconds(reviewing.Sub(deadline))
	lc.ReviewSeconds = seconds(end.Sub(reviewing))
	lc.AppsPerSecond = rate(float64(n), active)
	lc.Updates = d.updates.Load()
	lc.TimersFired = len(plans) + len(closing) // the recommendation deadline, and publicity's end
	lc.UpdateLatency = d.summary()

	lc.ReadModelCommits = e.readModelCommits() - commits0
	lc.ReadModelCommitsPerSecond = rate(float64(lc.ReadModelCommits), active)
	lc.CommitsPerApplication = ratio(float64(lc.ReadModelCommits), float64(n))
	lc.FractionOfCeiling = ratio(lc.ReadModelCommitsPerSecond, r.res.Ceiling.CommitsPerSecond)
	lc.FractionOfParallelCeiling = ratio(lc.ReadModelCommitsPerSecond, r.res.Ceiling.ParallelPerSecond)
	time.Sleep(time.Second) // pg_stat_database is flushed by backends about once a second
	xact1, err := e.pgTransactions(ctx)
	if err != nil {
		return lc, plans, err
	}
	lc.PGTransactions = xact1 - xact0
	lc.PGTransactionsPerSecond = rate(float64(lc.PGTransactions), active)

	r.progress("%s: %d applications in %.1f s active (%.1f s idle before the deadline): %.1f applications/s",
		e.name, n, lc.ActiveSeconds, lc.IdleSeconds, lc.AppsPerSecond)

	// Every workflow of the step: campaigns and their cases.
	for _, sh := range e.shards {
		var campaigns, cases []string
		for _, p := range plans {
			if p.sh != sh {
				continue
			}
			campaigns = append(campaigns, p.id())
			for _, c := range p.counties {
				cases = append(cases, workflows.ApplicationID(p.year, c.Code))
			}
		}
		for i, ids := range [][]string{campaigns, cases} {
			t, ev, err := describeAll(ctx, sh, ids)
			if err != nil {
				return lc, plans, err
			}
			lc.Workflows += len(ids)
			lc.StateTransitions += t
			lc.HistoryEvents += ev
			if i == 1 {
				lc.CaseTransitions += t
			}
		}
	}
	lc.TransitionsPerSecond = rate(float64(lc.StateTransitions), active)
	if lc.Outcome, err = outcome(ctx, plans); err != nil {
		return lc, plans, err
	}
	return lc, plans, nil
}

// planDriver sends one campaign's Updates and counts them for the floor.
type planDriver struct {
	d *driver
	p *campaignPlan
}

func (pd *planDriver) update(ctx context.Context, name string, in, out any) error {
	if err := pd.d.update(ctx, pd.p.sh, pd.p.id(), name, in, out); err != nil {
		return err
	}
	pd.p.updates.Add(1)
	return nil
}

func (pd *planDriver) prepareCase(ctx context.Context, code string) error {
	a := countyActor(code)
	if err := pd.update(ctx, workflows.UpdateRegister, workflows.RegisterInput{Actor: a, County: code}, nil); err != nil {
		return err
	}
	if err := pd.update(ctx, workflows.UpdateMaterials, workflows.MaterialsInput{Actor: a, County: code, Items: completeMaterials()}, nil); err != nil {
		return err
	}
	return pd.update(ctx, workflows.UpdateSubmit, workflows.SubmitInput{Actor: a, County: code}, nil)
}

// outcome counts the planned cases per state in the read model.
func outcome(ctx context.Context, plans []*campaignPlan) (map[string]int, error) {
	byShard := map[*shard][]int32{}
	for _, p := range plans {
		byShard[p.sh] = append(byShard[p.sh], int32(p.year))
	}
	out := map[string]int{}
	for sh, years := range byShard {
		rows, err := sh.store.Pool().Query(ctx, `SELECT state, count(*) FROM applications WHERE year = ANY($1) GROUP BY state`, years)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var s string
			var c int
			if err := rows.Scan(&s, &c); err != nil {
				rows.Close()
				return nil, err
			}
			out[s] += c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readModelCommits sums the activities' committed transactions over the env's shards.
func (e *env) readModelCommits() int64 {
	var n int64
	for _, sh := range e.shards {
		n += sh.counted.commits.Load()
	}
	return n
}

// pgTransactions sums xact_commit of the env's databases. A fresh connection is used
// each time: a backend caches its statistics snapshot for the whole transaction.
func (e *env) pgTransactions(ctx context.Context) (int64, error) {
	var names []string
	for _, sh := range e.shards {
		names = append(names, sh.dbName)
	}
	conn, err := e.shards[0].store.Pool().Acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
		return 0, err
	}
	var n int64
	if err := conn.QueryRow(ctx, `SELECT COALESCE(sum(xact_commit), 0)::bigint FROM pg_stat_database WHERE datname = ANY($1)`, names).Scan(&n); err != nil {
		return 0, fmt.Errorf("pg_stat_database: %w", err)
	}
	return n, nil
}
