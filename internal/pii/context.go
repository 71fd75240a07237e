package pii

import (
	"unicode/utf8"
)

// ctxMask is a set of context meanings a word carries ("card" → cCard).
type ctxMask uint32

const (
	cCard ctxMask = 1 << iota
	cCVV
	cExpiry
	cSSN
	cITIN
	cRouting
	cAccount
	cIBAN
	cSWIFT
	cPhone
	cRRN
	cFRN
	cBRN
	cPassport
	cDriver
	cDOB
	cSecret
	cMAC
	cNeg         // identifiers, quantities, times: lowers numeric types without positive context
	cVersion     // lowers IP addresses (1.2.3.4 as a version)
	cPerson      // customer, recipient…: makes the value of a bare "name" key a person's name
	cKey         // a key word (name, address, password…) the key-value pass inspects
	cContact     // email, phone: next to a "name" key, makes it a person's name
	cTitle       // Mr, Ms, Dr: a name follows
	cGreeting    // Dear, Hi, Regards: a name may follow
	cNameIs      // "name is": a name follows
	cStreet      // St, Ave, Road: ends a street address
	cProvince    // 서울특별시, 경기도: starts a Korean address
	cAccountWeak // "account", "은행": a bank account only in a bank's dashed format
	cVehicle     // "vin", "vehicle": a 17-character VIN failing its (North American) check digit
)

// hit is one context word in the text.
type hit struct {
	start, end int
	mask       ctxMask
}

// Context reach, after Presidio's "5 tokens before": a context word counts for a candidate when at most
// ctxMaxTokens word tokens and ctxMaxBytes bytes lie between them, with no line break, brace or new key between.
const (
	ctxMaxTokens = 4
	ctxMaxBytes  = 80
)

// wordInfo: what an ASCII word means, and whether it starts a two-word phrase.
type wordInfo struct {
	mask      ctxMask
	pairFirst bool
	known     bool // in the table (pair second words have no meaning alone)
}

// wordTable: open addressing keyed by FNV-1a, which the scanner computes while lower-casing a word; a Go map
// would hash the word a second time, and that lookup dominated the scan.
type wordTable struct {
	slots []wordSlot // power-of-two length, at most half full
	count int
}

type wordSlot struct {
	word string
	info wordInfo
}

const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

func fnv(w string) uint32 {
	h := uint32(fnvOffset)
	for i := 0; i < len(w); i++ {
		h = (h ^ uint32(w[i])) * fnvPrime
	}
	return h
}

func (t *wordTable) get(w []byte, h uint32) wordInfo {
	mask := uint32(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.word == "" {
			return wordInfo{}
		}
		if sl.word == string(w) {
			return sl.info
		}
	}
}

// update applies f to the word's entry, creating it.
func (t *wordTable) update(w string, f func(*wordInfo)) {
	if len(t.slots) == 0 {
		t.slots = make([]wordSlot, 16)
	}
	mask := uint32(len(t.slots) - 1)
	for i := fnv(w) & mask; ; i = (i + 1) & mask {
		sl := &t.slots[i]
		if sl.word == w {
			f(&sl.info)
			return
		}
		if sl.word == "" {
			sl.word, sl.info.known = w, true
			f(&sl.info)
			t.count++
			if t.count*2 > len(t.slots) {
				t.grow()
			}
			return
		}
	}
}

func (t *wordTable) grow() {
	old := t.slots
	t.slots, t.count = make([]wordSlot, 2*len(old)), 0
	for _, sl := range old {
		if sl.word != "" {
			t.update(sl.word, func(info *wordInfo) { *info = sl.info })
		}
	}
}

func (t *wordTable) each(f func(string)) {
	for _, sl := range t.slots {
		if sl.word != "" {
			f(sl.word)
		}
	}
}

// maxWordLen: no ASCII context word is longer; longer tokens skip the lookup.
const maxWordLen = 16

// vocabulary maps lower-cased words to their context meanings. Built once per Detector, read-only after.
type vocabulary struct {
	words wordTable
	// pairs: words that mean something only next to the previous word ("social security").
	pairs map[string]ctxMask
	// firstLetters: a cheap prefilter, bit c-'a' set when some ASCII word starts with c.
	firstLetters uint32
	// secondLetters[c-'a']: bit set for each second letter of the ASCII words starting with c.
	secondLetters [26]uint32
	// korean: Hangul words, matched as substrings of Hangul tokens (particles attach to words).
	korean    map[string]ctxMask
	koreanMax int // longest Korean word, in syllables
	// koreanFirst: bit set for each syllable (rune - 0xAC00) that starts a Korean word.
	koreanFirst [(0xD7A4 - 0xAC00 + 63) / 64]uint64
	keys        map[string]keyKind
	surnames    map[string]bool
}

