package pii

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unsafe"
)

// Finding is one entity found in a stream.
type Finding struct {
	Entity        // Start and End are byte offsets into the whole input stream; Text is the value (JSON-decoded)
	Path   string // JSON path ("customer.email", "items[0].card") or CSV column header; "" for text
	Line   int    // 1-based line of the input where the finding starts
}

// Report describes one Redact or Scan run.
type Report struct {
	Format         Format         // the format actually used
	Fallback       bool           // some input was not valid in its format and was redacted as text instead
	FallbackReason string         // the first such problem, with its line ("line 3: truncated JSON")
	Findings       []Finding      // Scan with a nil callback only
	Counts         map[string]int // findings per entity type
	BytesIn        int64
	BytesOut       int64
}

// Limits that bound a run's memory whatever the size of the input.
const (
	// batchTarget: structured input is detected in batches of about this many bytes.
	batchTarget = 128 << 10
	// textWindow: text is detected in windows of about this many bytes, cut at a line break when there is one.
	textWindow = 128 << 10
	// textOverlap: when a window must cut a long line, the cut is at a space and detection looks this far past
	// it (an entity starting before the cut is taken whole) and as far back (context words).
	textOverlap = 256
	// MaxToken is the largest single JSON string, number or CSV field kept in memory; a larger one makes the rest
	// of the input fall back to text, which is processed in windows.
	MaxToken = 8 << 20
	// maxDepth: deeper JSON nesting falls back to text.
	maxDepth = 1000
)

// Redactor rewrites streams according to a Policy. It is immutable and safe for concurrent use.
type Redactor struct {
	det       *Detector // nil when the policy ignores every type
	rules     [numKinds]Rule
	key       []byte
	anyRemove bool
	// pool keeps the buffers of finished runs (input window, output buffer, batch, detector scratch): a caller
	// redacting one small record at a time would otherwise allocate them all on every call.
	pool sync.Pool // of *run
}

// NewRedactor builds a Redactor; a nil policy means DefaultPolicy.
func NewRedactor(p *Policy) (*Redactor, error) {
	if p == nil {
		p = DefaultPolicy()
	}
	r := &Redactor{key: p.PseudonymKey}
	global := p.MinScore
	if global == 0 {
		global = DefaultMinScore
	}
	var types []string
	detMin := 1.0
	for k := range numKinds {
		rule := p.rule(kindNames[k])
		if rule.MinScore == 0 {
			rule.MinScore = global
		}
		if rule.Mask == 0 {
			rule.Mask = '*'
		}
		r.rules[k] = rule
		if rule.Ignore {
			continue
		}
		if rule.Mode < RedactWithType || rule.Mode > RedactRemove {
			return nil, fmt.Errorf("pii: %s: unknown redaction mode %d", kindNames[k], rule.Mode)
		}
		if rule.Mode == RedactPseudonym && len(p.PseudonymKey) == 0 {
			return nil, ErrNoPseudonymKey
		}
		r.anyRemove = r.anyRemove || rule.Mode == RedactRemove
		types = append(types, kindNames[k])
		detMin = min(detMin, rule.MinScore)
	}
	if len(types) > 0 {
		r.det = NewDetector(Options{Types: types, MinScore: detMin, Language: p.Language})
	}
	return r, nil
}

// redaction returns the Redaction of a kind's rule.
func (r *Redactor) redaction(k kind) Redaction {
	rule := r.rules[k]
	keep := rule.Keep
	if keep == 0 {
		keep = -1 // Redaction's "mask everything"
	}
	return Redaction{Mode: rule.Mode, Keep: keep, Mask: rule.Mask, Key: r.key}
}

// accept reports whether an entity passes its type's rule.
func (r *Redactor) accept(e *Entity, k kind) bool {
	return !r.rules[k].Ignore && e.Score >= r.rules[k].MinScore
}

// Redact copies src to dst with every finding rewritten by the policy. f selects the format; FormatAuto sniffs
// it from the first bytes. Input that is not valid in its format is redacted as text from the point where it
// stops being valid (NDJSON: to the end of that line) and Report.Fallback is set. Binary input returns
// ErrBinary before anything is written. Memory stays bounded (about MaxToken at worst) whatever the input size.
func (r *Redactor) Redact(dst io.Writer, src io.Reader, f Format) (Report, error) {
	rn := r.getRun()
	if rn.bw == nil {
		rn.bw = bufio.NewWriterSize(dst, 32<<10)
	} else {
		rn.bw.Reset(dst)
	}
	rn.w = rn.bw
	rep, err := rn.do(src, f)
	if ferr := rn.bw.Flush(); err == nil && ferr != nil {
		err = ferr
	}
	rn.bw.Reset(nil)
	r.putRun(rn)
	return rep, err
}

