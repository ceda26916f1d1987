package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/guizhou-commerce/selection/readmodel"
)

// The reads serve the HTTP API's lists and details from PostgreSQL rather than Temporal
// visibility. Campaigns, applications and notices come back as the JSON views the
// workflow computed, so the API returns exactly what the rules decided.

const (
	campaignSQL       = `SELECT view, workflow_id FROM campaigns WHERE province = $1 AND year = $2`
	campaignExistsSQL = `SELECT EXISTS (SELECT 1 FROM campaigns WHERE province = $1 AND year = $2)`
	applicationSQL    = `SELECT view FROM applications WHERE province = $1 AND year = $2 AND county = $3`
	// The list queries page by key (see page.go): $5 is the last key of the page before,
	// the key below every row on the first page, and the LIMIT asks for one row more than
	// the page holds, to tell whether another page follows.
	applicationsSQL = `
SELECT view FROM applications
WHERE province = $1 AND year = $2 AND ($3 = '' OR prefecture = $3) AND ($4 = '' OR state = $4) AND county > $5
ORDER BY county LIMIT $6`
	timelineSQL = `
SELECT workflow_id, seq, at, actor, action, from_state AS "from", to_state AS "to", rule, detail
FROM timeline_events WHERE workflow_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`
	noticeSQL     = `SELECT view FROM notices WHERE province = $1 AND year = $2`
	objectionCols = `id, year, county, reason, contact, status, note, resolved_by, filed_at, resolved_at, version, copies`
	objectionsSQL = `SELECT ` + objectionCols + ` FROM objections
WHERE province = $1 AND year = $2 AND ($3 = '' OR status = $3) AND (filed_at, id) > ($4, $5)
ORDER BY filed_at, id LIMIT $6`
	objectionSQL = `SELECT ` + objectionCols + ` FROM objections WHERE province = $1 AND year = $2 AND id = $3`
)

// Campaign returns a province's campaign of a year as last projected, with the ID of
// the workflow that runs it.
func (s *Store) Campaign(ctx context.Context, province string, year int) (readmodel.CampaignView, error) {
	var v readmodel.CampaignView
	if err := one(s.pool.QueryRow(ctx, campaignSQL, province, year).Scan(&v, &v.WorkflowID)); err != nil {
		return readmodel.CampaignView{}, fmt.Errorf("campaign %s/%d: %w", province, year, err)
	}
	return v, nil
}

// Applications lists a page of a campaign's applications ordered by county code,
// optionally filtered by prefecture and state ("" matches any); the key is the county.
// An unknown campaign is ErrNotFound, so the API can tell "no such year" from "nothing
// matches".
func (s *Store) Applications(ctx context.Context, province string, year int, prefecture, state string, page PageRequest[string]) (Page[readmodel.Application, string], error) {
	if err := page.check(); err != nil {
		return Page[readmodel.Application, string]{}, fmt.Errorf("applications of campaign %s/%d: %w", province, year, err)
	}
	after := "" // below every county code
	if page.After != nil {
		after = *page.After
	}
	rows, _ := s.pool.Query(ctx, applicationsSQL, province, year, prefecture, state, after, page.Limit+1)
	apps, err := pgx.CollectRows(rows, pgx.RowTo[readmodel.Application])
	if err != nil {
		return Page[readmodel.Application, string]{}, fmt.Errorf("applications of campaign %s/%d: %w", province, year, err)
	}
	if len(apps) == 0 {
		if err := s.campaignExists(ctx, province, year); err != nil {
			return Page[readmodel.Application, string]{}, fmt.Errorf("applications of campaign %s/%d: %w", province, year, err)
		}
	}
	return pageOf(apps, page.Limit, func(a readmodel.Application) string { return a.County }), nil
}

// Application returns one county's application as last projected.
func (s *Store) Application(ctx context.Context, province string, year int, county string) (readmodel.Application, error) {
	var a readmodel.Application
	if err := one(s.pool.QueryRow(ctx, applicationSQL, province, year, county).Scan(&a)); err != nil {
		return readmodel.Application{}, fmt.Errorf("application %s of campaign %s/%d: %w", county, province, year, err)
	}
	return a, nil
}

