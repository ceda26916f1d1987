package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/workflows"
)

// The reads serve the HTTP API's lists and details from PostgreSQL rather than Temporal
// visibility. Campaigns, applications and notices come back as the JSON views the
// workflow computed, so the API returns exactly what the rules decided.

const (
	campaignSQL     = `SELECT view FROM campaigns WHERE year = $1`
	campaignYearSQL = `SELECT EXISTS (SELECT 1 FROM campaigns WHERE year = $1)`
	applicationSQL  = `SELECT view FROM applications WHERE year = $1 AND county = $2`
	applicationsSQL = `
SELECT view FROM applications
WHERE year = $1 AND ($2 = '' OR prefecture = $2) AND ($3 = '' OR state = $3)
ORDER BY county`
	timelineSQL = `
SELECT workflow_id, seq, at, actor, action, from_state AS "from", to_state AS "to", rule, detail
FROM timeline_events WHERE workflow_id = $1 ORDER BY seq`
	noticeSQL     = `SELECT view FROM notices WHERE year = $1`
	objectionCols = `id, year, county, reason, contact, status, note, resolved_by, filed_at, resolved_at, version`
	objectionsSQL = `SELECT ` + objectionCols + ` FROM objections
WHERE year = $1 AND ($2 = '' OR status = $2) ORDER BY filed_at, id`
	objectionSQL = `SELECT ` + objectionCols + ` FROM objections WHERE year = $1 AND id = $2`
	divisionSQL  = `
SELECT code, name, level, COALESCE(parent_code, '') AS parent_code, directly_administered
FROM divisions WHERE code = $1`
)

// Campaign returns the campaign view of a year as last projected.
func (s *Store) Campaign(ctx context.Context, year int) (workflows.CampaignView, error) {
	var v workflows.CampaignView
	if err := one(s.pool.QueryRow(ctx, campaignSQL, year).Scan(&v)); err != nil {
		return workflows.CampaignView{}, fmt.Errorf("campaign %d: %w", year, err)
	}
	return v, nil
}

// Applications lists a campaign's applications ordered by county code, optionally
// filtered by prefecture and state ("" matches any). An unknown campaign is ErrNotFound,
// so the API can tell "no such year" from "nothing matches".
func (s *Store) Applications(ctx context.Context, year int, prefecture, state string) ([]workflows.Application, error) {
	rows, _ := s.pool.Query(ctx, applicationsSQL, year, prefecture, state)
	apps, err := pgx.CollectRows(rows, pgx.RowTo[workflows.Application])
	if err != nil {
		return nil, fmt.Errorf("applications of campaign %d: %w", year, err)
	}
	if len(apps) == 0 {
		if err := s.campaignExists(ctx, year); err != nil {
			return nil, fmt.Errorf("applications of campaign %d: %w", year, err)
		}
	}
	return apps, nil
}

// Application returns one county's application as last projected.
func (s *Store) Application(ctx context.Context, year int, county string) (workflows.Application, error) {
	var a workflows.Application
	if err := one(s.pool.QueryRow(ctx, applicationSQL, year, county).Scan(&a)); err != nil {
		return workflows.Application{}, fmt.Errorf("application %s of campaign %d: %w", county, year, err)
	}
	return a, nil
}

// Timeline returns a workflow's audit timeline (R11), oldest first; a workflow with no
// events yet has an empty (non-nil) timeline, which encodes as [].
func (s *Store) Timeline(ctx context.Context, workflowID string) ([]workflows.Event, error) {
	rows, _ := s.pool.Query(ctx, timelineSQL, workflowID)
	events, err := pgx.CollectRows(rows, pgx.RowToStructByName[workflows.Event])
	if err != nil {
		return nil, fmt.Errorf("timeline of %s: %w", workflowID, err)
	}
	return nonNil(events), nil
}

// Notice returns the published notice of a year (R9); ErrNotFound before publication.
func (s *Store) Notice(ctx context.Context, year int) (workflows.Notice, error) {
	var n workflows.Notice
	if err := one(s.pool.QueryRow(ctx, noticeSQL, year).Scan(&n)); err != nil {
		return workflows.Notice{}, fmt.Errorf("notice %d: %w", year, err)
	}
	return n, nil
}

// Objections lists a campaign's objections in filing order, optionally of one status
// ("" matches any). An unknown campaign is ErrNotFound.
func (s *Store) Objections(ctx context.Context, year int, status string) ([]workflows.Objection, error) {
	rows, _ := s.pool.Query(ctx, objectionsSQL, year, status)
	objs, err := pgx.CollectRows(rows, pgx.RowToStructByName[workflows.Objection])
	if err != nil {
		return nil, fmt.Errorf("objections of campaign %d: %w", year, err)
	}
	if len(objs) == 0 {
		if err := s.campaignExists(ctx, year); err != nil {
			return nil, fmt.Errorf("objections of campaign %d: %w", year, err)
		}
	}
	return objs, nil
}

// Objection returns one objection of a campaign (R10).
func (s *Store) Objection(ctx context.Context, year int, id string) (workflows.Objection, error) {
	rows, _ := s.pool.Query(ctx, objectionSQL, year, id)
	o, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[workflows.Objection])
	if err := one(err); err != nil {
		return workflows.Objection{}, fmt.Errorf("objection %s of campaign %d: %w", id, year, err)
	}
	return o, nil
}

// Division returns one division of the reference data (R2, R4).
func (s *Store) Division(ctx context.Context, code string) (domain.Division, error) {
	rows, _ := s.pool.Query(ctx, divisionSQL, code)
	d, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[domain.Division])
	if err := one(err); err != nil {
		return domain.Division{}, fmt.Errorf("division %s: %w", code, err)
	}
	return d, nil
}

// campaignExists is nil when the campaign of year was projected, else ErrNotFound.
func (s *Store) campaignExists(ctx context.Context, year int) error {
	var ok bool
	if err := s.pool.QueryRow(ctx, campaignYearSQL, year).Scan(&ok); err != nil {
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
