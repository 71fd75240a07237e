package awsproto

import (
	"fmt"
	"net/http"
	"strings"
)

// Validation collects model-constraint violations and renders them the way
// AWS's JSON and Query services do:
//
//	1 validation error detected: Value 'x' at 'streamName' failed to satisfy constraint: Member must have length less than or equal to 128
//	2 validation errors detected: Value ... ; Value null at 'b' failed to satisfy constraint: Member must not be null
//
// Members are named as AWS names them (lower camel case, dotted paths such
// as 'records.1.member.data'). The zero Validation is empty and ready to use.
type Validation struct {
	violations []string
}

// Add records that value at member violates constraint (use the constraint
// helpers below for AWS's wording).
func (v *Validation) Add(value, member, constraint string) {
	v.violations = append(v.violations,
		fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", value, member, constraint))
}

// AddNull records that the required member is missing.
func (v *Validation) AddNull(member string) {
	v.violations = append(v.violations,
		fmt.Sprintf("Value null at '%s' failed to satisfy constraint: %s", member, ConstraintNotNull))
}

// Len is the number of violations recorded.
func (v *Validation) Len() int { return len(v.violations) }

// Message is AWS's message for the recorded violations ("" when none).
func (v *Validation) Message() string {
	switch n := len(v.violations); n {
	case 0:
		return ""
	case 1:
		return "1 validation error detected: " + v.violations[0]
	default:
		return fmt.Sprintf("%d validation errors detected: %s", n, strings.Join(v.violations, "; "))
	}
}

// Err returns nil when nothing was recorded, else a 400 ValidationException.
func (v *Validation) Err() error { return v.ErrWithCode("ValidationException") }

// ErrWithCode is Err with another code (IAM's Query API says ValidationError).
func (v *Validation) ErrWithCode(code string) error {
	if len(v.violations) == 0 {
		return nil
	}
	return NewError(http.StatusBadRequest, code, v.Message())
}

// ConstraintNotNull is the constraint text for a missing required member.
const ConstraintNotNull = "Member must not be null"

// ConstraintMaxLength is "Member must have length less than or equal to n".
func ConstraintMaxLength(n int) string {
	return fmt.Sprintf("Member must have length less than or equal to %d", n)
}

// ConstraintMinLength is "Member must have length greater than or equal to n".
func ConstraintMinLength(n int) string {
	return fmt.Sprintf("Member must have length greater than or equal to %d", n)
}

// ConstraintMaxValue is "Member must have value less than or equal to n".
func ConstraintMaxValue(n int64) string {
	return fmt.Sprintf("Member must have value less than or equal to %d", n)
}

// ConstraintMinValue is "Member must have value greater than or equal to n".
func ConstraintMinValue(n int64) string {
	return fmt.Sprintf("Member must have value greater than or equal to %d", n)
}

// ConstraintPattern is "Member must satisfy regular expression pattern: p".
func ConstraintPattern(pattern string) string {
	return "Member must satisfy regular expression pattern: " + pattern
}

// ConstraintEnum is "Member must satisfy enum value set: [A, B]".
func ConstraintEnum(values ...string) string {
	return "Member must satisfy enum value set: [" + strings.Join(values, ", ") + "]"
}
