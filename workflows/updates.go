package workflows

// Update plumbing: how every Update is registered with its validator, and the checks
// that all of them share.

import (
	"go.temporal.io/sdk/workflow"

	"github.com/guizhou-commerce/selection/domain"
)

// setUpdate registers an Update whose validator and handler run the same check: the
// validator refuses without a trace in history, and the handler checks again because
// another update may have changed the state between validation and execution. An act
// received in time but processed after the recommendation deadline is checked against
// the cases as the deadline found them (beginLate, R14); the validator puts them back
// before it returns, so it changes nothing. While the run drains, the validator refuses
// every Update as handing over (errHandingOver), so the drain ends.
func setUpdate[In, Out any](ctx workflow.Context, c *campaign, name string, check func(workflow.Context, In) error, handle func(workflow.Context, In) (Out, error)) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, name,
		func(ctx workflow.Context, in In) (Out, error) {
			var zero Out
			r, at, late, err := c.beginLate(ctx, in)
			if err != nil {
				return zero, toApplicationError(err)
			}
			if err := check(ctx, in); err != nil {
				if late {
					c.undo(r)
				}
				return zero, toApplicationError(err)
			}
			if v, ok := any(in).(interface{ validateOnly() bool }); late && ok && v.validateOnly() {
				defer c.undo(r)
			} else if late {
				c.commitReopen(ctx, r, any(in).(timedAct).actor(), at)
			}
			c.updates++
			out, err := handle(ctx, in)
			return out, toApplicationError(err)
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, in In) error {
			if c.draining || c.runIsFull(ctx) {
				return errHandingOver
			}
			r, _, late, err := c.beginLate(ctx, in)
			if err != nil {
				return toApplicationError(err)
			}
			if late {
				defer c.undo(r)
			}
			return toApplicationError(check(ctx, in))
		}})
}

// checkText applies domain.CheckText with the bound of every free-text field.
func checkText(field, s string, required bool) error {
	return domain.CheckText(field, s, required, domain.MaxText)
}
