package pii

import (
	"net/netip"
	"strings"
)

// Numbers: one pass collects chunks (digit groups joined by short separators: "010-1234-5678",
// "4111 1111 1111 1111", "(02) 123-4567"); each window of consecutive groups that stands alone is classified
// as cards, SSNs, routing numbers, Korean identifiers, phones, IPv4 addresses, dates and context-only numbers.
// Groups joined by '-', '.' or '/' form one unit ("ORD-2024-000123" is never split into "2024" and "000123");
// spaces and parentheses may separate independent numbers.

// Separator flags between two digit groups.
const (
	sepSpace uint8 = 1 << iota
	sepDash
	sepDot
	sepSlash
	sepParen
)

const (
	maxChunkGroups = 64
	maxWinGroups   = 7
	maxWinDigits   = 19
)

type numGroup struct {
	start, end int
	sep        uint8 // separator after this group (0 after the chunk's last group)
	open       bool  // '(' right before the group
}

// numWindow is a candidate number: consecutive groups of a chunk.
type numWindow struct {
	start, end int
	n          int // groups
	lens       [maxWinGroups]int
	seps       [maxWinGroups]uint8 // seps[k]: between group k and k+1
	open       uint8               // bit k: group k is preceded by '('
	digits     [maxWinDigits]byte
	nd         int
	plus       bool // a '+' before the first group
	alone      bool // the window is its whole chunk: no digit group beside it, even across a space
	prevLen    int  // digits of the group before the window in its chunk (0: none)
	nextLen    int  // digits of the group after the window in its chunk (0: none)
	ctx        ctxMask
	ctxReady   bool // ctx computed: context is looked up only for windows whose shape needs it
}

func (s *scanner) wctx(w *numWindow) ctxMask {
	if !w.ctxReady {
		w.ctx, w.ctxReady = s.context(w.start), true
	}
	return w.ctx
}

func (s *scanner) scanNumbers() {
	t := s.text
	var buf [16]numGroup
	groups := buf[:0]
	for i := 0; i < len(t); {
		if !isDigit(t[i]) {
			i = nextDigit(t, i+1)
			continue
		}
		groups = groups[:0]
		j := i
		for {
			g := numGroup{start: j, open: j > 0 && t[j-1] == '('}
			for j < len(t) && isDigit(t[j]) {
				j++
			}
			g.end = j
			k, flags, delims := j, uint8(0), 0
		sep:
			for k < len(t) && k-j < 3 {
				switch t[k] {
				case ' ':
					flags |= sepSpace
				case '-':
					flags |= sepDash
					delims++
				case '.':
					flags |= sepDot
					delims++
				case '/':
					flags |= sepSlash
					delims++
				case '(', ')':
					flags |= sepParen
				default:
					break sep
				}
				k++
			}
			if k > j && k < len(t) && isDigit(t[k]) && delims <= 1 && len(groups) < maxChunkGroups-1 {
				g.sep = flags
				groups = append(groups, g)
				j = k
				continue
			}
			groups = append(groups, g)
			break
		}
		s.numberChunk(groups)
		i = j
	}
}

// numberChunk classifies every window of a chunk that is not glued to its neighbours.
func (s *scanner) numberChunk(groups []numGroup) {
	t := s.text
	first, last := groups[0], groups[len(groups)-1]
	prefix := first.start
	if first.open {
		prefix--
	}
	plus := prefix > 0 && t[prefix-1] == '+'
	if plus {
		prefix--
	}
	leftGlued, rightGlued := glueLeft(t, prefix), glueRight(t, last.end)
	for a := range groups {
		if a == 0 && leftGlued || a > 0 && groups[a-1].sep&(sepSpace|sepParen) == 0 {
			continue
		}
		w := numWindow{start: groups[a].start, plus: a == 0 && plus}
		if groups[a].open {
			w.start--
		}
		if w.plus {
			w.start--
		}
		for b := a; b < len(groups) && w.n < maxWinGroups; b++ {
			g := groups[b]
			if w.nd+g.end-g.start > maxWinDigits {
				break
			}
			w.nd += copy(w.digits[w.nd:], t[g.start:g.end])
			w.lens[w.n] = g.end - g.start
			if g.open {
				w.open |= 1 << w.n
			}
			if w.n > 0 {
				w.seps[w.n-1] = groups[b-1].sep
			}
			w.n++
			w.end = g.end
			if b == len(groups)-1 && rightGlued || b < len(groups)-1 && g.sep&(sepSpace|sepParen) == 0 {
				continue
			}
			w.alone = a == 0 && b == len(groups)-1
			w.prevLen, w.nextLen = 0, 0
			if a > 0 {
				w.prevLen = groups[a-1].end - groups[a-1].start
			}
			if b < len(groups)-1 {
				w.nextLen = groups[b+1].end - groups[b+1].start
			}
			s.classifyNumber(&w)
		}
	}
}

