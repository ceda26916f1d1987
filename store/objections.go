package store

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/jackc/pgx/v5"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

// Objections from the public live here, not in Temporal (R10): a flood of them spends
// no workflow history, and the objectors' contacts never leave PostgreSQL. The
// county's application row is the lock that orders filings against the workflow's
// count at the end of the publicity period: both take it FOR UPDATE and both judge the
// period by this server's clock, so an objection is either counted or refused.

var (
	//go:embed sql/objection_file.sql
	fileObjectionSQL string
	//go:embed sql/objection_resolve.sql
	resolveObjectionSQL string
)

const (
	lockApplicationSQL = `
SELECT state, (view->>'publicity_ends_at')::timestamptz, clock_timestamp()
FROM applications WHERE year = $1 AND county = $2 FOR UPDATE`
	openObjectionsOfCountySQL  = `SELECT count(*) FROM objections WHERE year = $1 AND county = $2 AND status = 'open'`
	openObjectionsOfContactSQL = `
SELECT count(*) FROM objections
WHERE province = left($3::text, 2) || '0000' AND year = $1 AND contact_key = $2 AND status = 'open'`
	countObjectionsSQL = `
SELECT count(*) FILTER (WHERE status = 'open'), count(*) FILTER (WHERE status = 'upheld')
FROM objections WHERE year = $1 AND county = $2`
	mootObjectionsSQL = `
UPDATE objections SET status = 'moot', note = $3, version = $4
WHERE year = $1 AND county = $2 AND status = 'open'`
)

// Defaults of the caps on open objections (R10), used when ObjectionFiling leaves them
// zero. An open objection waits for an administrator; the caps keep one county's or
// one person's queue reviewable.
const (
	DefaultMaxOpenPerCounty  = 200
	DefaultMaxOpenPerContact = 5
)

// ObjectionFiling is an objection from the public as the API received it.
type ObjectionFiling struct {
	Year    int
	County  string
	Reason  string
	Contact string
	// MaxOpenPerCounty and MaxOpenPerContact cap the open objections; zero takes the
	// defaults above.
	MaxOpenPerCounty  int
	MaxOpenPerContact int
}

// FiledObjection is the answer to a filing: the objection's id, and whether the filing
// was folded into an identical earlier one.
type FiledObjection struct {
	ID     string `json:"id"`
	Folded bool   `json:"folded,omitempty"`
}

// FileObjection stores an objection against a county in publicity (R10). It refuses a
// county that is not shortlisted or whose period has ended (invalid_state), and a
// filing over a cap (conflict); an identical objection is folded into the first.
func (s *Store) FileObjection(ctx context.Context, f ObjectionFiling) (FiledObjection, error) {
	if f.MaxOpenPerCounty <= 0 {
		f.MaxOpenPerCounty = DefaultMaxOpenPerCounty
	}
	if f.MaxOpenPerContact <= 0 {
		f.MaxOpenPerContact = DefaultMaxOpenPerContact
	}
	contactKey := normalize(f.Contact)
	fp := fingerprint(f.Year, f.County, f.Reason, contactKey)
	var out FiledObjection
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		if err := objectionWindowOpen(ctx, tx, f.Year, f.County); err != nil {
			return err
		}
		var existing string
		err := tx.QueryRow(ctx, `SELECT id FROM objections WHERE year = $1 AND fingerprint = $2`, f.Year, fp).Scan(&existing)
		switch {
		case err == nil:
			if _, err := tx.Exec(ctx, `UPDATE objections SET copies = copies + 1 WHERE year = $1 AND id = $2`, f.Year, existing); err != nil {
				return err
			}
			out = FiledObjection{ID: existing, Folded: true}
			return nil
		case !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		var open int
		if err := tx.QueryRow(ctx, openObjectionsOfCountySQL, f.Year, f.County).Scan(&open); err != nil {
			return err
		}
		if open >= f.MaxOpenPerCounty {
			return &domain.RuleError{Code: domain.CodeConflict, Rule: "R10", Message: fmt.Sprintf(
				"%s already has %d open objections awaiting a decision; no more are accepted until some are decided", f.County, open)}
		}
		if contactKey != "" {
			if err := tx.QueryRow(ctx, openObjectionsOfContactSQL, f.Year, contactKey, f.County).Scan(&open); err != nil {
				return err
			}
			if open >= f.MaxOpenPerContact {
				return &domain.RuleError{Code: domain.CodeConflict, Rule: "R10", Message: fmt.Sprintf(
					"this contact already has %d open objections awaiting a decision", open)}
			}
		}
		return tx.QueryRow(ctx, fileObjectionSQL, f.Year, f.County, f.Reason, f.Contact, contactKey, fp).Scan(&out.ID)
	})
	if err != nil {
		return FiledObjection{}, fmt.Errorf("file objection against %s in %d: %w", f.County, f.Year, err)
	}
	return out, nil
}

