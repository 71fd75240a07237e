package filterpattern

import (
	"errors"
	"strings"
	"testing"
)

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		msg     string // the whole SyntaxError message
		pos     int
	}{
		// Messages AWS is seen giving (issues on aws-cdk, terraform, awslogs, serverless, defang).
		{"unbalanced JSON (AWS wording)", `{$.a="abc" && $.b="def"`, "If a filter pattern starts with '{' it must end with '}'", 0},
		{"unbalanced space-delimited", `[ip, user`, "If a filter pattern starts with '[' it must end with ']'", 0},
		{"unquoted @ (AWS wording)", `email@someemail.com`, "Invalid character(s) in term 'email@someemail.com'", 0},
		{"empty phrase (AWS wording)", `""`, `Invalid character(s) in term '""'`, 0},
		{"curly quotes (AWS wording)", `[a, b=“x“]`, "Invalid character(s) in term '“x“'", 6},
		{"parentheses in a regex (AWS wording)", `%abc(def)%`, "Invalid character(s) in term '%abc(def)%'", 4},

		{"unquoted slash", `GET /index.html`, "Invalid character(s) in term '/index.html'", 4},
		{"unquoted unicode", `héllo`, "Invalid character(s) in term 'héllo'", 0},
		{"unquoted star in a term", `ERR*`, "Invalid character(s) in term 'ERR*'", 0},
		{"lone ?", `ERROR ?`, "Invalid character(s) in term '?'", 6},
		{"lone -", `-`, "Invalid character(s) in term '-'", 0},
		{"double prefix", `?-ERROR`, "Invalid character(s) in term '?-ERROR'", 0},
		{"text after a phrase", `"ab"cd`, `Invalid character(s) in term '"ab"cd'`, 4},
		{"unterminated phrase", `ERROR "disk full`, `Unterminated quoted string "disk full`, 6},
		{"a % term that is not a whole regex", `%abc% def`, "Invalid character(s) in term '%abc%'", 0},
		{"unsupported regex symbol", `%something!%`, "Invalid character(s) in term '%something!%'", 10},
		{"multi-byte regex, raw", `%café%`, "Invalid character(s) in term '%café%'", 4},
		{"empty regex", `%%`, "Invalid regular expression '%%': it is empty", 0},
		{"regex that does not compile", `%[a-%`, "Invalid regular expression '%[a-%'", 1},

		{"empty JSON", `{ }`, "Invalid JSON filter pattern '{ }': it has no condition", 0},
		{"bare property", `{ eventType = "x" }`, "Expected a selector such as $.field, found 'eventType'", 2},
		{"property without $.", `{ status = "401" }`, "Expected a selector such as $.field, found 'status'", 2},
		{"missing operator", `{ $.a "x" }`, `Expected an operator after selector '$.a', found '"x"'`, 6},
		{"missing value", `{ $.a = }`, "Expected a value, found the end of the pattern", 8},
		{"== operator", `{ $.a == 1 }`, "Invalid operator '=='; use '='", 6},
		{"lone &", `{ $.a = 1 & $.b = 2 }`, "Invalid character(s) in term '&'", 10},
		{"two conditions without &&", `{ $.a = 1 $.b = 2 }`, "Unexpected '$.b' in JSON filter pattern; conditions combine with && and ||", 10},
		{"unclosed parenthesis", `{ ($.a = 1 }`, "Missing ')' in JSON filter pattern, found the end of the pattern", -1},
		{"IS NOT", `{ $.a IS NOT NULL }`, "IS NOT is not supported", 9},
		{"EXISTS", `{ $.a EXISTS }`, "EXISTS is not supported; use NOT EXISTS or = *", 6},
		{"IS what", `{ $.a IS EMPTY }`, "Expected NULL, TRUE or FALSE after IS, found 'EMPTY'", 9},
		{"NOT what", `{ $.a NOT NULL }`, "Expected EXISTS after NOT, found 'NULL'", 10},
		{"relational with text", `{ $.a > abc }`, "Operator '>' requires a numeric value, got 'abc'", 6},
		{"relational with quoted number", `{ $.a >= "5" }`, `Operator '>=' requires a numeric value, got '"5"'`, 6},
		{"relational with wildcard", `{ $.a < 4* }`, "Operator '<' requires a numeric value, got '4*'", 6},
		{"relational with regex", `{ $.a < %4% }`, "Operator '<' requires a numeric value, got '%4%'", 6},
		{"three regexes", `{ $.a = %x% || $.b = %y% || $.c = %z% }`, "A filter pattern can have at most 2 regular expressions", 34},
		{"two wildcards in a selector", `{ $.a[*].b[*] = 1 }`, "Invalid selector '$.a[*].b[*]': a selector can have at most one wildcard", 2},
		{"four wildcard selectors", `{ $.a[*] = 1 || $.b[*] = 1 || $.c.* = 1 || $.d[*] = 1 }`, "A filter pattern can have at most 3 wildcard selectors", 43},
		{"index on the root", `{ $[0] = 1 }`, "Invalid selector '$[0]': an array index must follow a property", 2},
		{"bad index", `{ $.a[-1] = 1 }`, "Invalid selector '$.a[-1]': invalid array index '[-1]'", 2},
		{"empty step", `{ $..a = 1 }`, "Invalid selector '$..a': expected a property name after '.'", 2},
		{"unclosed bracket", `{ $.a[0 = 1 }`, "Missing ']' in selector '$.a[0 = 1 '", 5},
		{"unterminated regex", `{ $.a = %abc }`, "Unterminated regular expression '%abc '", 8},
		{"unterminated string", `{ $.a = "abc }`, `Unterminated quoted string "abc `, 8},

		{"conditions on another field (AWS refuses the doc example)", `[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]`,
			"Field 'status_code' cannot have a condition on 'bytes'; put each field's conditions in its own position", 61},
		{"case matters in field names", `[w1=ERROR || W1=WARNING, w2]`, "Field 'w1' cannot have a condition on 'W1'; put each field's conditions in its own position", 13},
		{"duplicate field", `[a, b, a]`, "Duplicate field name 'a' in space-delimited filter pattern", 7},
		{"field name with a dot", `[a.b, c]`, "Invalid field name 'a.b'", 1},
		{"field name that is a number", `[1, c]`, "Invalid field name '1'", 1},
		{"value without name", `[= 1]`, "Expected a field name, found '='", 1},
		{"missing value in field", `[a =, b]`, "Expected a value, found ','", 4},
		{"two words", `[a b, c]`, "Expected an operator after field 'a', found 'b'", 3},
		{"trailing word after a condition", `[a = 1 b]`, "Unexpected 'b' in field of space-delimited filter pattern; separate fields with ','", 7},
		{"dangling ||", `[a = 1 ||]`, "Expected a field name, found the end of the pattern", 9},
		{"three regexes in fields", `[a = %x%, b = %y%, c = %z%]`, "A filter pattern can have at most 2 regular expressions", 23},
		{"parentheses in a field", `[(a = 1)]`, "Expected a field name, found '('", 1},
		{"IS in a field", `[a IS NULL]`, "Expected an operator after field 'a', found 'IS'", 3},
		{"selector in a field", `[$.a = 1]`, "Expected a field name, found '$.a'", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile(tt.pattern)
			if err == nil {
				t.Fatalf("Compile(%q) = %v kind, want an error", tt.pattern, p.Kind())
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *SyntaxError", err)
			}
			if se.Msg != tt.msg || se.Error() != tt.msg {
				t.Errorf("message\n got  %s\n want %s", se.Msg, tt.msg)
			}
			if tt.pos >= 0 && se.Pos != tt.pos {
				t.Errorf("Pos = %d, want %d", se.Pos, tt.pos)
			}
			if se.Pos < 0 || se.Pos > len(tt.pattern) {
				t.Errorf("Pos %d outside the pattern", se.Pos)
			}
		})
	}
}

func TestCompileLength(t *testing.T) {
	atLimit := `"` + strings.Repeat("é", MaxLength-2) + `"` // 1024 characters, more bytes
	if _, err := Compile(atLimit); err != nil {
		t.Errorf("a %d-character pattern was refused: %v", MaxLength, err)
	}
	_, err := Compile(strings.Repeat("a", MaxLength+1))
	var se *SyntaxError
	if !errors.As(err, &se) || se.Msg != "Filter pattern must be at most 1024 characters, got 1025" {
		t.Errorf("1025 characters: %v", err)
	}
}

func TestMustCompilePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MustCompile of an invalid pattern did not panic")
		}
	}()
	MustCompile("{")
}
