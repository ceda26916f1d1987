package domain

import (
	"strings"
	"unicode/utf8"
)

// MaxText bounds free-text fields (reasons, comments, references, notes): they are
// kept in workflow history or in PostgreSQL, and a reader must be able to read them.
const MaxText = 2000

// MaxContact bounds an objector's contact (R10): a telephone number or an address.
const MaxContact = 200

// CheckText refuses a missing required text, text PostgreSQL cannot store (invalid
// UTF-8, NUL; accepting it would leave a write retrying forever) and text longer than
// max characters.
func CheckText(field, s string, required bool, max int) error {
	if required && strings.TrimSpace(s) == "" {
		return refuse(CodeBadRequest, "", "%s is required", field)
	}
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
		return refuse(CodeBadRequest, "", "%s must be UTF-8 text without NUL characters", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return refuse(CodeBadRequest, "", "%s is longer than %d characters (%d)", field, max, n)
	}
	return nil
}

// CheckObjection validates an objection from the public before it is stored (R10).
func CheckObjection(reason, contact string) error {
	if err := CheckText("reason", reason, true, MaxText); err != nil {
		return err
	}
	return CheckText("contact", contact, false, MaxContact)
}
