package domain

import "fmt"

// Code is the machine-readable reason of a refusal. The values are the error codes
// of API.md, so a refusal travels unchanged from a rule to the HTTP response body.
type Code string

// The codes of API.md. Each maps to exactly one HTTP status in the API layer.
const (
	CodeBadRequest          Code = "bad_request"
	CodeForbidden           Code = "forbidden"
	CodeNotFound            Code = "not_found"
	CodeConflict            Code = "conflict"
	CodeDeadlinePassed      Code = "deadline_passed"
	CodeIneligible          Code = "ineligible"
	CodeOverCap             Code = "over_cap"
	CodeMaterialsIncomplete Code = "materials_incomplete"
	CodeInvalidState        Code = "invalid_state"
)

// RuleError is a business refusal: which rule of DESIGN.md refused the action, with
// an API code and a sentence an official can act on. Rules return it instead of
// panicking so workflows can reject an Update without leaving history behind.
type RuleError struct {
	Code    Code
	Rule    string
	Message string
}

func (e *RuleError) Error() string {
	if e.Rule == "" {
		return fmt.Sprintf("%s: %s", e.Code, e.Message)
	}
	return fmt.Sprintf("%s (%s): %s", e.Code, e.Rule, e.Message)
}

// refuse builds a RuleError with a formatted message.
func refuse(code Code, rule, format string, args ...any) *RuleError {
	return &RuleError{Code: code, Rule: rule, Message: fmt.Sprintf(format, args...)}
}
