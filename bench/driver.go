package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"golang.org/x/sync/errgroup"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/workflows"
)

func adminActor(province string) domain.Actor {
	return domain.Actor{Sub: "bench-admin", Role: domain.RoleAdmin, Region: province}
}

func reviewerActor(province string) domain.Actor {
	return domain.Actor{Sub: "bench-reviewer", Role: domain.RoleReviewer, Region: province}
}

func countyActor(code string) domain.Actor {
	return domain.Actor{Sub: "bench-county-" + code, Role: domain.RoleCounty, Region: code}
}

func prefectureActor(code string) domain.Actor {
	return domain.Actor{Sub: "bench-prefecture-" + code, Role: domain.RolePrefecture, Region: code}
}

// completeMaterials is a full delivery of §三: items 2–7 and 9, three copies each (R6).
func completeMaterials() domain.Materials {
	m := domain.Materials{}
	for _, it := range domain.Checklist {
		if it.Required && !it.FromPrefecture {
			m[it.Number] = domain.Delivery{Copies: domain.RequiredCopies}
		}
	}
	return m
}

// card is a deterministic scorecard: scores differ per county so ranking has work.
func card(code string) domain.Scorecard {
	h := 0
	for _, ch := range code {
		h = h*31 + int(ch)
	}
	base := float64(60 + h%35)
	s := domain.Scorecard{}
	for i, c := range domain.Criteria {
		s[c] = base + float64((h>>i)%5)
	}
	return s
}

// reference is the province every campaign of the bench belongs to, with all of its
// counties eligible: its code, the edition of the division codes each campaign names
// (the newest, which a deployment lays out its regions with), and its counties in the
// order the driver takes them.
type reference struct {
	province, edition string
	// order lists the counties that can reach review first (each prefecture's first two
	// ordinary counties, then the directly administered ones), then the rest by code.
	// picks are each prefecture's two; self the directly administered.
	order []domain.Division
	picks map[string][]string
	self  []string
}

// newReference reads the reference data of province.
func newReference(province string) (*reference, error) {
	editions := domain.Editions(province)
	if len(editions) == 0 {
		return nil, fmt.Errorf("province %q has no reference data", province)
	}
	ref := &reference{province: province, edition: editions[len(editions)-1], picks: map[string][]string{}}
	divs, err := domain.Reference(province, ref.edition)
	if err != nil {
		return nil, err
	}
	var rest, selfDivs []domain.Division
	for _, p := range divs.Prefectures(province) {
		for _, c := range divs.Counties(p.Code) {
			switch {
			case c.DirectlyAdministered:
				selfDivs = append(selfDivs, c)
			case len(ref.picks[p.Code]) < 2:
				ref.picks[p.Code] = append(ref.picks[p.Code], c.Code)
				ref.order = append(ref.order, c)
			default:
				rest = append(rest, c)
			}
		}
	}
	if len(ref.order)+len(selfDivs)+len(rest) == 0 {
		return nil, fmt.Errorf("province %s has no counties in edition %s", province, ref.edition)
	}
	for _, c := range selfDivs {
		ref.self = append(ref.self, c.Code)
	}
	ref.order = append(append(ref.order, selfDivs...), rest...)
	return ref, nil
}

// campaigns is how many campaigns n cases need: a year holds one case per county.
func (ref *reference) campaigns(n int) int { return (n + len(ref.order) - 1) / len(ref.order) }

// campaignConfig is a 2016-shaped campaign (quota 12, two per prefecture) with the
// bench's compressed dates.
func (ref *reference) campaignConfig(year int, deadline time.Time, publicity time.Duration) domain.Campaign {
	return domain.Campaign{
		Year: year, Province: ref.province, Edition: ref.edition, Quota: 12, PrefectureCap: 2,
		RecommendationDeadline: deadline.In(domain.Shanghai), NoticeDeadline: deadline.Add(time.Hour).In(domain.Shanghai),
		PublicityPeriod: domain.DurationPeriod(publicity), Excluded: []string{}, NationalScores: map[string]float64{}, Weights: domain.DefaultWeights(),
	}
}

