package api

import (
	"errors"
	"fmt"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/workflows"
)

// update runs one official action as a Temporal Update on the campaign's workflow (the
// ID the read model holds for it) and waits for its outcome. The workflow's handler answers only after the read model
// is written, so the caller may read its own write at once. A validator's refusal comes
// back as the rule's code and sentence; a refusal because the run was handing over is
// sent again until the request's time runs out (workflows.Send); anything else is left
// to the error handler
// (503 for an unreachable Temporal, 504 for the request deadline, 500 otherwise).
func (s *server) update(c echo.Context, v readmodel.CampaignView, name string, in, out any) error {
	ctx := c.Request().Context()
	err := workflows.Send(ctx, s.tc, client.UpdateWorkflowOptions{
		WorkflowID: v.WorkflowID,
		UpdateName: name,
		UpdateID:   updateID(c),
		Args:       []any{in},
	}, out)
	if err == nil {
		return nil
	}
	if workflows.HandingOver(err) {
		// The request's time ran out while the campaign's run handed over: nothing was
		// applied, and the same request (with its Idempotency-Key) may be sent again.
		c.Response().Header().Set("Retry-After", "1")
		return newError(codeUnavailable, "", "the campaign is busy handing over to its next run; retry shortly")
	}
	if re, ok := workflows.RuleErrorOf(err); ok {
		return fromRule(re)
	}
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		// The campaign row exists (every caller checked), so a missing running workflow
		// means the campaign closed: its workflow completed and takes no more updates.
		if _, serr := s.st.Campaign(ctx, v.Province, v.Year); serr == nil {
			return newError(domain.CodeConflict, "R10", "campaign %d is closed and accepts no more changes", v.Year)
		} else if !errors.Is(serr, store.ErrNotFound) {
			return serr
		}
		return notFound("campaign %d does not exist", v.Year)
	}
	return fmt.Errorf("update %s on campaign %s: %w", name, v.WorkflowID, err)
}

// receivedKey holds the moment the API received the request (R14).
const receivedKey = "received_at"

// receivedAt is the API's receipt of the request, stamped by observe before anything
// else runs. Lateness is judged at this moment, not when the workflow processes the act;
// no client can set it.
func receivedAt(c echo.Context) time.Time {
	if t, ok := c.Get(receivedKey).(time.Time); ok {
		return t
	}
	return time.Now()
}

// emptyRequest is the body of actions without arguments: {} (or nothing), and no field.
type emptyRequest struct{}

// ReasonRequest carries the reason an administrator gives for a decision.
type ReasonRequest struct {
	Reason string `json:"reason"`
}

// adminAction runs an argument-less administrator Update (ranking, notice, promotion).
func (s *server) adminAction(c echo.Context, what, update string, out any) (int, error) {
	v, a, err := s.officialOf(c)
	if err != nil {
		return 0, err
	}
	if err := domain.CanAdminister(a, what); err != nil {
		return 0, err
	}
	if err := bindJSON(c, &emptyRequest{}); err != nil {
		return 0, err
	}
	return v.Year, s.update(c, v, update, workflows.AdminInput{Actor: a, ReceivedAt: receivedAt(c)}, out)
}
