package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/tributary-dev/tributary/internal/pii"
)

// Exit statuses of `tributary redact`.
const (
	redactOK       = 0 // redacted (or scanned) in its format
	redactFailed   = 1 // reading or writing failed
	redactUsage    = 2 // bad flags, policy or format
	redactFallback = 3 // complete output, but some input was not valid in its format and was redacted as text
	redactRefused  = 4 // binary input: nothing written
)

const redactUsageText = `usage: tributary redact [--policy FILE] [--format F] [--name NAME] [--content-type T] [--report] [FILE]
  Reads FILE (default stdin) and writes it to stdout with personal data redacted, in the same format
  (--format auto: from --content-type, else the file name, else the first 8 KiB).
  --report prints the findings as JSON instead (type, byte offsets, score, JSON path or CSV column, line;
  not the values themselves).
  Exit status: 0 redacted in its format; 3 some input was not valid in its format and was redacted as
  text (the output is complete); 4 refused: the input is binary (nothing written); 2 usage error (bad flag,
  policy or format); 1 read or write error.
  The policy document (JSON) is described in internal/pii/policy.go; pseudonym mode reads its key from
  the environment variable it names (default TRIBUTARY_PII_KEY).
`

// runRedact is `tributary redact`.
func runRedact(args []string, lookupEnv func(string) (string, bool), stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("tributary redact", flag.ContinueOnError)
	fs.SetOutput(stderr)
	policyFile := fs.String("policy", "", "policy document (JSON); default: every type replaced with [TYPE]")
	formatName := fs.String("format", "auto", "input format: auto, text, json, ndjson (jsonl), csv, tsv")
	name := fs.String("name", "", "file name to sniff the format from (default: FILE)")
	contentType := fs.String("content-type", "", "content type to pick the format from (application/json, text/csv...)")
	report := fs.Bool("report", false, "print the findings as JSON instead of the redacted input")
	fs.Usage = func() {
		fmt.Fprint(stderr, redactUsageText)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return redactOK
		}
		return redactUsage
	}
	if fs.NArg() > 1 {
		fmt.Fprintf(stderr, "tributary redact: unexpected argument %q\n", fs.Arg(1))
		return redactUsage
	}
	format, err := pii.ParseFormat(*formatName)
	if err != nil {
		fmt.Fprintf(stderr, "tributary redact: --format: %v\n", err)
		return redactUsage
	}
	policy := pii.DefaultPolicy()
	if *policyFile != "" {
		doc, err := os.ReadFile(*policyFile)
		if err != nil {
			fmt.Fprintf(stderr, "tributary redact: --policy: %v\n", err)
			return redactUsage
		}
		if policy, err = pii.ParsePolicyEnv(doc, lookupEnv); err != nil {
			fmt.Fprintf(stderr, "tributary redact: %s: %v\n", *policyFile, err)
			return redactUsage
		}
	}
	r, err := pii.NewRedactor(policy)
	if err != nil {
		fmt.Fprintf(stderr, "tributary redact: %v\n", err)
		return redactUsage
	}
	in := stdin
	if fs.NArg() == 1 {
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			fmt.Fprintf(stderr, "tributary redact: %v\n", err)
			return redactFailed
		}
		defer f.Close()
		in = f
		if *name == "" {
			*name = fs.Arg(0)
		}
	}
	br := bufio.NewReaderSize(in, 64<<10)
	if format == pii.FormatAuto {
		head, err := br.Peek(8 << 10)
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
			fmt.Fprintf(stderr, "tributary redact: %v\n", err)
			return redactFailed
		}
		format = pii.SniffFormat(*contentType, *name, head)
	}
	var rep pii.Report
	if *report {
		rep, err = writeReport(r, br, format, stdout)
	} else {
		rep, err = r.Redact(stdout, br, format)
	}
	switch {
	case errors.Is(err, pii.ErrBinary):
		fmt.Fprintln(stderr, "tributary redact: refused: the input is binary, not text")
		return redactRefused
	case err != nil:
		fmt.Fprintf(stderr, "tributary redact: %v\n", err)
		return redactFailed
	case rep.Fallback:
		fmt.Fprintf(stderr, "tributary redact: input is not valid %s (%s): redacted as text from there\n", rep.Format,
			rep.FallbackReason)
		return redactFallback
	}
	return redactOK
}

// reportFinding is one finding in --report output. The value itself is left out: the report says where
// personal data is without copying it.
type reportFinding struct {
	Type  string  `json:"type"`
	Start int     `json:"start"`
	End   int     `json:"end"`
	Score float64 `json:"score"`
	Path  string  `json:"path,omitempty"`
	Line  int     `json:"line"`
}

// writeReport scans src and writes {"findings":[...],"format":...,"fallback":...,"counts":...,"bytesIn":...},
// streaming the findings so a large input needs no memory for them.
func writeReport(r *pii.Redactor, src io.Reader, f pii.Format, stdout io.Writer) (pii.Report, error) {
	w := bufio.NewWriter(stdout)
	first := true
	var werr error
	started := false
	rep, err := r.Scan(src, f, func(fd pii.Finding) {
		if werr != nil {
			return
		}
		if !started {
			_, werr = w.WriteString(`{"findings":[`)
			started = true
		}
		if !first {
			w.WriteByte(',')
		}
		first = false
		b, _ := json.Marshal(reportFinding{Type: fd.Type, Start: fd.Start, End: fd.End, Score: fd.Score, Path: fd.Path, Line: fd.Line})
		_, werr = w.Write(b)
	})
	if errors.Is(err, pii.ErrBinary) {
		return rep, err // nothing written
	}
	if !started {
		w.WriteString(`{"findings":[`)
	}
	counts := rep.Counts
	if counts == nil {
		counts = map[string]int{}
	}
	tail, _ := json.Marshal(struct {
		Format         pii.Format     `json:"format"`
		Fallback       bool           `json:"fallback"`
		FallbackReason string         `json:"fallbackReason,omitempty"`
		Counts         map[string]int `json:"counts"`
		BytesIn        int64          `json:"bytesIn"`
	}{rep.Format, rep.Fallback, rep.FallbackReason, counts, rep.BytesIn})
	w.WriteString("],")
	w.Write(tail[1:])
	w.WriteByte('\n')
	if ferr := w.Flush(); werr == nil {
		werr = ferr
	}
	if err == nil {
		err = werr
	}
	return rep, err
}