// campaignPlan is what the driver does with one campaign.
type campaignPlan struct {
	sh       *shard
	ref      *reference // the province's reference data, which configures the campaign
	year     int
	counties []domain.Division
	filings  map[string][]string // prefecture → its picks among this campaign's counties
	self     []string
	reviewed []string
	updates  atomic.Int64 // Updates this campaign accepted, for the floor
}

// planCampaigns spreads n cases over as few campaigns as the province's counties allow,
// as evenly as possible, campaign i on shard i mod shards, in year firstYear + i/shards.
func planCampaigns(ref *reference, n int, shards []*shard) []*campaignPlan {
	order, picks, self := ref.order, ref.picks, ref.self
	count := ref.campaigns(n)
	plans := make([]*campaignPlan, count)
	for i := range plans {
		size := n / count
		if i < n%count {
			size++
		}
		p := &campaignPlan{sh: shards[i%len(shards)], ref: ref, year: firstYear + i/len(shards), counties: order[:size], filings: map[string][]string{}}
		in := map[string]bool{}
		for _, c := range p.counties {
			in[c.Code] = true
		}
		for _, pref := range domain.SortedCodes(picks) {
			for _, c := range picks[pref] {
				if in[c] {
					p.filings[pref] = append(p.filings[pref], c)
					p.reviewed = append(p.reviewed, c)
				}
			}
		}
		for _, c := range self {
			if in[c] {
				p.self = append(p.self, c)
				p.reviewed = append(p.reviewed, c)
			}
		}
		plans[i] = p
	}
	return plans
}

// id is the plan's campaign workflow ID.
func (p *campaignPlan) id() string { return workflows.CampaignID(p.ref.province, p.year) }

// planNational is one campaign per province of the reference data, every one in the
// same year on the first shard, each registering all its counties: the Ministry's
// selection run everywhere at once, sharing one deadline.
func planNational(refs []*reference, shards []*shard) []*campaignPlan {
	plans := make([]*campaignPlan, len(refs))
	for i, ref := range refs {
		plans[i] = &campaignPlan{sh: shards[0], ref: ref, year: firstYear, counties: ref.order, filings: map[string][]string{}}
	}
	return plans
}

// shardsFor is how many shards count campaigns need.
func shardsFor(campaigns int) int { return (campaigns + yearsPerShard - 1) / yearsPerShard }

// driver sends the Updates of a step and keeps their latencies per Update name.
type driver struct {
	mu        sync.Mutex
	latencies map[string][]time.Duration
	updates   atomic.Int64
	// deadline, when set, is the shared recommendation deadline: an Update the setup
	// sends after it would be refused, so the driver stops with a clear error instead.
	deadline time.Time
}

func newDriver() *driver { return &driver{latencies: map[string][]time.Duration{}} }

var errOverran = errors.New("the setup overran the shared deadline")

// update runs one Update on a campaign (its workflow ID) and waits for its outcome, as
// the API does (workflows.Send): the latency includes any wait for a run's hand-over.
func (d *driver) update(ctx context.Context, sh *shard, campaign string, name string, in, out any) error {
	if !d.deadline.IsZero() && !time.Now().Before(d.deadline) {
		return fmt.Errorf("%s on %s: %w (deadline %s)", name, campaign, errOverran, d.deadline.Format(time.TimeOnly))
	}
	start := time.Now()
	err := workflows.Send(ctx, sh.client, client.UpdateWorkflowOptions{
		WorkflowID: campaign, UpdateName: name, UpdateID: uuid.NewString(), Args: []any{in},
	}, out)
	if err != nil {
		if re, ok := workflows.RuleErrorOf(err); ok && re.Code == domain.CodeDeadlinePassed {
			return fmt.Errorf("%s on %s: %w: %v", name, campaign, errOverran, re)
		}
		return fmt.Errorf("%s on %s: %w", name, campaign, err)
	}
	d.record(name, time.Since(start))
	return nil
}

