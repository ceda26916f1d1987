// Package activities holds the I/O the workflows hand off: writes to the system of
// record (read model, timelines, published notices). Each activity is idempotent, so
// Temporal may retry it after any crash without duplicating or regressing a row.
package activities

import (
	"context"
	"fmt"

	"github.com/guizhou-commerce/selection/workflows"
)

// Store is the system of record the activities write to; store.Store implements it on
// PostgreSQL.
type Store interface {
	// ApplyProjection writes snapshots only when newer than what is stored and inserts
	// timeline events once per (workflow, seq).
	ApplyProjection(ctx context.Context, p workflows.Projection) error
	// SaveNotice stores the published notice, keeping the newest version.
	SaveNotice(ctx context.Context, n workflows.Notice) error
}

// Activities are the activity implementations, bound to their dependencies.
type Activities struct {
	Store Store
}

// Project writes one batch of read-model changes and timeline events (R11).
func (a *Activities) Project(ctx context.Context, p workflows.Projection) error {
	if err := a.Store.ApplyProjection(ctx, p); err != nil {
		return fmt.Errorf("project campaign %d: %w", p.Year, err)
	}
	return nil
}

// PublishNotice makes the 公示 public (R9, R11): once stored, GET /notice serves it.
func (a *Activities) PublishNotice(ctx context.Context, n workflows.Notice) error {
	if err := a.Store.SaveNotice(ctx, n); err != nil {
		return fmt.Errorf("publish notice %d: %w", n.Year, err)
	}
	return nil
}