// getRun returns a run with the buffers of an earlier one, if any.
func (r *Redactor) getRun() *run {
	if rn, ok := r.pool.Get().(*run); ok {
		return rn
	}
	return &run{r: r}
}

// maxPooled: buffers that grew past this (a huge token, a dense batch) are dropped rather than kept alive.
const maxPooled = 1 << 20

// putRun returns a finished run's buffers to the pool, clearing everything that belongs to the call.
func (r *Redactor) putRun(rn *run) {
	buf := rn.src.buf
	if cap(buf) > maxPooled {
		buf = nil
	}
	b := rn.b
	b.reset()
	if cap(b.scan) > maxPooled || cap(b.paths) > maxPooled || cap(b.tmp) > maxPooled || cap(b.val) > maxPooled {
		b = batch{kkCache: b.kkCache}
	}
	b.tmp, b.val, b.ents = b.tmp[:0], b.val[:0], b.ents[:0]
	clear(b.sc.out[:cap(b.sc.out)]) // entity texts point into this run's buffers
	edits, repl := rn.edits[:0], rn.repl[:0]
	if cap(repl) > maxPooled {
		repl = nil
	}
	*rn = run{r: r, bw: rn.bw, spare: buf, b: b, edits: edits, repl: repl}
	r.pool.Put(rn)
}

// Scan reports the findings of src as Redact would redact them, without writing anything. fn is called for
// each finding in input order; with a nil fn the findings are collected in Report.Findings.
func (r *Redactor) Scan(src io.Reader, f Format, fn func(Finding)) (Report, error) {
	rn := r.getRun()
	rn.fn = fn
	if fn == nil {
		rn.collect = true
	}
	rep, err := rn.do(src, f)
	r.putRun(rn)
	return rep, err
}

// run is the state of one Redact or Scan call.
type run struct {
	r       *Redactor
	w       *bufio.Writer // nil: Scan
	bw      *bufio.Writer // kept for reuse
	spare   []byte        // a pooled input window for src
	fn      func(Finding)
	collect bool
	src     source
	rep     Report
	written int64 // input up to here has been output
	edits   []edit
	repl    []byte // replacement bytes of edits
	b       batch
	counts  [numKinds]int
}

// edit replaces input [start, end) (absolute offsets) with repl[rs:re].
type edit struct {
	start, end int64
	rs, re     int
}

func (rn *run) do(src io.Reader, f Format) (Report, error) {
	// Small inputs (one record) stay small; large ones grow the window to a few batches.
	buf := rn.spare
	if buf == nil {
		buf = make([]byte, 32<<10)
	}
	rn.spare = nil
	rn.src = source{r: src, buf: buf[:cap(buf)], lines: lineCounter{line: 1}}
	for rn.src.n < sniffLen && rn.src.more(0) {
	}
	if rn.src.err != nil {
		return rn.rep, rn.src.err
	}
	head := rn.src.buf[:min(rn.src.n, sniffLen)]
	if isBinary(head) {
		return rn.rep, ErrBinary
	}
	if f == FormatAuto {
		f = SniffFormat("", "", head)
	}
	rn.rep.Format = f
	var err error
	switch f {
	case FormatText:
		_, err = rn.text(0, -1)
	case FormatJSON, FormatNDJSON:
		err = rn.json(f == FormatNDJSON)
	case FormatCSV:
		err = rn.csv(',')
	case FormatTSV:
		err = rn.csv('\t')
	default:
		return rn.rep, fmt.Errorf("pii: unknown format %v", f)
	}
	if err == nil && rn.src.err != nil {
		err = rn.src.err
	}
	rn.rep.BytesIn = rn.src.off + int64(rn.src.n)
	for k, n := range rn.counts {
		if n > 0 {
			if rn.rep.Counts == nil {
				rn.rep.Counts = map[string]int{}
			}
			rn.rep.Counts[kindNames[k]] = n
		}
	}
	return rn.rep, err
}