func (d *driver) record(name string, took time.Duration) {
	d.updates.Add(1)
	d.mu.Lock()
	d.latencies[name] = append(d.latencies[name], took)
	d.mu.Unlock()
}

func (d *driver) summary() map[string]Latency {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := map[string]Latency{}
	for name, l := range d.latencies {
		out[name] = summarize(l)
	}
	return out
}

// startCampaign starts a campaign workflow the way POST /campaigns does.
func startCampaign(ctx context.Context, sh *shard, cfg domain.Campaign) error {
	_, err := sh.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: workflows.CampaignID(cfg.Province, cfg.Year), TaskQueue: workflows.TaskQueue,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
	}, workflows.CampaignWorkflowName, workflows.CampaignInput{Config: cfg, CreatedBy: adminActor(cfg.Province)})
	if err != nil {
		return fmt.Errorf("start campaign %d: %w", cfg.Year, err)
	}
	return nil
}

// register, deliver and submit one county: the part of the lifecycle every case goes
// through.
func (d *driver) prepareCase(ctx context.Context, sh *shard, campaign string, code string, full bool) error {
	a := countyActor(code)
	if err := d.update(ctx, sh, campaign, workflows.UpdateRegister, workflows.RegisterInput{Actor: a, County: code}, nil); err != nil {
		return err
	}
	if !full {
		return nil
	}
	if err := d.update(ctx, sh, campaign, workflows.UpdateMaterials, workflows.MaterialsInput{Actor: a, County: code, Items: completeMaterials()}, nil); err != nil {
		return err
	}
	return d.update(ctx, sh, campaign, workflows.UpdateSubmit, workflows.SubmitInput{Actor: a, County: code}, nil)
}

// forEach runs f on every item with at most limit at once; the first error cancels the
// rest and is returned.
func forEach[T any](ctx context.Context, items []T, limit int, f func(context.Context, T) error) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(1, limit))
	for _, it := range items {
		g.Go(func() error { return f(gctx, it) })
	}
	return g.Wait()
}

// warmup opens as many warm-up campaigns (deadline a day away) as the measured step
// runs at once and prepares Config.Warmup cases in each, at the same concurrency. The
// rate it returns (cases per second) calibrates the shared deadline of the step; the
// first campaign's cases serve the HTTP overhead step.
func (r *runner) warmup(ctx context.Context, e *env, full bool) (float64, []string, error) {
	sh := e.shards[0]
	campaigns := min(r.parallel(), maxWarmupCampaigns)
	order := r.ref.order[:min(r.cfg.Warmup, len(r.ref.order))]
	d := newDriver()
	start := time.Now()
	err := forEach(ctx, indexes(campaigns), campaigns, func(ctx context.Context, i int) error {
		year := warmupYear - i
		if err := startCampaign(ctx, sh, r.ref.campaignConfig(year, time.Now().Add(24*time.Hour), time.Hour)); err != nil {
			return err
		}
		return forEach(ctx, order, r.cfg.PerWorkflow, func(ctx context.Context, c domain.Division) error {
			return d.prepareCase(ctx, sh, workflows.CampaignID(r.ref.province, year), c.Code, full)
		})
	})
	if err != nil {
		return 0, nil, fmt.Errorf("warm-up: %w", err)
	}
	cases := campaigns * len(order)
	perSecond := rate(float64(cases), time.Since(start))
	codes := make([]string, len(order))
	for i, c := range order {
		codes[i] = c.Code
	}
	r.progress("%s: warm-up prepared %d cases in %d campaigns: %.1f cases/s", e.name, cases, campaigns, perSecond)
	return perSecond, codes, nil
}

