package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

// Every snapshot upsert below only overwrites a row with a strictly newer version, so an
// activity retried after a crash, a batch applied late behind a newer one, or two batches
// racing each other all leave the newest snapshot in place.

// upsertCampaignSQL keeps the workflow ID the campaign was first written with; a view
// recorded before a deployment served several provinces names none, and its workflow's
// ID is the year's alone.
const upsertCampaignSQL = `
INSERT INTO campaigns (year, province, workflow_id, phase, overdue, view, version, updated_at)
VALUES ($1, $2, COALESCE(NULLIF($8, ''), 'campaign/' || $1::integer), $3, $4, $5, $6, COALESCE($7, now()))
ON CONFLICT (province, year) DO UPDATE SET
    phase = EXCLUDED.phase,
    overdue = EXCLUDED.overdue,
    view = EXCLUDED.view,
    version = EXCLUDED.version,
    updated_at = EXCLUDED.updated_at
WHERE campaigns.version < EXCLUDED.version`

// upsertApplicationSQL writes the application and, only when that write won the version
// check (the app CTE returned a row), its scorecards: cards of the new view are upserted,
// cards it no longer holds are deleted. A stale snapshot thus touches neither table.
const upsertApplicationSQL = `
WITH app AS (
    INSERT INTO applications (year, county, prefecture, state, exempt, directly_administered, materials,
        recommendation_order, review_score, total, rank, view, version, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, COALESCE($14, now()))
    ON CONFLICT (year, county) DO UPDATE SET
        prefecture = EXCLUDED.prefecture,
        state = EXCLUDED.state,
        exempt = EXCLUDED.exempt,
        directly_administered = EXCLUDED.directly_administered,
        materials = EXCLUDED.materials,
        recommendation_order = EXCLUDED.recommendation_order,
        review_score = EXCLUDED.review_score,
        total = EXCLUDED.total,
        rank = EXCLUDED.rank,
        view = EXCLUDED.view,
        version = EXCLUDED.version,
        updated_at = EXCLUDED.updated_at
    WHERE applications.version < EXCLUDED.version
    RETURNING year, county, version
), stale AS (
    DELETE FROM scorecards s USING app
    WHERE s.year = app.year AND s.county = app.county AND s.version < app.version
        AND s.reviewer <> ALL ($15::text[])
)
INSERT INTO scorecards (year, county, reviewer, criteria, comment, at, version)
SELECT app.year, app.county, c.reviewer, c.criteria, c.comment, c.at, app.version
FROM app, unnest($15::text[], $16::jsonb[], $17::text[], $18::timestamptz[]) AS c(reviewer, criteria, comment, at)
ON CONFLICT (year, county, reviewer) DO UPDATE SET
    criteria = EXCLUDED.criteria,
    comment = EXCLUDED.comment,
    at = EXCLUDED.at,
    version = EXCLUDED.version
WHERE scorecards.version < EXCLUDED.version`

const upsertObjectionSQL = `
INSERT INTO objections (id, year, county, reason, contact, status, note, resolved_by, filed_at, resolved_at, version)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (id) DO UPDATE SET
    year = EXCLUDED.year,
    county = EXCLUDED.county,
    reason = EXCLUDED.reason,
    contact = EXCLUDED.contact,
    status = EXCLUDED.status,
    note = EXCLUDED.note,
    resolved_by = EXCLUDED.resolved_by,
    filed_at = EXCLUDED.filed_at,
    resolved_at = EXCLUDED.resolved_at,
    version = EXCLUDED.version
WHERE objections.version < EXCLUDED.version`

// insertEventsSQL appends timeline events; (workflow_id, seq) names an event across
// activity retries, so a replayed event is skipped, never duplicated or rewritten.
const insertEventsSQL = `
INSERT INTO timeline_events (workflow_id, seq, year, county, at, actor, action, from_state, to_state, rule, detail)
SELECT workflow_id, seq, year, NULLIF(county, ''), at, actor, action, from_state, to_state, rule, detail
FROM unnest($1::text[], $2::bigint[], $3::integer[], $4::text[], $5::timestamptz[], $6::text[], $7::text[],
    $8::text[], $9::text[], $10::text[], $11::text[])
    AS e(workflow_id, seq, year, county, at, actor, action, from_state, to_state, rule, detail)
ON CONFLICT (workflow_id, seq) DO NOTHING`