// fallback records that input from abs offset at was not valid in the format.
func (rn *run) fallback(at int64, why string) {
	if !rn.rep.Fallback {
		rn.rep.Fallback = true
		// Findings before at may still be reported: count without moving the counter.
		lc := rn.src.lines
		rn.rep.FallbackReason = fmt.Sprintf("line %d: %s", lc.at(&rn.src, at), why)
	}
}

// source is a sliding window over the input: buf[:n] holds input offsets [off, off+n).
type source struct {
	r   io.Reader
	buf []byte
	off int64
	n   int
	eof bool
	err error // a read error other than EOF
	// full: the last more could not add data because keeping everything from keep would exceed MaxToken.
	full  bool
	lines lineCounter // counts line breaks before they are dropped
}

// end is the absolute offset after the last byte read.
func (s *source) end() int64 { return s.off + int64(s.n) }

// at returns the byte at absolute offset p (which must be buffered).
func (s *source) at(p int64) byte { return s.buf[p-s.off] }

// slice returns input [a, b) (buffered).
func (s *source) slice(a, b int64) []byte { return s.buf[a-s.off : b-s.off] }

// more reads more input, dropping the bytes before keep (absolute; keep <= end). It returns false when nothing
// was added: at EOF, on a read error (s.err), or when the window would exceed MaxToken plus a batch (s.full).
func (s *source) more(keep int64) bool {
	s.full = false
	if s.eof || s.err != nil {
		return false
	}
	// Compact only when the free space runs low: moving the unflushed batch on every read would copy each
	// byte of input several times.
	if k := int(keep - s.off); k > 0 && len(s.buf)-s.n < len(s.buf)/4 {
		s.lines.at(s, keep)
		copy(s.buf, s.buf[k:s.n])
		s.n -= k
		s.off = keep
	}
	if s.n == len(s.buf) {
		if len(s.buf) >= MaxToken+2*batchTarget {
			s.full = true
			return false
		}
		nb := make([]byte, min(2*len(s.buf), MaxToken+2*batchTarget))
		copy(nb, s.buf[:s.n])
		s.buf = nb
	}
	for range 100 {
		m, err := s.r.Read(s.buf[s.n:])
		s.n += m
		if err == io.EOF {
			s.eof = true
			return m > 0
		}
		if err != nil {
			s.err = err
			return m > 0
		}
		if m > 0 {
			return true
		}
	}
	s.err = io.ErrNoProgress
	return false
}

// lineCounter turns absolute offsets (asked in increasing order) into 1-based line numbers.
type lineCounter struct {
	pos  int64
	line int
}

func (lc *lineCounter) at(s *source, p int64) int {
	if p > lc.pos {
		from := max(lc.pos, s.off)
		lc.line += bytes.Count(s.slice(from, min(p, s.end())), []byte{'\n'})
		lc.pos = p
	}
	return lc.line
}

// emit reports one accepted finding (Start/End absolute).
func (rn *run) emit(e Entity, k kind, path string) {
	rn.counts[k]++
	if !rn.reporting() {
		return
	}
	f := Finding{Entity: e, Path: path, Line: rn.src.lines.at(&rn.src, int64(e.Start))}
	if rn.collect {
		rn.rep.Findings = append(rn.rep.Findings, f)
	} else {
		rn.fn(f)
	}
}

// reporting: findings go to a callback or the report (not only counted).
func (rn *run) reporting() bool { return rn.fn != nil || rn.collect }

// addEdit queues a replacement of input [start, end) by repl.
func (rn *run) addEdit(start, end int64, repl []byte) {
	rs := len(rn.repl)
	rn.repl = append(rn.repl, repl...)
	rn.edits = append(rn.edits, edit{start: start, end: end, rs: rs, re: len(rn.repl)})
}

// commit outputs input [written, to) with the queued edits applied (they must be sorted, non-overlapping and
// inside the range), then clears them.
func (rn *run) commit(to int64) error {
	if rn.w == nil {
		rn.rep.BytesOut += to - rn.written
		for _, e := range rn.edits {
			rn.rep.BytesOut += int64(e.re-e.rs) - (e.end - e.start)
		}
		rn.written = to
		rn.edits, rn.repl = rn.edits[:0], rn.repl[:0]
		return nil
	}
	p := rn.written
	for _, e := range rn.edits {
		if e.start < p || e.end > to {
			continue // cannot happen when edits are built right; never write out of order
		}
		if err := rn.write(rn.src.slice(p, e.start)); err != nil {
			return err
		}
		if err := rn.write(rn.repl[e.rs:e.re]); err != nil {
			return err
		}
		p = e.end
	}
	if err := rn.write(rn.src.slice(p, to)); err != nil {
		return err
	}
	rn.written = to
	rn.edits, rn.repl = rn.edits[:0], rn.repl[:0]
	return nil
}