// parallel is how many campaigns the driver works on at once.
func (r *runner) parallel() int { return max(1, r.cfg.Concurrency/r.cfg.PerWorkflow) }

// sharedDeadline is a deadline after a setup of n cases at the warm-up's rate: twice the
// estimate (later campaigns have longer histories, and the machine may be busier; one
// and a half times was overrun by a 1,000-case lifecycle on 2026-12-08) plus a margin.
// Time between the end of the setup and the deadline is idle and is not counted in
// throughput figures.
func (r *runner) sharedDeadline(n int, perSecond float64) time.Time {
	// Ten seconds also in quick runs: their warm-up of 32 cases overstates the rate a
	// loaded machine (make test runs packages side by side) keeps up, and a setup that
	// overruns the deadline measures nothing.
	margin := 10 * time.Second
	est := time.Duration(float64(n) / max(perSecond, 0.1) * float64(time.Second))
	return time.Now().Add(est*2 + margin).Truncate(time.Second)
}

// phasesFrom lists the phases a campaign has reached once it is in phase p or later.
func phasesFrom(p domain.Phase) []string {
	all := []domain.Phase{domain.PhaseOpen, domain.PhaseReviewing, domain.PhaseRanked, domain.PhasePublicity, domain.PhaseClosed}
	i := slices.Index(all, p)
	var out []string
	for _, q := range all[i:] {
		out = append(out, string(q))
	}
	return out
}

// waitPhase polls the read model until every planned campaign has reached phase p, as
// an official's dashboard would see it, and returns when that was first seen.
func waitPhase(ctx context.Context, plans []*campaignPlan, p domain.Phase, timeout time.Duration) (time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	byShard := map[*shard][]int32{}
	for _, pl := range plans {
		byShard[pl.sh] = append(byShard[pl.sh], int32(pl.year))
	}
	phases := phasesFrom(p)
	for {
		done := 0
		for sh, years := range byShard {
			var n int
			if err := sh.store.Pool().QueryRow(ctx, `SELECT count(*) FROM campaigns WHERE year = ANY($1) AND phase = ANY($2)`, years, phases).Scan(&n); err != nil {
				return time.Time{}, fmt.Errorf("wait for phase %s: %w", p, err)
			}
			done += n
		}
		if done == len(plans) {
			return time.Now(), nil
		}
		select {
		case <-ctx.Done():
			return time.Time{}, fmt.Errorf("wait for phase %s: %d of %d campaigns reached it: %w", p, done, len(plans), ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// every calls f every interval until the returned stop is called.
func every(interval time.Duration, f func()) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				f()
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// caseStartWait bounds how long describeAll waits for a workflow that does not exist
// yet. A registration answers before its case workflow's start is known (fast-updates),
// and Temporal may start the case well after its campaign shows the next phase in the
// read model; the campaign's run does not end before every start.
const caseStartWait = 2 * time.Minute

// describeAll sums StateTransitionCount and HistoryLength of the given workflows, as
// DescribeWorkflowExecution reports them, waiting up to caseStartWait for each to exist.
func describeAll(ctx context.Context, sh *shard, ids []string) (transitions, events int64, err error) {
	var mu sync.Mutex
	err = forEach(ctx, ids, 8, func(ctx context.Context, id string) error {
		resp, err := sh.client.DescribeWorkflowExecution(ctx, id, "")
		for wait := time.Now().Add(caseStartWait); isNotFound(err) && time.Now().Before(wait); {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
			resp, err = sh.client.DescribeWorkflowExecution(ctx, id, "")
		}
		if err != nil {
			return fmt.Errorf("describe %s: %w", id, err)
		}
		info := resp.GetWorkflowExecutionInfo()
		mu.Lock()
		transitions += info.GetStateTransitionCount()
		events += info.GetHistoryLength()
		mu.Unlock()
		return nil
	})
	return transitions, events, err
}

func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}