// objectionWindowOpen locks the county's application and checks that it is in
// publicity by this server's clock.
func objectionWindowOpen(ctx context.Context, tx pgx.Tx, year int, county string) error {
	var (
		state    string
		ends     *time.Time
		dbNow    time.Time
		notFound = &domain.RuleError{Code: domain.CodeNotFound, Message: fmt.Sprintf("county %s has no application in the %d campaign", county, year)}
	)
	if err := tx.QueryRow(ctx, lockApplicationSQL, year, county).Scan(&state, &ends, &dbNow); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return notFound
		}
		return err
	}
	if domain.State(state) != domain.StateShortlisted || ends == nil || dbNow.After(*ends) {
		return &domain.RuleError{Code: domain.CodeInvalidState, Rule: "R10", Message: fmt.Sprintf(
			"objections are accepted only while a shortlisted county is in publicity; %s is %s", county, publicityState(state, ends, dbNow))}
	}
	return nil
}

func publicityState(state string, ends *time.Time, now time.Time) string {
	if domain.State(state) == domain.StateShortlisted && ends != nil && now.After(*ends) {
		return "past its publicity period"
	}
	return state
}

// ErrPublicityNotOver is returned by CountObjections while this server's clock has not
// passed the period's end; the activity retries, so a filing accepted at the last
// instant is still counted.
var ErrPublicityNotOver = errors.New("the publicity period has not ended by the database's clock")

// CountObjections counts a county's open and upheld objections once its publicity has
// ended (R10). Holding the application row, it orders itself after every filing that
// was accepted in the period; none can follow.
func (s *Store) CountObjections(ctx context.Context, year int, county string, ends time.Time) (readmodel.ObjectionCount, error) {
	var n readmodel.ObjectionCount
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		var (
			state    string
			projEnds *time.Time
			dbNow    time.Time
		)
		if err := tx.QueryRow(ctx, lockApplicationSQL, year, county).Scan(&state, &projEnds, &dbNow); err != nil {
			return err
		}
		if !dbNow.After(ends) {
			return ErrPublicityNotOver
		}
		return tx.QueryRow(ctx, countObjectionsSQL, year, county).Scan(&n.Open, &n.Upheld)
	})
	if err != nil {
		return n, fmt.Errorf("count objections against %s in %d: %w", county, year, err)
	}
	return n, nil
}

// ResolveObjection records an administrator's decision on an open objection (R10). An
// objection that is not open (decided, or moot because the county left) is a conflict.
// The result carries no contact: it is stored in the workflow's history.
func (s *Store) ResolveObjection(ctx context.Context, in readmodel.ObjectionDecision) (readmodel.Objection, error) {
	rows, _ := s.pool.Query(ctx, resolveObjectionSQL, in.Year, in.ID, in.County, in.Decision, in.Note, in.ResolvedBy, in.At, in.Version)
	o, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[readmodel.Objection])
	if errors.Is(err, pgx.ErrNoRows) {
		cur, gerr := s.Objection(ctx, domain.ProvinceCode(in.County), in.Year, in.ID)
		switch {
		case errors.Is(gerr, ErrNotFound):
			return o, &domain.RuleError{Code: domain.CodeNotFound, Message: fmt.Sprintf("objection %s does not exist", in.ID)}
		case gerr != nil:
			return o, fmt.Errorf("resolve objection %s: %w", in.ID, gerr)
		case cur.County != in.County:
			return o, &domain.RuleError{Code: domain.CodeNotFound, Message: fmt.Sprintf("objection %s is not against %s", in.ID, in.County)}
		default:
			return o, &domain.RuleError{Code: domain.CodeConflict, Rule: "R10", Message: fmt.Sprintf("objection %s is already %s", in.ID, cur.Status)}
		}
	}
	if err != nil {
		return o, fmt.Errorf("resolve objection %s: %w", in.ID, err)
	}
	return o, nil
}

// normalize folds the spellings of one contact or reason into one key: case, spaces
// and punctuation do not make two objections different.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '@' || r == '+' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fingerprint identifies an objection's content, so identical filings fold into one.
func fingerprint(year int, county, reason, contactKey string) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%d\x00%s\x00%s\x00%s", year, county, normalize(reason), contactKey)))
	return hex.EncodeToString(h[:])
}
