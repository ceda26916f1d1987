package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

const (
	designationSQL   = `SELECT view, document_ref FROM designations WHERE province = $1 AND year = $2`
	noticeVersionSQL = `SELECT view FROM notice_versions WHERE province = $1 AND year = $2 AND version = $3`
	setRefSQL        = `
UPDATE designations SET document_ref = $3, recorded_by = $4, recorded_at = $5
WHERE province = $1 AND year = $2 RETURNING view, document_ref`
	// The campaign's workflow has completed when its final list exists, so the store
	// is the only writer of its timeline from then on.
	appendCampaignEventSQL = `
INSERT INTO timeline_events (workflow_id, seq, year, at, actor, action, from_state, to_state, rule, detail)
SELECT $1, COALESCE(max(seq), 0) + 1, $2, $3, $4, 'document_ref_recorded', 'closed', 'closed', 'R10', $5
FROM timeline_events WHERE workflow_id = $1`
)

// Designation returns a closed campaign's final list (R10); ErrNotFound until it closed.
func (s *Store) Designation(ctx context.Context, province string, year int) (readmodel.Designation, error) {
	var (
		d   readmodel.Designation
		raw []byte
		ref *string
	)
	if err := one(s.pool.QueryRow(ctx, designationSQL, province, year).Scan(&raw, &ref)); err != nil {
		return d, fmt.Errorf("designation %s/%d: %w", province, year, err)
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return d, fmt.Errorf("designation %s/%d: decode: %w", province, year, err)
	}
	d.DocumentRef = ref
	return d, nil
}

// SetDesignationRef records the document reference of the Department's decision on the
// final list, with a line on the campaign's timeline (R10, R11). Before the campaign
// closed there is no list: ErrNotFound. Timeline is the campaign's timeline key (its
// workflow ID), which the caller owns.
func (s *Store) SetDesignationRef(ctx context.Context, province string, year int, timeline, ref string, actor domain.Actor, at time.Time) (readmodel.Designation, error) {
	var d readmodel.Designation
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		var (
			raw []byte
			got *string
		)
		if err := tx.QueryRow(ctx, setRefSQL, province, year, ref, actor.String(), at).Scan(&raw, &got); err != nil {
			return one(err)
		}
		if err := json.Unmarshal(raw, &d); err != nil {
			return fmt.Errorf("decode: %w", err)
		}
		d.DocumentRef = got
		_, err := tx.Exec(ctx, appendCampaignEventSQL, timeline, year, at, actor.String(), "document reference "+ref)
		return err
	})
	if err != nil {
		return d, fmt.Errorf("record the document reference of %s/%d: %w", province, year, err)
	}
	return d, nil
}

// NoticeVersion returns version n of a campaign's notice (R10); ErrNotFound if never
// published.
func (s *Store) NoticeVersion(ctx context.Context, province string, year int, n int64) (readmodel.Notice, error) {
	var v readmodel.Notice
	if err := one(s.pool.QueryRow(ctx, noticeVersionSQL, province, year, n).Scan(&v)); err != nil {
		return v, fmt.Errorf("notice %s/%d version %d: %w", province, year, n, err)
	}
	return v, nil
}
