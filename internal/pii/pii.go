// Package pii finds personal data in text: the Amazon Comprehend PII entity types (plus Korean identifiers),
// found by patterns, checksums, context words and key names, each with a byte span and a confidence score.
// It knows nothing about AWS services; the Comprehend API, the Object Lambda built-in and the redact command
// are built on it.
//
// The score model follows Presidio: a candidate's shape gives a base score, a passing checksum raises it, a
// failing one drops the candidate, and context words among the few tokens before it (or the key it is the value
// of) raise or lower it: positive context adds 0.35 (floor 0.6), negative context ("order", "id", "ts", "sku")
// subtracts 0.35. DefaultMinScore (0.5) keeps shape-only guesses out.
//
// How each type is found (files):
//
//	CREDIT_DEBIT_NUMBER  13–19 digits, plain or 4-4-4-4/4-6-5 groups; Luhn; brand prefix+length (numbers.go)
//	SSN, US_INDIVIDUAL_…  AAA-GG-SSSS valid ranges, Presidio's invalid samples; ITIN for 9xx ranges
//	BANK_ROUTING         ABA 3-7-1 checksum and prefix ranges; plain 9 digits need context
//	KR_* (RRN, FRN, BRN) birth date + gender digit + check digit; BRN weights; KR driver licence region
//	PHONE                E.164 (+82, +1 validated), Korean mobile/area/VoIP/050X/15XX, NANP (phone.go)
//	IP_ADDRESS           IPv4 in numbers.go, IPv6 in tokens.go; both through net/netip
//	IBAN, SWIFT_CODE, MAC_ADDRESS, AWS_ACCESS_KEY, AWS_SECRET_KEY, VIN, passports (tokens.go)
//	EMAIL, URL           from '@' and "://"/"www."; percent-encoded emails in query strings (web.go)
//	CVV, EXPIRY, BANK_ACCOUNT_NUMBER, PASSPORT_NUMBER, DRIVER_ID, DATE_TIME (birth dates): shape + context
//	NAME, ADDRESS, USERNAME, PASSWORD, DATE_TIME: the value of a telling key (keyvalue.go); NAME and ADDRESS
//	also after titles/greetings/honorifics and as street or Korean road addresses (freetext.go)
package pii

