package pii

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// RedactMode selects how Redact rewrites an entity.
type RedactMode int

const (
	// RedactWithType replaces the value with its type: "[EMAIL]".
	RedactWithType RedactMode = iota
	// RedactMask masks letters and digits except the last Keep, keeping separators: "**** **** **** 1111".
	RedactMask
	// RedactPseudonym replaces the value with a keyed HMAC-SHA256 pseudonym, "EMAIL_1f3a…": the same value
	// (ignoring case and punctuation, so "010-1234-5678" = "01012345678") gives the same pseudonym under the
	// same key, so redacted data can still be joined and counted.
	RedactPseudonym
	// RedactRemove deletes the value: in text the matched span disappears; in JSON a member whose whole value
	// is the entity is removed from its object (an array element from its array); in CSV the field is emptied.
	RedactRemove
)

// Redaction configures Redact.
type Redaction struct {
	Mode RedactMode
	Keep int    // RedactMask: letters and digits left visible at the end; 0 means 4, negative masks everything
	Mask rune   // RedactMask: the mask character; 0 means '*'
	Key  []byte // RedactPseudonym: the HMAC key (required)
}

// ErrNoPseudonymKey: RedactPseudonym needs a key; pseudonyms without one could be reversed by hashing guesses.
var ErrNoPseudonymKey = errors.New("pii: pseudonym redaction needs a key")

// pseudonymHexLen: 16 hex characters (64 bits) keep collisions negligible for joins over billions of values.
const pseudonymHexLen = 16

// Redact returns text with each entity rewritten. Entities out of range or overlapping an earlier one are
// skipped; their order does not matter.
func Redact(text string, entities []Entity, r Redaction) (string, error) {
	if r.Mode == RedactPseudonym && len(r.Key) == 0 {
		return "", ErrNoPseudonymKey
	}
	if r.Mode < RedactWithType || r.Mode > RedactRemove {
		return "", errors.New("pii: unknown redaction mode")
	}
	ents := slices.Clone(entities)
	slices.SortFunc(ents, func(a, b Entity) int { return a.Start - b.Start })
	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for _, e := range ents {
		if e.Start < last || e.End > len(text) || e.Start >= e.End {
			continue
		}
		b.WriteString(text[last:e.Start])
		b.Write(r.appendTo(nil, e.Type, text[e.Start:e.End]))
		last = e.End
	}
	b.WriteString(text[last:])
	return b.String(), nil
}

// appendTo appends the redacted form of value to b.
func (r Redaction) appendTo(b []byte, typ, value string) []byte {
	switch r.Mode {
	case RedactMask:
		keep, mask := r.Keep, r.Mask
		if keep == 0 {
			keep = 4
		}
		if mask == 0 {
			mask = '*'
		}
		total := 0
		for _, c := range value {
			if unicode.IsLetter(c) || unicode.IsDigit(c) {
				total++
			}
		}
		seen := 0
		for _, c := range value {
			if unicode.IsLetter(c) || unicode.IsDigit(c) {
				seen++
				if keep < 0 || seen <= total-keep {
					c = mask
				}
			}
			b = utf8.AppendRune(b, c)
		}
	case RedactPseudonym:
		b = append(b, typ...)
		b = append(b, '_')
		b = append(b, Pseudonym(r.Key, typ, value)...)
	case RedactRemove:
	default:
		b = append(b, '[')
		b = append(b, typ...)
		b = append(b, ']')
	}
	return b
}

// Pseudonym returns the keyed pseudonym of a value of a type: hex HMAC-SHA256 over the type and the value
// lower-cased with everything but letters and digits removed.
func Pseudonym(key []byte, typ, value string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(typ))
	mac.Write([]byte{0})
	var norm strings.Builder
	for _, c := range value {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			norm.WriteRune(unicode.ToLower(c))
		}
	}
	mac.Write([]byte(norm.String()))
	return hex.EncodeToString(mac.Sum(nil))[:pseudonymHexLen]
}