// provinceOfSQL is the province of a batch or notice: its own, or, for one recorded
// before a deployment served several provinces, that of the campaign whose workflow ID
// is the year's alone ($1 the year, $2 the province or ”).
const provinceOfSQL = `COALESCE(NULLIF($2, ''), (SELECT province FROM campaigns WHERE workflow_id = 'campaign/' || $1::integer))`

const upsertNoticeSQL = `
INSERT INTO notices (year, province, published_at, publicity_ends_at, late, text, shortlist, view, version)
VALUES ($1, ` + provinceOfSQL + `, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (province, year) DO UPDATE SET
    published_at = EXCLUDED.published_at,
    publicity_ends_at = EXCLUDED.publicity_ends_at,
    late = EXCLUDED.late,
    text = EXCLUDED.text,
    shortlist = EXCLUDED.shortlist,
    view = EXCLUDED.view,
    version = EXCLUDED.version
WHERE notices.version < EXCLUDED.version`

// mootNote is the note on the open objections of a county that left the shortlist.
var mootNote = map[domain.State]string{
	domain.StateWithdrawn: "the county withdrew",
	domain.StateRemoved:   "the county was removed",
}

// insertDesignationSQL writes a closed campaign's final list once; the document
// reference is recorded on it later (SetDesignationRef) and a replayed batch keeps it.
const insertDesignationSQL = `
INSERT INTO designations (year, province, closed_at, view) VALUES ($1, ` + provinceOfSQL + `, $3, $4)
ON CONFLICT (province, year) DO NOTHING`

// insertNoticeVersionSQL keeps every published version of the notice (R10).
const insertNoticeVersionSQL = `
INSERT INTO notice_versions (year, province, version, view) VALUES ($1, ` + provinceOfSQL + `, $3, $4)
ON CONFLICT (province, year, version) DO NOTHING`

// ApplyProjection writes one batch of read-model changes in one transaction and one
// round trip. It is idempotent: applying a batch again, after a newer one, or
// concurrently with others leaves exactly one row per key holding the newest version,
// and one timeline row per (workflow, seq). Rows are written in a fixed order (campaign,
// applications by county, objections by id, events by workflow and seq) so that
// concurrent batches take row locks in the same order and cannot deadlock.
func (s *Store) ApplyProjection(ctx context.Context, p readmodel.Projection) error {
	batch, labels, err := projectionBatch(p)
	if err != nil {
		return fmt.Errorf("apply projection of campaign %d: %w", p.Year, err)
	}
	if len(labels) == 0 {
		return nil
	}
	err = s.WithTx(ctx, func(tx pgx.Tx) error {
		return sendBatch(ctx, tx, batch, labels)
	})
	if err != nil {
		return fmt.Errorf("apply projection of campaign %d: %w", p.Year, err)
	}
	return nil
}

// SaveNotice stores the published notice (R9), keeping the newest version, so GET
// /notice serves it from then on.
func (s *Store) SaveNotice(ctx context.Context, n readmodel.Notice) error {
	view, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("save notice %d: encode: %w", n.Year, err)
	}
	shortlist, err := json.Marshal(nonNil(n.Shortlist))
	if err != nil {
		return fmt.Errorf("save notice %d: encode shortlist: %w", n.Year, err)
	}
	err = s.WithTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, upsertNoticeSQL, n.Year, n.Province, n.PublishedAt, n.PublicityEndsAt, n.Late, n.Text,
			shortlist, view, n.Version); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, insertNoticeVersionSQL, n.Year, n.Province, n.Version, view)
		return err
	})
	if err != nil {
		return fmt.Errorf("save notice %d: %w", n.Year, err)
	}
	return nil
}