import (
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Entity is one finding. Start and End are byte offsets into the scanned text (End exclusive); Text is
// text[Start:End].
type Entity struct {
	Type  string
	Start int
	End   int
	Score float64
	Text  string
}

// Entity type names: Amazon Comprehend's, plus Tributary's Korean identifiers.
const (
	TypeName               = "NAME"
	TypeAddress            = "ADDRESS"
	TypeEmail              = "EMAIL"
	TypePhone              = "PHONE"
	TypeURL                = "URL"
	TypeDateTime           = "DATE_TIME"
	TypeUsername           = "USERNAME"
	TypePassword           = "PASSWORD"
	TypeIPAddress          = "IP_ADDRESS"
	TypeMACAddress         = "MAC_ADDRESS"
	TypeAWSAccessKey       = "AWS_ACCESS_KEY"
	TypeAWSSecretKey       = "AWS_SECRET_KEY"
	TypeCreditDebitNumber  = "CREDIT_DEBIT_NUMBER"
	TypeCreditDebitCVV     = "CREDIT_DEBIT_CVV"
	TypeCreditDebitExpiry  = "CREDIT_DEBIT_EXPIRY"
	TypeBankAccountNumber  = "BANK_ACCOUNT_NUMBER"
	TypeBankRouting        = "BANK_ROUTING"
	TypeIBAN               = "INTERNATIONAL_BANK_ACCOUNT_NUMBER"
	TypeSWIFTCode          = "SWIFT_CODE"
	TypeSSN                = "SSN"
	TypeITIN               = "US_INDIVIDUAL_TAX_IDENTIFICATION_NUMBER"
	TypePassportNumber     = "PASSPORT_NUMBER"
	TypeDriverID           = "DRIVER_ID"
	TypeKRResidentNumber   = "KR_RESIDENT_REGISTRATION_NUMBER"
	TypeKRForeignerNumber  = "KR_FOREIGNER_REGISTRATION_NUMBER"
	TypeKRBusinessNumber   = "KR_BUSINESS_REGISTRATION_NUMBER"
	TypeVIN                = "VEHICLE_IDENTIFICATION_NUMBER"
	typeAllRequestKeyword  = "ALL"
	typeAliasKRResident    = "KR_RRN"
	typeAliasKRForeigner   = "KR_FRN"
	typeAliasKRBusinessReg = "KR_BRN"
)

// kind indexes the entity types; a typeSet is a bit set of kinds.
type kind uint8

const (
	kName kind = iota
	kAddress
	kEmail
	kPhone
	kURL
	kDateTime
	kUsername
	kPassword
	kIP
	kMAC
	kAWSAccessKey
	kAWSSecretKey
	kCard
	kCVV
	kExpiry
	kBankAccount
	kRouting
	kIBAN
	kSWIFT
	kSSN
	kITIN
	kPassport
	kDriverID
	kKRRRN
	kKRFRN
	kKRBRN
	kVIN
	numKinds
)

var kindNames = [numKinds]string{
	kName: TypeName, kAddress: TypeAddress, kEmail: TypeEmail, kPhone: TypePhone, kURL: TypeURL,
	kDateTime: TypeDateTime, kUsername: TypeUsername, kPassword: TypePassword, kIP: TypeIPAddress,
	kMAC: TypeMACAddress, kAWSAccessKey: TypeAWSAccessKey, kAWSSecretKey: TypeAWSSecretKey,
	kCard: TypeCreditDebitNumber, kCVV: TypeCreditDebitCVV, kExpiry: TypeCreditDebitExpiry,
	kBankAccount: TypeBankAccountNumber, kRouting: TypeBankRouting, kIBAN: TypeIBAN, kSWIFT: TypeSWIFTCode,
	kSSN: TypeSSN, kITIN: TypeITIN, kPassport: TypePassportNumber, kDriverID: TypeDriverID,
	kKRRRN: TypeKRResidentNumber, kKRFRN: TypeKRForeignerNumber, kKRBRN: TypeKRBusinessNumber, kVIN: TypeVIN,
}

type typeSet uint64

func (t typeSet) has(k kind) bool { return t&(1<<k) != 0 }

const allTypes = typeSet(1)<<numKinds - 1

// Types lists every entity type the detector can report, in a stable order.
func Types() []string { return slices.Clone(kindNames[:]) }

// CanonicalType maps a type name (case-insensitive; the aliases KR_RRN, KR_FRN, KR_BRN accepted) to its
// canonical name. ok is false for unknown names. "ALL" is not a type: callers treat it as the empty list.
func CanonicalType(name string) (canonical string, ok bool) {
	k, ok := kindOf(name)
	if !ok {
		return "", false
	}
	return kindNames[k], true
}

func kindOf(name string) (kind, bool) {
	upper := strings.ToUpper(strings.TrimSpace(name))
	switch upper {
	case typeAliasKRResident:
		return kKRRRN, true
	case typeAliasKRForeigner:
		return kKRFRN, true
	case typeAliasKRBusinessReg:
		return kKRBRN, true
	}
	for k, n := range kindNames {
		if n == upper {
			return kind(k), true
		}
	}
	return 0, false
}

// DefaultMinScore is the threshold used when Options.MinScore is zero: candidates with no more evidence than
// their shape (a bare 9-digit number that happens to pass the ABA checksum) stay below it.
const DefaultMinScore = 0.5

// Options configures a Detector.
type Options struct {
	// Types to report (canonical names or aliases); empty, or containing "ALL", means every type.
	// Unknown names are ignored: validate user input with CanonicalType first.
	Types []string
	// MinScore drops findings scoring below it; zero means DefaultMinScore.
	MinScore float64
	// Language of the text, "en" or "ko" (empty: "en"). It breaks ties between national number formats;
	// context words of both languages are always recognised.
	Language string
}

// Detector finds entities. It is immutable after NewDetector and safe for concurrent use.
type Detector struct {
	want     typeSet
	minScore float64
	korean   bool
	vocab    *vocabulary
	// pool keeps Detect's working buffers (*scratch) between calls; the result is always a fresh slice.
	pool sync.Pool
}

// NewDetector builds a Detector.
func NewDetector(opts Options) *Detector {
	d := &Detector{want: allTypes, minScore: opts.MinScore, vocab: newVocabulary()}
	if d.minScore == 0 {
		d.minScore = DefaultMinScore
	}
	d.korean = strings.EqualFold(opts.Language, "ko")
	if len(opts.Types) > 0 && !slices.ContainsFunc(opts.Types, func(s string) bool {
		return strings.EqualFold(strings.TrimSpace(s), typeAllRequestKeyword)
	}) {
		d.want = 0
		for _, name := range opts.Types {
			if k, ok := kindOf(name); ok {
				d.want |= 1 << k
			}
		}
	}
	return d
}

// Detect returns the entities in text: non-overlapping, sorted by Start; where candidates overlap the highest
// score wins (then the longer span). Text need not be valid UTF-8.
func (d *Detector) Detect(text string) []Entity {
	sc, _ := d.pool.Get().(*scratch)
	if sc == nil {
		// Sized for typical density (a context word per ~48 bytes of JSON) so small documents don't regrow.
		sc = &scratch{hits: make([]hit, 0, 16+len(text)/48), cands: make([]candidate, 0, 8+len(text)/128)}
	}
	var out []Entity
	if ents := d.detect(sc, text, nil); len(ents) > 0 {
		out = slices.Clone(ents)
	}
	if cap(sc.hits) <= maxPooledHits {
		clear(sc.out[:cap(sc.out)]) // drop the references to text
		d.pool.Put(sc)
	}
	return out
}

// maxPooledHits: scratch buffers grown by a huge text are not kept.
const maxPooledHits = 64 << 10

// scratch holds the buffers of a detection, reused across the batches of a Redact run so that detecting a
// large stream does not allocate per batch. The entities returned by detect live in out until the next call.
type scratch struct {
	hits   []hit
	cands  []candidate
	chosen []candidate
	out    []Entity
	kinds  []kind // kinds[i] is the kind of out[i]: callers need not look the type name up
}

// detect is Detect with a hook run after the key-value pass: structured scanning (structured.go) reports the
// values whose key path names their content there. The result aliases sc.out.
func (d *Detector) detect(sc *scratch, text string, keyed func(*scanner)) []Entity {
	s := scanner{d: d, text: text, hits: sc.hits[:0], cands: sc.cands[:0], chosen: sc.chosen[:0], out: sc.out[:0],
		kinds: sc.kinds[:0]}
	defer func() {
		sc.hits, sc.cands, sc.chosen, sc.out, sc.kinds = s.hits[:0], s.cands[:0], s.chosen[:0], s.out[:0], s.kinds[:0]
	}()
	s.scanWords()
	s.scanKeyValues()
	if keyed != nil {
		keyed(&s)
	}
	s.scanFreeText()
	s.scanNumbers()
	s.scanEmails()
	s.scanURLs()
	s.scanTokens()
	return s.resolve()
}

// candidate is a finding before overlap resolution.
type candidate struct {
	start, end int
	score      float64
	kind       kind
}

// scanner holds the state of one Detect call.
type scanner struct {
	d     *Detector
	text  string
	hits  []hit // context words, sorted by start
	cands []candidate
	// chosen, out and kinds: resolve's buffers (from scratch).
	chosen    []candidate
	out       []Entity
	kinds     []kind
	ctxMemo   ctxMemo
	hitCursor int // hitIndex's last answer
	// v6Until: the IPv6 scan already tried every hex:colon run ending before this offset.
	v6Until int
}

func (s *scanner) wants(k kind) bool { return s.d.want.has(k) }

func (s *scanner) emit(k kind, start, end int, score float64) {
	if score > 1 {
		score = 1
	}
	if !s.d.want.has(k) || score < s.d.minScore || score <= 0 || start >= end {
		return
	}
	s.cands = append(s.cands, candidate{start: start, end: end, score: score, kind: k})
}

// resolve picks non-overlapping candidates: within each cluster of mutually overlapping candidates the highest
// score (then the longest span, then the earliest start) wins, repeatedly.
func (s *scanner) resolve() []Entity {
	if len(s.cands) == 0 {
		return nil
	}
	slices.SortFunc(s.cands, func(a, b candidate) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	out := s.out
	if cap(out) < len(s.cands) {
		out = make([]Entity, 0, len(s.cands))
	}
	chosen, kinds := s.chosen, s.kinds
	defer func() { s.out, s.chosen, s.kinds = out, chosen, kinds }()
	for i := 0; i < len(s.cands); {
		j, end := i+1, s.cands[i].end
		for j < len(s.cands) && s.cands[j].start < end {
			end = max(end, s.cands[j].end)
			j++
		}
		cluster := s.cands[i:j]
		chosen = chosen[:0]
		if len(cluster) == 1 {
			c := cluster[0]
			out = append(out, Entity{Type: kindNames[c.kind], Start: c.start, End: c.end, Score: roundScore(c.score),
				Text: s.text[c.start:c.end]})
			kinds = append(kinds, c.kind)
			i = j
			continue
		}
		slices.SortStableFunc(cluster, func(a, b candidate) int {
			switch {
			case a.score != b.score:
				if a.score > b.score {
					return -1
				}
				return 1
			case a.end-a.start != b.end-b.start:
				return (b.end - b.start) - (a.end - a.start)
			default:
				return a.start - b.start
			}
		})
		for _, c := range cluster {
			if !slices.ContainsFunc(chosen, func(o candidate) bool { return c.start < o.end && o.start < c.end }) {
				chosen = append(chosen, c)
			}
		}
		slices.SortFunc(chosen, func(a, b candidate) int { return a.start - b.start })
		for _, c := range chosen {
			out = append(out, Entity{Type: kindNames[c.kind], Start: c.start, End: c.end, Score: roundScore(c.score),
				Text: s.text[c.start:c.end]})
			kinds = append(kinds, c.kind)
		}
		i = j
	}
	return out
}

// roundScore keeps scores to four decimals, as Comprehend reports them, so sums of boosts print cleanly.
func roundScore(f float64) float64 {
	return float64(int64(f*10000+0.5)) / 10000
}

// Span is a pair of code-point offsets, End exclusive.
type Span struct{ Begin, End int }

// CodePointSpans converts entities' byte offsets to code-point offsets (Python str indices), the unit of
// Comprehend's BeginOffset and EndOffset. One pass when entities are sorted, as Detect returns them. Bytes of
// invalid UTF-8 count one code point each.
func CodePointSpans(text string, ents []Entity) []Span {
	spans := make([]Span, len(ents))
	pos, runes := 0, 0
	at := func(b int) int {
		if b < pos {
			pos, runes = 0, 0
		}
		runes += utf8.RuneCountInString(text[pos:b])
		pos = b
		return runes
	}
	for i, e := range ents {
		spans[i] = Span{Begin: at(e.Start), End: at(e.End)}
	}
	return spans
}

// Label is one entity type present in a text with its highest score, as Comprehend's ContainsPiiEntities
// reports them.
type Label struct {
	Name  string
	Score float64
}

// Labels returns the entity types found in text, each with its highest score, sorted by name.
func (d *Detector) Labels(text string) []Label {
	var best [numKinds]float64
	for _, e := range d.Detect(text) {
		if k, ok := kindOf(e.Type); ok {
			best[k] = max(best[k], e.Score)
		}
	}
	var labels []Label
	for k, score := range best {
		if score > 0 {
			labels = append(labels, Label{Name: kindNames[k], Score: score})
		}
	}
	slices.SortFunc(labels, func(a, b Label) int { return strings.Compare(a.Name, b.Name) })
	return labels
}