// glueLeft: the number starting at p continues an identifier or amount ("ORD-2024", "A1", "$12", "10:30").
func glueLeft(t string, p int) bool {
	if p == 0 {
		return false
	}
	c := t[p-1]
	switch {
	case isAlnum(c) || c == '_' || c == '$':
		return true
	case c == '-' || c == '.' || c == '/' || c == '_':
		return p >= 2 && isAlnum(t[p-2])
	case c == ':':
		return p >= 2 && isDigit(t[p-2])
	case c == ',': // a thousands group "1,234" continues "1"; a CSV field after "…3333," does not
		return p >= 2 && isDigit(t[p-2]) && digitRun(t, p) == 3 && (p < 5 || !isDigit(t[p-5]))
	case c >= 0x80 && p >= 2:
		// currency signs €, ₩ (three bytes), £, ¥ (two bytes)
		return p >= 3 && (t[p-3:p] == "€" || t[p-3:p] == "₩") || t[p-2:p] == "£" || t[p-2:p] == "¥"
	}
	return false
}

// glueRight: the number ending at e continues into an identifier, unit or time ("2024-01-02T", "12%", "10:30").
func glueRight(t string, e int) bool {
	if e >= len(t) {
		return false
	}
	c := t[e]
	switch {
	case isAlnum(c) || c == '_' || c == '%' || c == '@':
		return true
	case c == '-' || c == '.' || c == '/' || c == '_':
		return e+1 < len(t) && isAlnum(t[e+1])
	case c == ':':
		return e+1 < len(t) && isDigit(t[e+1])
	case c == ',':
		return digitRun(t, e+1) == 3 && (e < 4 || !isDigit(t[e-4]))
	}
	return false
}

// digitRun: the number of digits starting at i.
func digitRun(t string, i int) int {
	n := 0
	for i+n < len(t) && isDigit(t[i+n]) {
		n++
	}
	return n
}

func (s *scanner) classifyNumber(w *numWindow) {
	d := w.digits[:w.nd]
	switch {
	case w.nd < 3 && w.n == 1:
		return
	case w.n == 4 && w.nd <= 12 && w.uniform(sepDot) && !w.plus: // "+1.206.555.0199" is a phone
		s.numIPv4(w)
		return
	}
	if w.nd >= 13 {
		s.numCard(w, d)
	}
	switch w.nd {
	case 9:
		s.numSSN(w, d)
		s.numRouting(w, d)
	case 10:
		s.numBRN(w, d)
	case 12:
		s.numKRDriver(w, d)
	case 13:
		s.numRRN(w, d)
	}
	if w.nd >= 7 && w.nd <= 15 {
		s.numPhone(w, d)
	}
	s.numDates(w, d)
	s.numContextOnly(w)
}

// inFourRun: the window's chunk continues it with another four-digit group, before or after: the window
// is a slice of a longer grouped number (tracking numbers, card-shaped vouchers), not a number of its own.
func (w *numWindow) inFourRun() bool { return w.prevLen == 4 || w.nextLen == 4 }

// uniform: every separator of the window is exactly sep (one kind, no spaces mixed in).
func (w *numWindow) uniform(sep uint8) bool {
	for k := 0; k < w.n-1; k++ {
		if w.seps[k] != sep {
			return false
		}
	}
	return true
}

// sameSeps: every separator is the same one of space, dash, dot (or the window is one group).
func (w *numWindow) sameSeps() bool {
	return w.n == 1 || w.uniform(sepSpace) || w.uniform(sepDash) || w.uniform(sepDot)
}