// projectionBatch turns a projection into queued statements, each with a label naming
// what it writes for error messages.
func projectionBatch(p readmodel.Projection) (*pgx.Batch, []string, error) {
	b := &pgx.Batch{}
	var labels []string
	if c := p.Campaign; c != nil {
		if c.Year != p.Year || (p.Province != "" && c.Province != p.Province) {
			return nil, nil, fmt.Errorf("campaign view is of %s %d", c.Province, c.Year)
		}
		view, err := json.Marshal(c)
		if err != nil {
			return nil, nil, fmt.Errorf("encode campaign: %w", err)
		}
		b.Queue(upsertCampaignSQL, c.Year, c.Province, string(c.Phase), c.Overdue, view, c.Version, nullTime(c.UpdatedAt), c.WorkflowID)
		labels = append(labels, fmt.Sprintf("campaign %d v%d", c.Year, c.Version))
	}

	apps := slices.Clone(p.Applications)
	slices.SortStableFunc(apps, func(a, b readmodel.Application) int {
		return cmp.Or(strings.Compare(a.County, b.County), cmp.Compare(a.Version, b.Version))
	})
	for _, a := range apps {
		if a.Year != p.Year || a.County == "" {
			return nil, nil, fmt.Errorf("application %d/%q does not belong to the projection", a.Year, a.County)
		}
		args, err := applicationArgs(a)
		if err != nil {
			return nil, nil, err
		}
		b.Queue(upsertApplicationSQL, args...)
		labels = append(labels, fmt.Sprintf("application %s v%d", a.County, a.Version))
		if note, out := mootNote[a.State]; out {
			// R10: a county out of the shortlist leaves nothing to object to. In the
			// transaction that changes its state, so no filing slips in between.
			b.Queue(mootObjectionsSQL, a.Year, a.County, note, a.Version)
			labels = append(labels, fmt.Sprintf("objections of %s moot", a.County))
		}
	}

	objs := slices.Clone(p.Objections)
	slices.SortStableFunc(objs, func(a, b readmodel.Objection) int {
		return cmp.Or(strings.Compare(a.ID, b.ID), cmp.Compare(a.Version, b.Version))
	})
	for _, o := range objs {
		if o.ID == "" || o.Year != p.Year {
			return nil, nil, fmt.Errorf("objection %q of year %d does not belong to the projection", o.ID, o.Year)
		}
		b.Queue(upsertObjectionSQL, o.ID, o.Year, o.County, o.Reason, o.Contact, string(o.Status), o.Note,
			o.ResolvedBy, o.FiledAt, o.ResolvedAt, o.Version)
		labels = append(labels, fmt.Sprintf("objection %s v%d", o.ID, o.Version))
	}

	if d := p.Designation; d != nil {
		view, err := json.Marshal(d)
		if err != nil {
			return nil, nil, fmt.Errorf("encode designation: %w", err)
		}
		province := p.Province
		if province == "" && p.Campaign != nil {
			province = p.Campaign.Province
		}
		b.Queue(insertDesignationSQL, p.Year, province, d.ClosedAt, view)
		labels = append(labels, fmt.Sprintf("designation %d", p.Year))
	}

	if len(p.Events) > 0 {
		args, err := eventArgs(p.Year, p.Events)
		if err != nil {
			return nil, nil, err
		}
		b.Queue(insertEventsSQL, args...)
		labels = append(labels, fmt.Sprintf("%d timeline events", len(p.Events)))
	}
	return b, labels, nil
}

