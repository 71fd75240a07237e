package pii

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"path"
	"strings"
	"unicode/utf8"
)

// Format is the layout of a stream Redactor reads: it decides what a value is and what context it has.
type Format int

const (
	// FormatAuto: sniff the format from the first bytes (SniffFormat).
	FormatAuto Format = iota
	// FormatText: free text and log lines; redacted spans are rewritten in place.
	FormatText
	// FormatJSON: one JSON value (or several, whitespace-separated); member names give their values context.
	FormatJSON
	// FormatNDJSON: one JSON value per line; a line that is not JSON is redacted as text.
	FormatNDJSON
	// FormatCSV: comma-separated values, RFC 4180 quoting; the header row names the columns.
	FormatCSV
	// FormatTSV: as FormatCSV with tabs.
	FormatTSV
)

var formatNames = [...]string{FormatAuto: "auto", FormatText: "text", FormatJSON: "json", FormatNDJSON: "ndjson",
	FormatCSV: "csv", FormatTSV: "tsv"}

func (f Format) String() string {
	if f >= 0 && int(f) < len(formatNames) {
		return formatNames[f]
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// MarshalText writes the format's name, so reports print "ndjson" rather than 3.
func (f Format) MarshalText() ([]byte, error) { return []byte(f.String()), nil }

// ParseFormat parses a format name: auto, text, json, ndjson (or jsonl), csv, tsv; case-insensitive.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return FormatAuto, nil
	case "text", "txt", "log":
		return FormatText, nil
	case "json":
		return FormatJSON, nil
	case "ndjson", "jsonl", "jsonlines":
		return FormatNDJSON, nil
	case "csv":
		return FormatCSV, nil
	case "tsv":
		return FormatTSV, nil
	}
	return FormatAuto, fmt.Errorf("pii: unknown format %q (want auto, text, json, ndjson, csv or tsv)", s)
}

// ErrBinary: the input is not text (NUL bytes, or mostly control characters and invalid UTF-8 in its first
// sniffLen bytes). Redactor refuses it before writing anything: rewriting bytes of an image or an archive
// would only corrupt it.
var ErrBinary = errors.New("pii: input is binary, not text")

// sniffLen: how much of a stream SniffFormat and the binary check look at.
const sniffLen = 8 << 10

// SniffFormat picks the format of a stream from its content type, then its file name, then its first bytes
// (head; sniffLen bytes are plenty). It never returns FormatAuto: anything unrecognised is text. Generic
// content types (application/octet-stream, binary/octet-stream: S3's default) and unknown extensions defer
// to the next clue.
func SniffFormat(contentType, name string, head []byte) Format {
	if ct, _, err := mime.ParseMediaType(contentType); err == nil {
		switch ct {
		case "application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines",
			"application/jsonlines", "application/json-seq":
			return FormatNDJSON
		case "application/json", "text/json":
			if sniffContent(head) == FormatNDJSON {
				return FormatNDJSON
			}
			return FormatJSON
		case "text/csv", "application/csv":
			return FormatCSV
		case "text/tab-separated-values":
			return FormatTSV
		}
	}
	switch strings.ToLower(path.Ext(name)) {
	case ".ndjson", ".jsonl", ".jsonlines":
		return FormatNDJSON
	case ".json":
		if sniffContent(head) == FormatNDJSON {
			return FormatNDJSON
		}
		return FormatJSON
	case ".csv":
		return FormatCSV
	case ".tsv", ".tab":
		return FormatTSV
	case ".txt", ".log", ".text":
		return FormatText
	}
	return sniffContent(head)
}

// sniffContent: JSON when the first non-space byte opens an object or array (NDJSON when the first line is a
// complete object and another line follows); CSV or TSV when the first lines split into the same number (≥ 2)
// of fields; text otherwise.
func sniffContent(head []byte) Format {
	head = bytes.TrimPrefix(head, utf8BOM)
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		first, rest, found := bytes.Cut(trimmed, []byte("\n"))
		first = bytes.TrimSpace(first)
		rest = bytes.TrimLeft(rest, " \t\r\n")
		if found && len(first) > 1 && first[0] == '{' && first[len(first)-1] == '}' && len(rest) > 0 && rest[0] == '{' &&
			completeJSON(first) {
			return FormatNDJSON
		}
		return FormatJSON
	}
	for _, sep := range []byte{'\t', ','} {
		if delimited(head, sep) {
			if sep == '\t' {
				return FormatTSV
			}
			return FormatCSV
		}
	}
	return FormatText
}

// completeJSON: the line is one whole JSON value (brackets balance outside strings).
func completeJSON(line []byte) bool {
	depth, inStr := 0, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case inStr && c == '\\':
			i++
		case c == '"':
			inStr = !inStr
		case inStr:
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth--; depth == 0 && i != len(line)-1 {
				return false
			}
		}
	}
	return depth == 0 && !inStr
}

// delimited: at least two complete lines, each with the same number (≥ 2) of sep-separated fields outside
// quotes, and no line longer than 4 KiB (log lines with a stray comma rarely agree on the count).
func delimited(head []byte, sep byte) bool {
	lines := bytes.Split(head, []byte("\n"))
	if len(lines) > 0 && len(head) == sniffLen {
		lines = lines[:len(lines)-1] // the last line may be cut off
	}
	want, n := -1, 0
	for _, line := range lines {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			continue
		}
		if len(line) > 4096 {
			return false
		}
		fields, inQuote := 1, false
		for _, c := range line {
			switch {
			case c == '"':
				inQuote = !inQuote
			case c == sep && !inQuote:
				fields++
			}
		}
		if inQuote || fields < 2 || want >= 0 && fields != want {
			return false
		}
		want = fields
		if n++; n >= 20 {
			break
		}
	}
	return n >= 2
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// isBinary: a NUL byte in head, or more than a quarter of it control characters (other than tab, line breaks,
// form feed, escape) and bytes that are not valid UTF-8. Latin-1 text (an é here and there) passes.
func isBinary(head []byte) bool {
	if bytes.IndexByte(head, 0) >= 0 {
		return true
	}
	bad := 0
	for i := 0; i < len(head); {
		c := head[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' && c != 0x1b || c == 0x7f {
				bad++
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(head[i:])
		if r == utf8.RuneError && size <= 1 {
			// A sequence cut off by the end of head is not evidence.
			if len(head)-i < utf8.UTFMax && !utf8.FullRune(head[i:]) {
				break
			}
			bad++
		}
		i += size
	}
	return bad*4 > len(head)
}
