package workflows_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/guizhou-commerce/selection/activities"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/worker"
	"github.com/guizhou-commerce/selection/workflows"
)

// recorder is the system of record of the workflow tests: it keeps what the activities
// wrote, with the same never-regress rule as PostgreSQL, so tests can read the read model.
type recorder struct {
	mu      sync.Mutex
	apps    map[string]readmodel.Application
	camp    readmodel.CampaignView
	events  map[string][]readmodel.Event
	notices []readmodel.Notice
	objs    map[string]*readmodel.Objection
	final   *readmodel.Designation
}

func newRecorder() *recorder {
	return &recorder{apps: map[string]readmodel.Application{}, events: map[string][]readmodel.Event{}, objs: map[string]*readmodel.Objection{}}
}

// file stands for the API filing a public objection into the system of record.
func (r *recorder) file(t *testing.T, county, reason, contact string) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	if a := r.apps[county]; a.State != domain.StateShortlisted {
		t.Fatalf("objection against %s, which is %s", county, a.State)
	}
	id := fmt.Sprintf("2016-%s-%d", county, len(r.objs)+1)
	r.objs[id] = &readmodel.Objection{ID: id, Year: 2016, County: county, Reason: reason, Contact: contact, Status: domain.ObjectionOpen}
	return id
}

func (r *recorder) CountObjections(_ context.Context, year int, county string, _ time.Time) (readmodel.ObjectionCount, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var n readmodel.ObjectionCount
	for _, o := range r.objs {
		switch {
		case o.County != county:
		case o.Status == domain.ObjectionOpen:
			n.Open++
		case o.Status == domain.ObjectionUpheld:
			n.Upheld++
		}
	}
	return n, nil
}

func (r *recorder) ResolveObjection(_ context.Context, in readmodel.ObjectionDecision) (readmodel.Objection, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, ok := r.objs[in.ID]
	if !ok || o.County != in.County {
		return readmodel.Objection{}, &domain.RuleError{Code: domain.CodeNotFound, Message: "no objection " + in.ID}
	}
	if o.Status != domain.ObjectionOpen {
		return readmodel.Objection{}, &domain.RuleError{Code: domain.CodeConflict, Rule: "R10", Message: "objection " + in.ID + " is already " + string(o.Status)}
	}
	o.Status, o.Note, o.ResolvedBy, o.ResolvedAt, o.Version = domain.ObjectionStatus(in.Decision), in.Note, in.ResolvedBy, &in.At, in.Version
	res := *o
	res.Contact = ""
	return res, nil
}

func (r *recorder) ApplyProjection(_ context.Context, p readmodel.Projection) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p.Designation != nil {
		r.final = p.Designation
	}
	if p.Campaign != nil && p.Campaign.Version >= r.camp.Version {
		r.camp = *p.Campaign
	}
	for _, a := range p.Applications {
		if old, ok := r.apps[a.County]; !ok || a.Version >= old.Version {
			r.apps[a.County] = a
		}
		if a.State == domain.StateWithdrawn || a.State == domain.StateRemoved {
			for _, o := range r.objs { // as the store does: nothing left to object to (R10)
				if o.County == a.County && o.Status == domain.ObjectionOpen {
					o.Status = domain.ObjectionMoot
				}
			}
		}
	}
	for _, e := range p.Events {
		evs := r.events[e.WorkflowID]
		if len(evs) > 0 && evs[len(evs)-1].Seq >= e.Seq {
			continue
		}
		r.events[e.WorkflowID] = append(evs, e)
	}
	return nil
}

func (r *recorder) SaveNotice(_ context.Context, n readmodel.Notice) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.notices = append(r.notices, n)
	return nil
}

func (r *recorder) state(county string) domain.State {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.apps[county].State
}