func newVocabulary() *vocabulary {
	v := &vocabulary{pairs: map[string]ctxMask{},
		korean: map[string]ctxMask{}}
	add := func(m ctxMask, words ...string) {
		for _, w := range words {
			if w[0] >= 0x80 {
				v.korean[w] |= m
				v.koreanMax = max(v.koreanMax, utf8.RuneCountInString(w))
				r, _ := utf8.DecodeRuneInString(w)
				v.koreanFirst[(r-0xAC00)/64] |= 1 << ((r - 0xAC00) % 64)
				continue
			}
			v.words.update(w, func(info *wordInfo) { info.mask |= m })
			v.firstLetters |= 1 << (w[0] - 'a')
			v.secondLetters[w[0]-'a'] |= 1 << letterBit(w[1])
		}
	}
	pair := func(m ctxMask, first, second string) {
		v.pairs[first+second] |= m
		add(0, first, second)
		v.words.update(first, func(info *wordInfo) { info.pairFirst = true })
	}
	add(cCard, "card", "cards", "credit", "debit", "visa", "mastercard", "amex", "discover", "jcb", "diners",
		"unionpay", "maestro", "cc", "ccn", "ccnum", "creditcard", "cardnumber", "cardno", "pan",
		"카드", "카드번호", "신용카드", "체크카드")
	add(cCVV, "cvv", "cvv2", "cvc", "cvc2", "cvn", "csc", "cvd", "보안코드", "cvc번호")
	pair(cCVV, "security", "code")
	pair(cCVV, "card", "code")
	add(cExpiry, "exp", "expiry", "expires", "expiration", "expdate", "expire", "validthru", "유효기간", "만료일", "만료")
	pair(cExpiry, "valid", "thru")
	pair(cExpiry, "valid", "through")
	pair(cExpiry, "valid", "until")
	pair(cExpiry, "good", "thru")
	add(cSSN, "ssn", "ssns", "social")
	pair(cSSN, "social", "security")
	add(cITIN, "itin", "tin", "taxpayer", "taxid")
	add(cRouting, "routing", "aba", "rtn", "transit")
	add(cAccount, "acct", "bankaccount", "accountnumber", "accountno", "checking", "savings",
		"계좌", "계좌번호", "입금계좌", "환불계좌")
	pair(cAccount, "account", "number")
	pair(cAccount, "account", "no")
	pair(cAccount, "account", "num")
	pair(cAccount, "bank", "account")
	add(cAccountWeak, "account", "은행")
	add(cIBAN, "iban")
	add(cVehicle, "vin", "vehicle", "chassis", "차대번호")
	add(cSWIFT, "swift", "bic", "swiftcode")
	add(cPhone, "phone", "phones", "telephone", "tel", "mobile", "cell", "cellphone", "fax", "contact", "call", "reach", "dial",
		"sms", "whatsapp", "msisdn", "전화", "전화번호", "연락처", "휴대폰", "핸드폰", "휴대전화", "팩스", "휴대폰번호")
	add(cRRN, "rrn", "주민", "주민등록번호", "주민번호", "주민등록")
	add(cFRN, "frn", "외국인", "외국인등록번호")
	add(cBRN, "brn", "bizno", "business", "사업자", "사업자등록번호", "사업자번호")
	add(cPassport, "passport", "여권", "여권번호")
	add(cDriver, "driver", "drivers", "license", "licence", "dl", "운전면허", "면허번호", "운전면허번호")
	add(cDOB, "dob", "birth", "birthday", "birthdate", "born", "생년월일", "생일")
	add(cSecret, "secret", "secretkey", "secretaccesskey")
	add(cMAC, "mac")
	add(cTitle, "mr", "mrs", "ms", "miss", "dr", "mx", "prof")
	add(cGreeting, "dear", "hi", "hello", "hey", "regards", "sincerely", "thanks", "cheers", "attn")
	pair(cNameIs, "name", "is")
	add(cStreet, "st", "street", "ave", "avenue", "rd", "road", "blvd", "boulevard", "ln", "lane", "dr", "drive",
		"way", "ct", "court", "pl", "place", "pkwy", "parkway", "hwy", "highway", "ter", "terrace", "cir", "circle", "sq",
		"square", "close", "crescent", "cres", "gardens", "mews", "row", "trail")
	add(cProvince, "서울특별시", "서울시", "서울", "부산광역시", "부산시", "부산", "대구광역시", "대구시", "대구", "인천광역시",
		"인천시", "인천", "광주광역시", "광주시", "광주", "대전광역시", "대전시", "대전", "울산광역시", "울산시", "울산",
		"세종특별자치시", "세종시", "세종", "경기도", "경기", "강원도", "강원특별자치도", "강원", "충청북도", "충북", "충청남도",
		"충남", "전라북도", "전북특별자치도", "전북", "전라남도", "전남", "경상북도", "경북", "경상남도", "경남",
		"제주특별자치도", "제주도", "제주")
	add(cContact, "email", "mail", "phone", "mobile", "tel", "이메일", "전화", "연락처", "휴대폰")
	add(cNeg, "order", "orders", "orderid", "invoice", "sku", "tracking", "item", "product", "qty", "quantity",
		"price", "amount", "total", "ts", "timestamp", "epoch", "created", "updated", "ref", "reference", "txn",
		"transaction", "id", "ids", "uuid", "hash", "serial", "seq", "count",
		"주문", "주문번호", "상품", "송장", "금액", "가격", "수량")
	add(cVersion, "version", "ver", "build", "release")
	add(cPerson, "customer", "recipient", "shipping", "billing", "user", "contact", "buyer", "sender", "receiver",
		"holder", "person", "patient", "employee", "member", "passenger", "guest", "client", "owner",
		"고객", "수령인", "주문자")
	v.keys = keyVocabulary()
	for k := range v.keys {
		if k[0] >= 0x80 {
			add(cKey, k)
		}
	}
	add(cKey, "name", "names", "address", "addr", "street", "line", "zip", "postal", "postcode", "password",
		"passwd", "pwd", "pass", "pw", "passphrase", "user", "username", "login", "nickname", "handle", "dob",
		"birth", "birthday", "birthdate", "holder", "surname", "cardholder")
	v.surnames = koreanSurnames()
	return v
}

