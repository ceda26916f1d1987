// Package activities holds the I/O the workflows hand off: writes to the system of
// record (read model, timelines, published notices). Each activity is idempotent, so
// Temporal may retry it after any crash without duplicating or regressing a row.
package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

// Store is the system of record the activities write to; store.Store implements it on
// PostgreSQL.
type Store interface {
	// ApplyProjection writes snapshots only when newer than what is stored and inserts
	// timeline events once per (workflow, seq).
	ApplyProjection(ctx context.Context, p readmodel.Projection) error
	// SaveNotice stores the published notice, keeping the newest version.
	SaveNotice(ctx context.Context, n readmodel.Notice) error
	// CountObjections counts a county's objections once its publicity has ended.
	CountObjections(ctx context.Context, year int, county string, ends time.Time) (readmodel.ObjectionCount, error)
	// ResolveObjection records a decision on an open objection.
	ResolveObjection(ctx context.Context, in readmodel.ObjectionDecision) (readmodel.Objection, error)
}

// Activities are the activity implementations, bound to their dependencies. Workflows
// name them by method value on a nil *Activities (acts.Project), so the registered name
// is the method's and a renamed method fails to compile instead of failing at run time;
// the names are in recorded histories and must not change.
type Activities struct {
	Store Store
}

// CountObjectionsInput asks for a county's objections when its publicity ends (R10).
type CountObjectionsInput struct {
	Year   int    `json:"year"`
	County string `json:"county"`
	// Ends is the end of the county's publicity period: the store refuses to count
	// before its own clock has passed it, so no objection accepted in the period is
	// left out.
	Ends time.Time `json:"ends"`
}

// Project writes one batch of read-model changes and timeline events (R11).
func (a *Activities) Project(ctx context.Context, p readmodel.Projection) error {
	if err := a.Store.ApplyProjection(ctx, p); err != nil {
		return fmt.Errorf("project campaign %d: %w", p.Year, err)
	}
	return nil
}

// PublishNotice makes the 公示 public (R9, R11): once stored, GET /notice serves it.
func (a *Activities) PublishNotice(ctx context.Context, n readmodel.Notice) error {
	if err := a.Store.SaveNotice(ctx, n); err != nil {
		return fmt.Errorf("publish notice %d: %w", n.Year, err)
	}
	return nil
}

// CountObjections counts a county's objections when its publicity ends (R10). It is a
// read, so retries are harmless; until the store's clock has passed the period's end
// it fails and Temporal retries it.
func (a *Activities) CountObjections(ctx context.Context, in CountObjectionsInput) (readmodel.ObjectionCount, error) {
	n, err := a.Store.CountObjections(ctx, in.Year, in.County, in.Ends)
	if err != nil {
		return n, fmt.Errorf("count objections: %w", err)
	}
	return n, nil
}

// ResolveObjection records an administrator's decision (R10). A refusal of the store
// (the objection is not open, or not of that county) is final, not retried.
func (a *Activities) ResolveObjection(ctx context.Context, in readmodel.ObjectionDecision) (readmodel.Objection, error) {
	o, err := a.Store.ResolveObjection(ctx, in)
	var re *domain.RuleError
	if errors.As(err, &re) {
		return o, temporal.NewApplicationErrorWithOptions(re.Message, string(re.Code), temporal.ApplicationErrorOptions{
			NonRetryable: true, Details: []any{re.Rule},
		})
	}
	if err != nil {
		return o, fmt.Errorf("resolve objection: %w", err)
	}
	return o, nil
}