// applicationArgs are the parameters of upsertApplicationSQL; scorecards are passed as
// parallel arrays, one card per reviewer (the last wins should a view repeat one).
func applicationArgs(a readmodel.Application) ([]any, error) {
	view, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("encode application %s: %w", a.County, err)
	}
	materials, err := json.Marshal(a.Materials)
	if err != nil {
		return nil, fmt.Errorf("encode materials of %s: %w", a.County, err)
	}
	cards := map[string]readmodel.ScorecardView{}
	for _, c := range a.Scores.Scorecards {
		cards[c.Reviewer] = c
	}
	reviewers := slices.Sorted(maps.Keys(cards))
	// Non-nil slices: a NULL array would make "reviewer <> ALL" unknown and keep stale cards.
	criteria, comments, ats := make([]string, 0, len(cards)), make([]string, 0, len(cards)), make([]time.Time, 0, len(cards))
	if reviewers == nil {
		reviewers = []string{}
	}
	for _, r := range reviewers {
		c := cards[r]
		crit, err := json.Marshal(c.Criteria)
		if err != nil {
			return nil, fmt.Errorf("encode scorecard of %s by %s: %w", a.County, r, err)
		}
		criteria = append(criteria, string(crit))
		comments = append(comments, c.Comment)
		ats = append(ats, c.At)
	}
	return []any{a.Year, a.County, a.Prefecture, string(a.State), a.Exempt, a.DirectlyAdministered, materials,
		a.RecommendationOrder, a.Scores.Review, a.Total, a.Rank, view, a.Version, nullTime(a.UpdatedAt),
		reviewers, criteria, comments, ats}, nil
}

// eventArgs are the parallel arrays of insertEventsSQL, sorted by (workflow, seq). The
// year and county of an event come from its workflow ID (ApplicationID, CampaignID).
func eventArgs(year int, events []readmodel.Event) ([]any, error) {
	evs := slices.Clone(events)
	slices.SortStableFunc(evs, func(a, b readmodel.Event) int {
		return cmp.Or(strings.Compare(a.WorkflowID, b.WorkflowID), cmp.Compare(a.Seq, b.Seq))
	})
	n := len(evs)
	ids, seqs, years, ats := make([]string, n), make([]int64, n), make([]int32, n), make([]time.Time, n)
	counties, actors, actions := make([]string, n), make([]string, n), make([]string, n)
	froms, tos, rules, details := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, e := range evs {
		if e.WorkflowID == "" || e.Seq < 1 {
			return nil, fmt.Errorf("timeline event %q #%d: want a workflow ID and a sequence from 1", e.WorkflowID, e.Seq)
		}
		y, county := workflowScope(e.WorkflowID, year)
		ids[i], seqs[i], years[i], counties[i], ats[i] = e.WorkflowID, e.Seq, int32(y), county, e.At
		actors[i], actions[i], froms[i], tos[i], rules[i], details[i] = e.Actor, e.Action, e.From, e.To, e.Rule, e.Detail
	}
	return []any{ids, seqs, years, counties, ats, actors, actions, froms, tos, rules, details}, nil
}

// workflowScope reads the year and county out of a workflow ID of the contract
// ("application/2016/520322", "campaign/520000/2016", or "campaign/2016" for a campaign
// started before provinces); other IDs keep the projection's year.
func workflowScope(id string, year int) (int, string) {
	parts := strings.Split(id, "/")
	var y string
	switch {
	case parts[0] == "application" && len(parts) == 3:
		y = parts[1]
	case parts[0] == "campaign" && len(parts) == 2:
		y = parts[1]
	case parts[0] == "campaign" && len(parts) == 3:
		y = parts[2]
	default:
		return year, ""
	}
	n, err := strconv.Atoi(y)
	if err != nil {
		return year, ""
	}
	if parts[0] == "application" {
		return n, parts[2]
	}
	return n, ""
}

// nullTime lets the column default (now()) stand in for a view that carries no time.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// nonNil makes an absent list a JSON array, not null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// sendBatch runs the queued statements in tx and names the one that failed.
func sendBatch(ctx context.Context, tx pgx.Tx, b *pgx.Batch, labels []string) error {
	br := tx.SendBatch(ctx, b)
	for _, l := range labels {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return fmt.Errorf("write %s: %w", l, err)
		}
	}
	if err := br.Close(); err != nil {
		return fmt.Errorf("write projection: %w", err)
	}
	return nil
}