// scanWords records every context word of the text in s.hits.
func (s *scanner) scanWords() {
	text, v := s.text, s.d.vocab
	var buf, prev [maxWordLen]byte
	prevLen, prevEnd := 0, -10
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if !isLetter(c) {
				i++
				continue
			}
			j := i + 1
			for j < len(text) && isLetter(text[j]) {
				j++
			}
			// Split camelCase: a boundary before an upper-case letter that follows a lower-case one, or that
			// starts a lower-case run after an upper-case run ("HTTPServer" → HTTP, Server).
			for a := i; a < j; {
				b := a + 1
				for b < j {
					if isUpper(text[b]) && (isLower(text[b-1]) || b+1 < j && isLower(text[b+1]) && isUpper(text[b-1])) {
						break
					}
					b++
				}
				n := b - a
				var info wordInfo
				if n >= 2 && n <= maxWordLen {
					c0, c1 := text[a]|0x20, text[a+1]|0x20
					if v.firstLetters&(1<<(c0-'a')) != 0 && v.secondLetters[c0-'a']&(1<<letterBit(c1)) != 0 {
						h := uint32(fnvOffset)
						for k := 0; k < n; k++ {
							c := text[a+k] | 0x20
							buf[k] = c
							h = (h ^ uint32(c)) * fnvPrime
						}
						info = v.words.get(buf[:n], h)
					}
				}
				m := info.mask
				// A pair's second word is in the table (mask 0), so buf holds it whenever the pair can match.
				if prevLen > 0 && a-prevEnd <= 2 && info.known {
					var pb [2 * maxWordLen]byte
					copy(pb[:], prev[:prevLen])
					copy(pb[prevLen:], buf[:n])
					m |= v.pairs[string(pb[:prevLen+n])]
				}
				if m != 0 {
					s.hits = append(s.hits, hit{start: a, end: b, mask: m})
				}
				prevLen = 0
				if info.pairFirst {
					copy(prev[:], buf[:n])
					prevLen, prevEnd = n, b
				}
				a = b
			}
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if !isHangul(r) {
			i += size
			continue
		}
		j := i + size
		for j < len(text) {
			r, size := utf8.DecodeRuneInString(text[j:])
			if !isHangul(r) {
				break
			}
			j += size
		}
		s.koreanHits(i, j)
		s.koreanName(i, j)
		prevLen = 0
		i = j
	}
}