func (w *numWindow) shape(lens ...int) bool {
	if w.n != len(lens) {
		return false
	}
	for k, l := range lens {
		if w.lens[k] != l {
			return false
		}
	}
	return true
}

func (s *scanner) numIPv4(w *numWindow) {
	if !s.wants(kIP) || w.plus || w.open != 0 {
		return
	}
	for k := 0; k < 4; k++ {
		if w.lens[k] > 3 {
			return
		}
	}
	if _, err := netip.ParseAddr(s.text[w.start:w.end]); err != nil {
		return // leading zeros, octets over 255
	}
	score := 0.85
	if s.wctx(w)&cVersion != 0 {
		score = 0.4
	}
	s.emit(kIP, w.start, w.end, score)
}

func (s *scanner) numCard(w *numWindow, d []byte) {
	if !s.wants(kCard) || w.plus || w.open != 0 || allSame(d) || !luhn(d) {
		return
	}
	grouped := w.n > 1
	if grouped {
		if !(w.uniform(sepSpace) || w.uniform(sepDash)) {
			return
		}
		// Groups of four, the last of three or four (19 digits print 4-4-4-4-3): "… 2331 7070 58" is no card.
		fours := w.n <= 5 && w.lens[w.n-1] >= 3
		for k := 0; k < w.n-1 && fours; k++ {
			fours = w.lens[k] == 4
		}
		if !fours && !w.shape(4, 6, 5) && !w.shape(4, 6, 4) {
			return
		}
		if fours && w.inFourRun() {
			return // four groups out of a longer run: "9361 2520 4660 5116 1362 15" is a USPS tracking number
		}
	}
	brand := cardBrand(d)
	if !brand && !w.alone {
		return // part of a longer run of groups ("9205 3679 5562 2331 7070 58", a USPS tracking number)
	}
	base := 0.3 // Luhn alone: one random number in ten passes
	if brand {
		base = 0.85
		switch {
		case grouped:
			base = 0.95
		case w.nd == 13:
			// 13-digit Visa numbers are long retired, while EAN-13 barcodes with a 40x-44x (German) prefix
			// pass Luhn one time in ten: a bare 13-digit run is a card only without negative context.
			base = 0.6
		}
	}
	s.emit(kCard, w.start, w.end, boost(base, s.wctx(w), cCard))
}

func (s *scanner) numSSN(w *numWindow, d []byte) {
	base := 0.0
	switch {
	case w.n == 1:
		base = 0.15
	case w.shape(3, 2, 4) && w.uniform(sepDash):
		base = 0.6
	case w.shape(3, 2, 4) && (w.uniform(sepSpace) || w.uniform(sepDot)):
		base = 0.45
	default:
		return
	}
	k, ok := ssnKind(d)
	if !ok {
		return
	}
	positive := cSSN
	if k == kITIN {
		positive = cITIN | cSSN
	}
	s.emit(k, w.start, w.end, boost(base, s.wctx(w), positive))
}

func (s *scanner) numRouting(w *numWindow, d []byte) {
	base := 0.0
	switch {
	case w.n == 1:
		base = 0.05
	case w.shape(4, 4, 1) && w.uniform(sepDash):
		base = 0.3
	default:
		return
	}
	if abaRouting(d) {
		s.emit(kRouting, w.start, w.end, boost(base, s.wctx(w), cRouting))
	}
}

func (s *scanner) numBRN(w *numWindow, d []byte) {
	base := 0.0
	switch {
	case w.n == 1:
		base = 0.05
	case w.shape(3, 2, 5) && w.uniform(sepDash):
		base = 0.7
	default:
		return
	}
	if krBRN(d) {
		s.emit(kKRBRN, w.start, w.end, boost(base, s.wctx(w), cBRN))
	}
}

func (s *scanner) numKRDriver(w *numWindow, d []byte) {
	base := 0.0
	switch {
	case w.n == 1:
		base = 0.05
	case w.shape(2, 2, 6, 2) && (w.uniform(sepDash) || w.uniform(sepSpace)):
		base = 0.4
	default:
		return
	}
	region := int(d[0]-'0')*10 + int(d[1]-'0')
	if region >= 11 && region <= 26 || region == 28 {
		s.emit(kDriverID, w.start, w.end, boost(base, s.wctx(w), cDriver))
	}
}

