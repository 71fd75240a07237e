// Package filterpattern implements the CloudWatch Logs filter-pattern
// language used by metric filters, subscription filters, FilterLogEvents and
// Live Tail (spec streaming.md §3.4; AWS's "Filter pattern syntax" pages).
// It knows nothing of AWS's wire protocol: Compile reports a *SyntaxError
// whose message the logs service wraps in an InvalidParameterException.
//
// A pattern is compiled once and matched against many events; matching does
// not allocate (unstructured terms are substring searches, JSON events are
// scanned once without building values, space-delimited events are split
// into spans). Patterns are case-sensitive and at most MaxLength characters.
//
// # Forms
//
// The first non-blank character decides the form:
//
//	""  or blanks           MatchAll: every event
//	{ ... }                 JSON
//	[ ... ]                 SpaceDelimited
//	%regex%                 Regex (the whole pattern; an unquoted % elsewhere is an error)
//	anything else           Terms
//
// # Unstructured terms
//
//	terms   = { [ "?" | "-" ] ( word | phrase ) }   separated by blanks
//	word    = { letter | digit | _ . - }, not starting with -   (anything else must be quoted)
//	phrase  = '"' chars '"'                           (\" and \\ escape)
//
// Each term matches as a substring of the message: ERROR matches
// "ERRORCODE: -1", Exception matches "IllegalArgumentException". Plain terms
// must all occur, -terms must not occur, and ?terms need at least one to
// occur, but AWS ignores ?terms when the pattern has any other term
// (?ERROR ?WARN REQUEST means REQUEST). A blank phrase (" ") matches
// everything; an empty one ("") is refused as AWS refuses it.
//
// # JSON
//
//	json     = "{" orExpr "}"
//	orExpr   = andExpr { "||" andExpr }
//	andExpr  = primary { "&&" primary }
//	primary  = "(" orExpr ")" | cond
//	cond     = selector op value
//	         | selector "IS" ( "NULL" | "TRUE" | "FALSE" )
//	         | selector "NOT" "EXISTS"
//	selector = "$" step { step }      first step a property
//	step     = "." name | ".*" | "[" digits "]" | "[*]" | "['" key "']" | ".['" key "']"
//	op       = "=" | "!=" | "<" | "<=" | ">" | ">="
//	value    = '"' chars '"' | bareword | number | "%" regex "%"
//	bareword = { letter | digit | _ . * + - }
//	number   = [+-] digits [ "." digits ] [ ("e"|"E") [+-] digits ]
//
// Precedence is () > && > ||. Keywords are case-insensitive; IS NOT and
// EXISTS alone are refused (AWS does not support them). The event must be a
// JSON object; an event that is not valid JSON never matches, whatever the
// pattern (NOT EXISTS included). A selector that lands on an object or an
// array never matches a comparison, not even !=, and a missing property
// matches only NOT EXISTS. Comparisons:
//
//   - String values (quoted, or bare words that are not numbers) compare as
//     exact text with = and !=. A * at the start and/or end is a wildcard
//     ("Update*", "*Event", "*Trail*"; * alone means "has a value"); a * in
//     the middle ("Ev*ent") is a literal character. Numbers, true and false
//     compare by their text, so { $.ip != 123.123.* } works on strings and
//     { $.code = 4* } on numbers.
//   - Number values (unquoted) compare numerically with a JSON number
//     (1e-3 equals 0.001); = and != against a JSON string compare the text as
//     written. <, <=, >, >= need a number value and match only JSON numbers.
//   - %regex% values match anywhere in a string's text (anchors ^ and $ bind
//     to the value).
//   - IS NULL, IS TRUE and IS FALSE test JSON null, true and false.
//
// A wildcard step (.* any property, [*] any element, at most one per selector
// and three wildcard selectors per pattern) makes a condition hold when any
// value it reaches satisfies it. A duplicated key counts by its last value.
//
// # Space-delimited
//
//	delimited = "[" [ item { "," item } ] "]"
//	item      = "..." | name | name op value { ( "&&" | "||" ) name op value } | (empty)
//	name      = letter or _ ; then letters, digits, _
//
// The event is split at runs of blanks; a field starting with " or [ runs to
// the matching " or ] that is followed by a blank or the end, and its value
// excludes them ("GET /index.html HTTP/1.0", [10/Oct/2000:13:25:15 -0700]).
// The items must account for every field: without "..." the event has
// exactly as many fields as the pattern has items ([w1=ERROR, w2] does not
// match "ERROR WARN message"); "..." absorbs any number of fields, anywhere,
// any number of times. Conditions of one item all name that item's field and
// combine with && over || ([..., status_code = 404 || status_code = 410,
// bytes]); values compare as in JSON, a field counting as a number when it is
// written as one. "[]" matches every event.
//
// MatchExtract reports the fields as TestMetricFilter does: "$name" for named
// items and "$N" (the 1-based field position) for fields matched by "..." or
// by an unnamed item.
//
// # Regular expressions
//
// A %regex% (a whole pattern, or a JSON or space-delimited value) may use
// letters, digits, space, the symbols : _ # = @ / ; , - and the operators
// ^ $ ? [ ] { } | \ * + . only: no parentheses, no multi-byte characters (use
// \xhh for other characters). A JSON or space-delimited pattern holds at most
// two. The syntax is Go's RE2, which agrees with AWS's on this subset
// (\d \D \s \S \w \W \xhh, classes, {m,n}, alternation).
//
// # For the service
//
// Match and MatchBytes decide FilterLogEvents, subscription filters and Live
// Tail. MatchExtract gives TestMetricFilter's extractedValues, which AWS
// documents as empty for every form but space-delimited; metric values and
// dimensions name a field ("$size", taken from MatchExtract) or a JSON
// selector ("$.latency", read with ParseSelector and Selector.Lookup). Kind
// tells which forms support dimensions (JSON and space-delimited only).
// Compile's *SyntaxError carries AWS's detail ("Invalid character(s) in term
// '@'", "If a filter pattern starts with '{' it must end with '}'"); AWS has
// been seen answering "Invalid filter pattern: <detail>", "Invalid filter
// pattern" and "Invalid metric filter pattern" depending on the operation.
package filterpattern