func (rn *run) write(b []byte) error {
	n, err := rn.w.Write(b)
	rn.rep.BytesOut += int64(n)
	return err
}

// text redacts input as free text from absolute offset from: to EOF when stopAfter < 0, else through the
// first line break at or after stopAfter (NDJSON's bad line). Windows of about textWindow bytes end at a line
// break; a longer line is cut at a space, with textOverlap bytes of context either side.
func (rn *run) text(from int64, stopAfter int64) (int64, error) {
	s := &rn.src
	if err := rn.commit(from); err != nil {
		return from, err
	}
	committed := from
	for {
		keep := max(s.off, committed-textOverlap)
		for s.end()-committed < textWindow+textOverlap && s.more(keep) {
		}
		if s.err != nil {
			return committed, s.err
		}
		end := s.end()
		if committed >= end {
			return end, rn.commit(end)
		}
		cut, to, final := int64(-1), int64(-1), false
		if stopAfter >= 0 {
			lo := max(committed, stopAfter)
			if lo < end {
				if i := bytes.IndexByte(s.slice(lo, end), '\n'); i >= 0 {
					if stop := lo + int64(i) + 1; stop-committed <= textWindow+textOverlap {
						cut, to, final = stop, stop, true
					}
				}
			}
		}
		if cut < 0 {
			switch limit := committed + textWindow; {
			case s.eof && end <= limit+textOverlap:
				cut, to, final = end, end, true
			default:
				limit = min(limit, end)
				if i := bytes.LastIndexByte(s.slice(committed, limit), '\n'); i >= 0 {
					cut, to = committed+int64(i)+1, committed+int64(i)+1
				} else {
					cut = textCut(s, committed, limit)
					to = min(end, cut+textOverlap)
				}
			}
		}
		// Context from before the window, back to the previous line break.
		lb := committed
		for lb > s.off && committed-lb < textOverlap && s.at(lb-1) != '\n' {
			lb--
		}
		newCommitted := cut
		if rn.r.det != nil {
			// Viewed in place: the window is not moved until the next s.more, and reported entity texts are
			// copied below.
			win := s.slice(lb, to)
			text := unsafe.String(unsafe.SliceData(win), len(win))
			ents := rn.r.det.detect(&rn.b.sc, text, nil)
			kinds := rn.b.sc.kinds[:len(ents)]
			for i, e := range ents {
				st := lb + int64(e.Start)
				if st < committed || st >= cut {
					continue
				}
				k := kinds[i]
				if !rn.r.accept(&e, k) {
					continue
				}
				en := lb + int64(e.End)
				e.Start, e.End = int(st), int(en)
				if rn.reporting() {
					e.Text = strings.Clone(e.Text)
				}
				rn.emit(e, k, "")
				rs := len(rn.repl)
				rn.repl = rn.r.redaction(k).appendTo(rn.repl, e.Type, e.Text)
				rn.edits = append(rn.edits, edit{start: st, end: en, rs: rs, re: len(rn.repl)})
				newCommitted = max(newCommitted, en)
			}
		}
		if err := rn.commit(newCommitted); err != nil {
			return committed, err
		}
		committed = newCommitted
		if final && committed >= to {
			return committed, nil
		}
	}
}

// textCut picks where a window over a long line ends: the last space or tab in its final textOverlap*4
// bytes, else a UTF-8 character boundary near limit.
func textCut(s *source, committed, limit int64) int64 {
	lo := max(committed+1, limit-4*textOverlap)
	if i := bytes.LastIndexAny(s.slice(lo, limit), " \t"); i >= 0 {
		return lo + int64(i) + 1
	}
	p := limit
	for p > committed+1 && limit-p < 4 && p < s.end() && s.at(p)&0xC0 == 0x80 {
		p--
	}
	return p
}

// errTooDeep and friends are the reasons structured input falls back to text.
var errTokenTooLong = errors.New("value longer than MaxToken")