func (s *scanner) numRRN(w *numWindow, d []byte) {
	dashed := w.shape(6, 7) && (w.uniform(sepDash) || w.uniform(sepSpace))
	if w.n != 1 && !dashed {
		return
	}
	foreigner, valid, checksum := krRRN(d)
	if !valid {
		return
	}
	var base float64
	switch {
	case checksum && dashed:
		base = 1
	case checksum:
		base = 0.75
	case dashed && !foreigner:
		base = 0.5 // issued since October 2020: no check digit
	case dashed:
		base = 0.3
	default:
		base = 0.15
	}
	k, positive := kKRRRN, cRRN
	if foreigner {
		k, positive = kKRFRN, cFRN|cRRN
	}
	s.emit(k, w.start, w.end, boost(base, s.wctx(w), positive))
}

// numContextOnly: numbers that are personal data only by context: CVV, bank account, passport, driver's licence.
func (s *scanner) numContextOnly(w *numWindow) {
	if w.plus || !(w.n == 1 && w.nd >= 3 && w.nd <= 17 || w.n <= 4 && w.nd >= 10 && w.uniform(sepDash)) ||
		s.wctx(w)&(cCVV|cAccount|cAccountWeak|cPassport|cDriver) == 0 {
		return
	}
	if w.n == 1 && (w.nd == 3 || w.nd == 4) && s.wctx(w)&cCVV != 0 {
		s.emit(kCVV, w.start, w.end, 0.85)
	}
	switch dashed := w.n > 1 && w.n <= 4 && w.uniform(sepDash) && w.nd >= 10; {
	case s.wctx(w)&cAccount != 0 && (w.n == 1 && w.nd >= 8 && w.nd <= 17 || dashed):
		s.emit(kBankAccount, w.start, w.end, 0.75)
	case s.wctx(w)&cAccountWeak != 0 && dashed: // "account 110-123-456789"; a bare 12-digit "account" is AWS's
		s.emit(kBankAccount, w.start, w.end, 0.6)
	}
	if s.wctx(w)&cPassport != 0 && w.n == 1 && (w.nd == 8 || w.nd == 9) {
		s.emit(kPassport, w.start, w.end, 0.75)
	}
	if s.wctx(w)&cDriver != 0 && w.n == 1 && w.nd >= 7 && w.nd <= 13 {
		s.emit(kDriverID, w.start, w.end, 0.7)
	}
}

// numDates: a date of birth (by context) and a card expiry (MM/YY, MM/YYYY; by context).
func (s *scanner) numDates(w *numWindow, d []byte) {
	if w.plus || w.open != 0 {
		return
	}
	num := func(b []byte) int {
		v := 0
		for _, c := range b {
			v = v*10 + int(c-'0')
		}
		return v
	}
	if w.n == 2 && w.lens[0] <= 2 && (w.lens[1] == 2 || w.lens[1] == 4) && (w.uniform(sepSlash) || w.uniform(sepDash)) &&
		s.wctx(w)&(cExpiry|cCard) != 0 {
		m, y := num(d[:w.lens[0]]), num(d[w.lens[0]:])
		if m >= 1 && m <= 12 && (w.lens[1] == 2 || y >= 2000 && y <= 2099) {
			score := 0.6
			if s.wctx(w)&cExpiry != 0 {
				score = 0.85
			}
			s.emit(kExpiry, w.start, w.end, score)
		}
	}
	if w.n == 1 && w.nd == 4 && s.wants(kDateTime) {
		if start, ok := monthNameDate(s.text, w.start, w.end); ok && s.context(start)&cDOB != 0 {
			s.emit(kDateTime, start, w.end, 0.85)
			return
		}
	}
	if w.n == 1 && w.nd == 4 && strings.HasPrefix(s.text[w.end:], "년") {
		if end, ok := koreanDate(s.text, w.start); ok && s.wctx(w)&cDOB != 0 {
			s.emit(kDateTime, w.start, end, 0.85)
		}
		return
	}
	if !(w.n == 3 || w.n == 1 && (w.nd == 6 || w.nd == 8)) || s.wctx(w)&cDOB == 0 {
		return
	}
	valid := false
	switch {
	case w.n == 3 && (w.sameSeps() || w.uniform(sepSlash) || w.uniform(sepDot|sepSpace)):
		a, b, c := d[:w.lens[0]], d[w.lens[0]:w.lens[0]+w.lens[1]], d[w.lens[0]+w.lens[1]:]
		switch {
		case len(a) == 4 && len(b) <= 2 && len(c) <= 2:
			valid = birthDate(num(a), num(b), num(c))
		case len(a) <= 2 && len(b) <= 2 && len(c) == 4:
			valid = birthDate(num(c), num(a), num(b)) || birthDate(num(c), num(b), num(a))
		}
	case w.n == 1 && w.nd == 8:
		valid = birthDate(num(d[:4]), num(d[4:6]), num(d[6:]))
	case w.n == 1 && w.nd == 6:
		valid = validDate(2000+num(d[:2]), num(d[2:4]), num(d[4:]))
	}
	if valid {
		s.emit(kDateTime, w.start, w.end, 0.85)
	}
}