// calendar is a test that plays dates of the 2016 notice on the time-skipping test
// environment. Steps are scheduled while the test is built: each action takes the next
// minute of its date, so every Update (and its activity) completes before the next runs.
type calendar struct {
	t       *testing.T
	env     *testsuite.TestWorkflowEnvironment
	rec     *recorder
	start   time.Time
	cursor  time.Time
	n       int
	pending map[string]string
}

var sh = domain.Shanghai

func date(month time.Month, day, hour int) time.Time {
	return time.Date(2016, month, day, hour, 0, 0, 0, sh)
}

func newCalendar(t *testing.T) *calendar {
	var s testsuite.WorkflowTestSuite
	s.SetLogger(log.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := s.NewTestWorkflowEnvironment()
	rec := newRecorder()
	worker.Register(env, &activities.Activities{Store: rec})
	start := date(time.July, 1, 9)
	env.SetStartTime(start)
	env.SetTestTimeout(2 * time.Minute)
	return &calendar{t: t, env: env, rec: rec, start: start, pending: map[string]string{}}
}

// at runs the step builder with the cursor on a date of the campaign.
func (c *calendar) at(when time.Time, build func()) {
	require.True(c.t, when.After(c.start) && !when.Before(c.cursor), "steps go forward in time")
	c.cursor = when
	build()
}

// then schedules a check (or any action) in the next free minute.
func (c *calendar) then(fn func()) {
	when := c.cursor
	c.cursor = c.cursor.Add(time.Minute)
	c.env.RegisterDelayedCallback(fn, when.Sub(c.start))
}

// send schedules an Update; in may be a func() any evaluated when the step runs (for
// inputs that depend on an earlier result). done receives the refusal, if any.
func (c *calendar) send(name string, in any, out any, done func(*domain.RuleError)) {
	c.then(func() {
		if f, ok := in.(func() any); ok {
			in = f()
		}
		c.n++
		id := fmt.Sprintf("u%d", c.n)
		c.pending[id] = fmt.Sprintf("%s(%+v)", name, in)
		finish := func(v any, err error) {
			delete(c.pending, id)
			if err != nil {
				re, ok := workflows.RuleErrorOf(err)
				if !ok {
					c.t.Errorf("update %s: unexpected error %v", name, err)
					return
				}
				done(re)
				return
			}
			if out != nil {
				b, merr := json.Marshal(v)
				if merr == nil {
					merr = json.Unmarshal(b, out)
				}
				if merr != nil {
					c.t.Errorf("update %s: decode result: %v", name, merr)
				}
			}
			done(nil)
		}
		c.env.UpdateWorkflow(name, id, &testsuite.TestUpdateCallback{
			OnAccept:   func() {},
			OnReject:   func(err error) { finish(nil, err) },
			OnComplete: finish,
		}, in)
	})
}

// ok sends an Update that must be accepted.
func (c *calendar) ok(name string, in any, out any) {
	c.send(name, in, out, func(re *domain.RuleError) {
		if re != nil {
			c.t.Errorf("update %s(%+v) refused: %v", name, in, re)
		}
	})
}

// file schedules the administrator registering county, delivering its complete
// materials and submitting it (R2, R6): the opening of most calendars.
func (c *calendar) file(county string) {
	c.ok(workflows.UpdateRegister, workflows.RegisterInput{Actor: admin, County: county}, nil)
	c.ok(workflows.UpdateMaterials, workflows.MaterialsInput{Actor: admin, County: county, Items: complete()}, nil)
	c.ok(workflows.UpdateSubmit, workflows.SubmitInput{Actor: admin, County: county}, nil)
}

// rankRenhuaiAlone plays the shortest way to a ranking: 仁怀 520382 filed and
// self-applied on 2 July (R4), scored 80 and ranked on 3 August (R7, R8).
func (c *calendar) rankRenhuaiAlone() {
	c.at(date(time.July, 2, 9), func() {
		c.file("520382")
		c.ok(workflows.UpdateSelfApply, workflows.SelfApplyInput{Actor: admin, County: "520382"}, nil)
	})
	c.at(date(time.August, 3, 9), func() {
		c.ok(workflows.UpdateScore, workflows.ScoreInput{Actor: reviewer("li"), County: "520382", Criteria: card(80, 80, 80, 80, 80, 80)}, nil)
		c.ok(workflows.UpdateRank, workflows.AdminInput{Actor: admin}, nil)
	})
}

// refused sends an Update that must be refused with the given code and rule.
func (c *calendar) refused(name string, in any, code domain.Code, rule string) {
	c.send(name, in, nil, func(re *domain.RuleError) {
		if re == nil {
			c.t.Errorf("update %s(%+v) accepted; want %s %s", name, in, code, rule)
			return
		}
		if re.Code != code || re.Rule != rule {
			c.t.Errorf("update %s(%+v) refused with %s %s (%s); want %s %s", name, in, re.Code, re.Rule, re.Message, code, rule)
		}
	})
}

func (c *calendar) query() readmodel.CampaignView {
	v, err := c.env.QueryWorkflow(workflows.QueryCampaign)
	require.NoError(c.t, err)
	var cv readmodel.CampaignView
	require.NoError(c.t, v.Get(&cv))
	return cv
}

// expectState checks the read model in the next free minute.
func (c *calendar) expectState(county string, want domain.State) {
	c.then(func() { c.assertState(county, want) })
}

func (c *calendar) assertState(county string, want domain.State) {
	if got := c.rec.state(county); got != want {
		c.t.Errorf("%s is %s in the read model; want %s", county, got, want)
	}
}

// run starts the campaign and plays every scheduled step to the end.
func (c *calendar) run(cfg domain.Campaign) readmodel.CampaignView {
	c.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: workflows.CampaignID(cfg.Province, cfg.Year)})
	c.env.ExecuteWorkflow(workflows.CampaignWorkflowName, workflows.CampaignInput{Config: cfg, CreatedBy: admin})
	require.True(c.t, c.env.IsWorkflowCompleted())
	require.NoError(c.t, c.env.GetWorkflowError())
	assert.Empty(c.t, c.pending, "updates that never finished")
	var v readmodel.CampaignView
	require.NoError(c.t, c.env.GetWorkflowResult(&v))
	return v
}

