package workflows

import (
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/guizhou-commerce/selection/domain"
)

// toApplicationError turns a rule's refusal into a non-retryable ApplicationError whose
// type is the API code and whose details carry the rule ID, so the refusal crosses the
// Temporal wire intact and the API can answer with API.md's error body.
func toApplicationError(err error) error {
	if err == nil {
		return nil
	}
	var re *domain.RuleError
	if errors.As(err, &re) {
		return temporal.NewApplicationErrorWithOptions(re.Message, string(re.Code), temporal.ApplicationErrorOptions{
			NonRetryable: true,
			Details:      []any{re.Rule},
		})
	}
	return err
}

// handingOverType is the ApplicationError type of an Update refused because the run is
// draining before it continues as new or closes (campaign.draining). It is no rule's
// refusal: the same Update, sent again, reaches the next run.
const handingOverType = "run_handing_over"

// errHandingOver is the validators' refusal while the run drains. It leaves no trace in
// history (a validator's refusal never does).
var errHandingOver = temporal.NewNonRetryableApplicationError(
	"the campaign's workflow is handing over to its next run; send the Update again", handingOverType, nil)

// HandingOver reports that an Update was refused only because the campaign's run was
// handing over to the next: the caller sends it again, with the same Update ID, after a
// short wait.
func HandingOver(err error) bool {
	var ae *temporal.ApplicationError
	return errors.As(err, &ae) && ae.Type() == handingOverType
}

// RuleErrorOf recovers the rule's refusal from an error returned by an Update (validator
// rejection or handler failure). It reports false for anything else: those are internal
// errors the API must not show.
func RuleErrorOf(err error) (*domain.RuleError, bool) {
	var re *domain.RuleError
	if errors.As(err, &re) {
		return re, true
	}
	var ae *temporal.ApplicationError
	if !errors.As(err, &ae) {
		return nil, false
	}
	code := domain.Code(ae.Type())
	switch code {
	case domain.CodeBadRequest, domain.CodeForbidden, domain.CodeNotFound, domain.CodeConflict, domain.CodeDeadlinePassed,
		domain.CodeIneligible, domain.CodeOverCap, domain.CodeMaterialsIncomplete, domain.CodeInvalidState:
	default:
		return nil, false
	}
	var rule string
	if ae.HasDetails() {
		_ = ae.Details(&rule) // a refusal without a rule still maps to its code
	}
	return &domain.RuleError{Code: code, Rule: rule, Message: ae.Message()}, true
}