// monthNameDate parses an English date that ends with the year at [ys, ye): "January 21, 1957",
// "Sept. 3rd 1979" or "21 January 1957", and returns its start if it is a plausible birth date.
func monthNameDate(t string, ys, ye int) (start int, ok bool) {
	year := 0
	for _, c := range []byte(t[ys:ye]) {
		year = year*10 + int(c-'0')
	}
	i := ys - 1
	if i < 3 || t[i] != ' ' {
		return 0, false
	}
	if t[i-1] == ',' {
		i--
	}
	// The word before the year: a day ("21", "3rd") or a month.
	we := i
	for i > 0 && isAlnum(t[i-1]) {
		i--
	}
	word := t[i:we]
	if m := monthNumber(word); m > 0 { // "21 January 1957"
		if i < 3 || t[i-1] != ' ' {
			return 0, false
		}
		ds := i - 1
		for ds > 0 && isDigit(t[ds-1]) && i-1-ds < 2 {
			ds--
		}
		if ds == i-1 || ds > 0 && isAlnum(t[ds-1]) {
			return 0, false
		}
		day := 0
		for _, c := range []byte(t[ds : i-1]) {
			day = day*10 + int(c-'0')
		}
		return ds, birthDate(year, m, day)
	}
	day, k := 0, 0
	for k < len(word) && k < 2 && isDigit(word[k]) {
		day = day*10 + int(word[k]-'0')
		k++
	}
	if k == 0 || k < len(word) && !(len(word)-k == 2 && strings.Contains("st nd rd th", word[k:])) {
		return 0, false
	}
	// "January 21, 1957", "Jan. 21 1957": the month before the day.
	if i < 4 || t[i-1] != ' ' {
		return 0, false
	}
	me := i - 1
	if t[me-1] == '.' {
		me--
	}
	ms := me
	for ms > 0 && isLetter(t[ms-1]) {
		ms--
	}
	m := monthNumber(t[ms:me])
	if m == 0 || ms > 0 && isAlnum(t[ms-1]) {
		return 0, false
	}
	return ms, birthDate(year, m, day)
}

// monthNumber: 1–12 for an English month name or its abbreviation (case-insensitive), else 0.
func monthNumber(w string) int {
	if len(w) < 3 || len(w) > 9 {
		return 0
	}
	lw := strings.ToLower(w)
	for i, name := range [...]string{"january", "february", "march", "april", "may", "june", "july", "august",
		"september", "october", "november", "december"} {
		if lw == name || len(lw) == 3 && strings.HasPrefix(name, lw) || lw == "sept" && i == 8 {
			return i + 1
		}
	}
	return 0
}

// koreanDate parses "1980년 1월 2일" (spaces optional) at i.
func koreanDate(t string, i int) (end int, ok bool) {
	var parts [3]int
	for k, unit := range []string{"년", "월", "일"} {
		if k > 0 && i < len(t) && t[i] == ' ' {
			i++
		}
		v, j := 0, i
		for j < len(t) && j-i < 4 && isDigit(t[j]) {
			v = v*10 + int(t[j]-'0')
			j++
		}
		if j == i || !strings.HasPrefix(t[j:], unit) {
			return 0, false
		}
		parts[k], i = v, j+len(unit)
	}
	return i, birthDate(parts[0], parts[1], parts[2])
}

func birthDate(y, m, d int) bool { return y >= 1900 && y <= 2099 && validDate(y, m, d) }
