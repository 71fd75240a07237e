package filterpattern

import "strings"

// tokKind is a token of the JSON and space-delimited forms.
type tokKind uint8

const (
	tokEOF      tokKind = iota
	tokSelector         // $.a.b[0]
	tokString           // "quoted", text unescaped
	tokWord             // bare word: letters, digits and _ . * + -
	tokRegex            // %regex%, text is the body
	tokLParen
	tokRParen
	tokAnd   // &&
	tokOr    // ||
	tokComma // ,
	tokOp    // = != < <= > >=
)

type token struct {
	kind tokKind
	text string // selector/word/regex body/unquoted string; operator spelling
	op   cmpOp  // tokOp
	pos  int    // byte offset in the pattern
	raw  string // the token as written, for messages
}

// lex splits pattern[start:end] into tokens.
func lex(pattern string, start, end int) ([]token, error) {
	var toks []token
	i := start
	for {
		for i < end && isBlank(pattern[i]) {
			i++
		}
		if i >= end {
			return append(toks, token{kind: tokEOF, pos: end}), nil
		}
		t, next, err := lexOne(pattern, i, end)
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
		i = next
	}
}

func lexOne(p string, i, end int) (token, int, error) {
	c := p[i]
	two := ""
	if i+1 < end {
		two = p[i : i+2]
	}
	simple := func(k tokKind, n int) (token, int, error) {
		return token{kind: k, text: p[i : i+n], pos: i, raw: p[i : i+n]}, i + n, nil
	}
	op := func(o cmpOp, n int) (token, int, error) {
		return token{kind: tokOp, op: o, text: p[i : i+n], pos: i, raw: p[i : i+n]}, i + n, nil
	}
	switch {
	case c == '(':
		return simple(tokLParen, 1)
	case c == ')':
		return simple(tokRParen, 1)
	case c == ',':
		return simple(tokComma, 1)
	case two == "&&":
		return simple(tokAnd, 2)
	case two == "||":
		return simple(tokOr, 2)
	case two == "!=":
		return op(opNe, 2)
	case two == "<=":
		return op(opLe, 2)
	case two == ">=":
		return op(opGe, 2)
	case two == "==":
		return token{}, 0, errAt(i, "Invalid operator '=='; use '='")
	case c == '=':
		return op(opEq, 1)
	case c == '<':
		return op(opLt, 1)
	case c == '>':
		return op(opGt, 1)
	case c == '"':
		text, next, err := lexQuoted(p, i, end)
		if err != nil {
			return token{}, 0, err
		}
		return token{kind: tokString, text: text, pos: i, raw: p[i:next]}, next, nil
	case c == '%':
		j := strings.IndexByte(p[i+1:end], '%')
		if j < 0 {
			return token{}, 0, errAt(i, "Unterminated regular expression '%s'", p[i:end])
		}
		next := i + 1 + j + 1
		return token{kind: tokRegex, text: p[i+1 : next-1], pos: i, raw: p[i:next]}, next, nil
	case c == '$':
		next, err := scanSelector(p, i, end)
		if err != nil {
			return token{}, 0, err
		}
		return token{kind: tokSelector, text: p[i:next], pos: i, raw: p[i:next]}, next, nil
	}
	j := i
	for j < end && !isBlank(p[j]) && !isWordTerminator(p[j]) {
		j++
	}
	if j == i {
		return token{}, 0, errAt(i, "Invalid character(s) in term '%s'", p[i:i+1])
	}
	w := p[i:j]
	for k := 0; k < len(w); k++ {
		if !isValueWordChar(w[k]) {
			return token{}, 0, errAt(i+k, "Invalid character(s) in term '%s'", w)
		}
	}
	return token{kind: tokWord, text: w, pos: i, raw: w}, j, nil
}

// lexQuoted reads a double-quoted string starting at p[i] == '"'. \" and \\
// are escapes; any other backslash is kept as written.
func lexQuoted(p string, i, end int) (text string, next int, err error) {
	var unescaped []byte // nil until the first escape
	from := i + 1
	for j := i + 1; j < end; j++ {
		switch c := p[j]; {
		case c == '\\' && j+1 < end && (p[j+1] == '"' || p[j+1] == '\\'):
			unescaped = append(unescaped, p[from:j]...)
			unescaped = append(unescaped, p[j+1])
			j++
			from = j + 1
		case c == '"':
			if unescaped == nil {
				return p[i+1 : j], j + 1, nil
			}
			return string(append(unescaped, p[from:j]...)), j + 1, nil
		}
	}
	return "", 0, errAt(i, "Unterminated quoted string %s", p[i:end])
}

// scanSelector finds the end of a selector starting at p[i] == '$'. Brackets
// may hold a quoted key with any characters ($.['cluster.name']); the path is
// checked later by parseSelector.
func scanSelector(p string, i, end int) (int, error) {
	j := i + 1
	for j < end {
		c := p[j]
		if c == '[' {
			k := j + 1
			if k < end && (p[k] == '\'' || p[k] == '"') {
				q := strings.IndexByte(p[k+1:end], p[k])
				if q < 0 {
					return 0, errAt(j, "Unterminated quoted key in selector '%s'", p[i:end])
				}
				k += 1 + q + 1
			}
			for k < end && p[k] != ']' {
				k++
			}
			if k >= end {
				return 0, errAt(j, "Missing ']' in selector '%s'", p[i:end])
			}
			j = k + 1
			continue
		}
		if isBlank(c) || isWordTerminator(c) {
			break
		}
		j++
	}
	return j, nil
}

// isBlank reports the blanks that separate terms and fields.
func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// isWordTerminator reports the characters that end a bare word or selector.
func isWordTerminator(c byte) bool {
	switch c {
	case '(', ')', ',', '=', '!', '<', '>', '&', '|':
		return true
	}
	return false
}

// isValueWordChar is the alphabet of unquoted values in JSON and
// space-delimited patterns: AWS's documented letters, digits and underscore,
// plus what its own examples use unquoted (123.123.*, *.html*, 4*, +1000,
// 10e-3, ...). Anything else must be quoted.
func isValueWordChar(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '_' || c == '.' || c == '*' || c == '+' || c == '-'
}