var (
	admin    = domain.Actor{Sub: "zeng", Role: domain.RoleAdmin, Region: "520000"}
	reviewer = func(name string) domain.Actor {
		return domain.Actor{Sub: name, Role: domain.RoleReviewer, Region: "520000"}
	}
	county = func(code string) domain.Actor {
		return domain.Actor{Sub: "official-" + code, Role: domain.RoleCounty, Region: code}
	}
	prefecture = func(code string) domain.Actor {
		return domain.Actor{Sub: "official-" + code, Role: domain.RolePrefecture, Region: code}
	}
)

// campaign2016 is the configuration of the 2016 notice (R1).
func campaign2016() domain.Campaign {
	return domain.Campaign{
		Year: 2016, Province: "520000", Quota: 12, PrefectureCap: 2,
		RecommendationDeadline: time.Date(2016, 8, 1, 23, 59, 59, 0, sh),
		NoticeDeadline:         time.Date(2016, 8, 10, 23, 59, 59, 0, sh),
		PublicityPeriod:        domain.DefaultPublicityPeriod,
		Excluded:               []string{"520123"},
		NationalScores:         map[string]float64{"520328": 86.5, "522635": 80},
		Weights:                domain.DefaultWeights(),
	}
}

func complete() domain.Materials {
	m := domain.Materials{}
	for _, it := range domain.Checklist {
		if it.Required {
			m[it.Number] = domain.Delivery{Copies: 3}
		}
	}
	return m
}

func card(org, infra, logi, sales, impl, other float64) domain.Scorecard {
	return domain.Scorecard{"organization": org, "infrastructure": infra, "logistics": logi, "online_sales": sales, "implementers": impl, "other": other}
}