// Timeline returns a page of a workflow's audit timeline (R11), oldest first; the key
// is the event's seq. A workflow with no events yet has an empty (non-nil) timeline,
// which encodes as [].
func (s *Store) Timeline(ctx context.Context, workflowID string, page PageRequest[int64]) (Page[readmodel.Event, int64], error) {
	if err := page.check(); err != nil {
		return Page[readmodel.Event, int64]{}, fmt.Errorf("timeline of %s: %w", workflowID, err)
	}
	var after int64 // seq counts from 1
	if page.After != nil {
		after = *page.After
	}
	rows, _ := s.pool.Query(ctx, timelineSQL, workflowID, after, page.Limit+1)
	events, err := pgx.CollectRows(rows, pgx.RowToStructByName[readmodel.Event])
	if err != nil {
		return Page[readmodel.Event, int64]{}, fmt.Errorf("timeline of %s: %w", workflowID, err)
	}
	return pageOf(events, page.Limit, func(e readmodel.Event) int64 { return e.Seq }), nil
}

// Notice returns the published notice of a campaign (R9); ErrNotFound before publication.
func (s *Store) Notice(ctx context.Context, province string, year int) (readmodel.Notice, error) {
	var n readmodel.Notice
	if err := one(s.pool.QueryRow(ctx, noticeSQL, province, year).Scan(&n)); err != nil {
		return readmodel.Notice{}, fmt.Errorf("notice %s/%d: %w", province, year, err)
	}
	return n, nil
}

// Objections lists a page of a campaign's objections in filing order, optionally of one
// status ("" matches any). An unknown campaign is ErrNotFound.
func (s *Store) Objections(ctx context.Context, province string, year int, status string, page PageRequest[ObjectionKey]) (Page[readmodel.Objection, ObjectionKey], error) {
	if err := page.check(); err != nil {
		return Page[readmodel.Objection, ObjectionKey]{}, fmt.Errorf("objections of campaign %s/%d: %w", province, year, err)
	}
	// -infinity sorts before every filing time, so the first page needs no other query.
	afterAt, afterID := pgtype.Timestamptz{InfinityModifier: pgtype.NegativeInfinity, Valid: true}, ""
	if page.After != nil {
		afterAt, afterID = pgtype.Timestamptz{Time: page.After.FiledAt, Valid: true}, page.After.ID
	}
	rows, _ := s.pool.Query(ctx, objectionsSQL, province, year, status, afterAt, afterID, page.Limit+1)
	objs, err := pgx.CollectRows(rows, pgx.RowToStructByName[readmodel.Objection])
	if err != nil {
		return Page[readmodel.Objection, ObjectionKey]{}, fmt.Errorf("objections of campaign %s/%d: %w", province, year, err)
	}
	if len(objs) == 0 {
		if err := s.campaignExists(ctx, province, year); err != nil {
			return Page[readmodel.Objection, ObjectionKey]{}, fmt.Errorf("objections of campaign %s/%d: %w", province, year, err)
		}
	}
	return pageOf(objs, page.Limit, func(o readmodel.Objection) ObjectionKey {
		return ObjectionKey{FiledAt: o.FiledAt, ID: o.ID}
	}), nil
}

// Objection returns one objection of a campaign (R10).
func (s *Store) Objection(ctx context.Context, province string, year int, id string) (readmodel.Objection, error) {
	rows, _ := s.pool.Query(ctx, objectionSQL, province, year, id)
	o, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[readmodel.Objection])
	if err := one(err); err != nil {
		return readmodel.Objection{}, fmt.Errorf("objection %s of campaign %s/%d: %w", id, province, year, err)
	}
	return o, nil
}

// campaignExists is nil when the province's campaign of year was projected, else
// ErrNotFound.
func (s *Store) campaignExists(ctx context.Context, province string, year int) error {
	var ok bool
	if err := s.pool.QueryRow(ctx, campaignExistsSQL, province, year).Scan(&ok); err != nil {
		return err
	}
	if !ok {
		return ErrNotFound
	}
	return nil
}

// one maps "no row" to ErrNotFound, the sentinel the API turns into 404.
func one(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return ErrNotFound
	}
	return err
}