// koreanHits records the Korean context words inside one Hangul token [i, j): every substring starting at a
// syllable, since particles and compounds attach ("전화번호는", "고객연락처").
func (s *scanner) koreanHits(i, j int) {
	v := s.d.vocab
	const syl = 3 // every Hangul syllable is three bytes in UTF-8
	if j-i > 16*syl {
		j = i + 16*syl
	}
	for a := i; a+2*syl <= j; a += syl {
		if r, _ := utf8.DecodeRuneInString(s.text[a:]); v.koreanFirst[(r-0xAC00)/64]&(1<<((r-0xAC00)%64)) == 0 {
			continue
		}
		var m ctxMask
		end := a
		for n := 2; n <= v.koreanMax && a+n*syl <= j; n++ {
			if w, ok := v.korean[s.text[a:a+n*syl]]; ok {
				m |= w
				end = a + n*syl
			}
		}
		if m != 0 {
			s.hits = append(s.hits, hit{start: a, end: end, mask: m})
		}
	}
}

// context returns the meanings of the context words that reach a candidate starting at start.
func (s *scanner) context(start int) ctxMask {
	if len(s.hits) == 0 {
		return 0
	}
	// The windows of one number chunk and the checks of one token ask for the same start in a row.
	if s.ctxMemo.ok && s.ctxMemo.start == start && s.ctxMemo.hits == len(s.hits) {
		return s.ctxMemo.mask
	}
	m := s.contextUncached(start)
	s.ctxMemo = ctxMemo{ok: true, start: start, hits: len(s.hits), mask: m}
	return m
}

// hitIndex returns the index of the first hit starting at or after start. Passes ask for increasing starts,
// so it walks on from the previous answer when that is close, and binary-searches otherwise.
func (s *scanner) hitIndex(start int) int {
	h := s.hits
	if c := s.hitCursor; c <= len(h) && (c == 0 || h[c-1].start < start) {
		for k := 0; k < 8; k++ {
			if c == len(h) || h[c].start >= start {
				s.hitCursor = c
				return c
			}
			c++
		}
	}
	idx, hi := 0, len(h)
	for idx < hi {
		m := int(uint(idx+hi) >> 1)
		if h[m].start < start {
			idx = m + 1
		} else {
			hi = m
		}
	}
	s.hitCursor = idx
	return idx
}

// ctxMemo remembers the last context lookup (hits only grow, so their count tells whether it is stale).
type ctxMemo struct {
	ok          bool
	start, hits int
	mask        ctxMask
}

func (s *scanner) contextUncached(start int) ctxMask {
	idx := s.hitIndex(start)
	// reach never looks back further than ctxMaxBytes: with no context word that close, skip the walk back.
	if idx == 0 || s.hits[idx-1].start < start-ctxMaxBytes {
		return 0
	}
	from := s.reach(start)
	var m ctxMask
	for k := idx - 1; k >= 0 && s.hits[k].start >= from; k-- {
		if s.hits[k].end <= start {
			m |= s.hits[k].mask
		}
	}
	return m
}

// reach returns the leftmost offset from which context words reach a candidate at start: scanning back at
// most ctxMaxBytes, through at most ctxMaxTokens+1 tokens (the context word's own included; an identifier
// joined by '_', '-' or '.' counts once, so "secret" reaches across aws_secret_access_key), at most one ':' or
// '=' (a second one means another key's value lies between), and no line break or brace.
func (s *scanner) reach(start int) int {
	t := s.text
	lo := max(0, start-ctxMaxBytes)
	tokens, delims := 0, 0
	inToken := false
	i := start
	for ; i > lo; i-- {
		c := t[i-1]
		switch c {
		case '\n', '\r', '{', '}':
			return i
		case ':', '=':
			if delims++; delims > 1 {
				return i
			}
		}
		word := isAlnum(c) || c >= utf8.RuneSelf || inToken && (c == '_' || c == '-' || c == '.')
		if word && !inToken {
			if tokens++; tokens > ctxMaxTokens+1 {
				return i
			}
		}
		inToken = word
	}
	return i
}

// boost applies context to a base score: positive context adds 0.35 with a floor of 0.6; negative context
// without positive context subtracts 0.35.
func boost(base float64, ctx, positive ctxMask) float64 {
	switch {
	case ctx&positive != 0:
		return min(1, max(base+0.35, 0.6))
	case ctx&cNeg != 0:
		return base - 0.35
	}
	return base
}

// letterBit maps a word's second character to a bit: letters a–z, anything else (digits) 26.
func letterBit(c byte) uint {
	if c >= 'a' && c <= 'z' {
		return uint(c - 'a')
	}
	return 26
}

func isHangul(r rune) bool { return r >= 0xAC00 && r <= 0xD7A3 }
