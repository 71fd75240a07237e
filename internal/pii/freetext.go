package pii

import (
	"strings"
	"unicode/utf8"
)

// Names and addresses in running text, by context only (no statistical model yet):
//   - English names after a title ("Mr. John Smith"), a greeting ("Dear Jane,") or "my name is";
//   - Korean names (surname + two syllables) before an honorific (홍길동님, 김철수 씨);
//   - US-style street addresses ("123 Main St, Springfield, IL 62701");
//   - Korean road-name and lot addresses starting at a province or metropolitan city
//     ("서울특별시 강남구 테헤란로 152 (역삼동)", "경기도 성남시 분당구 정자동 178-1").

// notNames: capitalised words that follow greetings but name no one.
const notNames = " team customer customers sir madam all there everyone world support valued user friend friends " +
	"guest guests member members colleagues partner partners "

func (s *scanner) scanFreeText() {
	if !s.wants(kName) && !s.wants(kAddress) {
		return
	}
	for _, h := range s.hits {
		if h.mask&(cTitle|cGreeting|cNameIs) != 0 && s.wants(kName) {
			score := 0.65
			if h.mask&(cTitle|cNameIs) != 0 {
				score = 0.8
			}
			// An opening greeting names its reader on the same line ("Hi Maria,", "Dear Jane Smith"); after
			// "Hi,\n\n" the next word starts the letter ("My name is…"). A closing one ("Regards,\nDavid Brown")
			// is followed by the signature on the next line.
			opening := h.mask&(cTitle|cNameIs) == 0 && !closingWord(s.text[h.start:h.end])
			s.nameAfter(h.end, score, h.mask&cTitle != 0, opening)
		}
		if h.mask&cStreet != 0 && s.wants(kAddress) {
			s.streetAddress(h)
		}
		if h.mask&cProvince != 0 && s.wants(kAddress) {
			s.koreanAddress(h.start)
		}
	}
	if s.wants(kUsername) {
		s.logUsernames()
	}
}

// logUsernames finds the login names that the two most common log formats put in fixed places: OpenSSH's
// "Failed password for jdoe from 203.0.113.7" / "Invalid user jdoe from …", and the user field of the
// Common Log Format ("203.0.113.7 - jdoe [10/Oct/2026:13:55:36 +0000] …").
func (s *scanner) logUsernames() {
	t := s.text
	for _, cue := range []string{"password for ", "publickey for ", "nvalid user "} {
		for off := 0; off < len(t); {
			k := strings.Index(t[off:], cue)
			if k < 0 {
				break
			}
			i := off + k + len(cue)
			off = i
			if strings.HasPrefix(t[i:], "invalid user ") { // "Failed password for invalid user jdoe from"
				i += len("invalid user ")
			}
			if e := loginEnd(t, i); e > i && strings.HasPrefix(t[e:], " from ") {
				s.emit(kUsername, i, e, 0.8)
			}
		}
	}
	// Anchored on the rarer " [dd/" of the request time, then back over the user to " - ".
	for off := 0; off < len(t); {
		// " [" found through its rarer second byte: IndexByte is much faster than Index on a leading space.
		k := strings.IndexByte(t[off:], '[')
		if k < 0 {
			break
		}
		if k == 0 || t[off+k-1] != ' ' {
			off += k + 1
			continue
		}
		e := off + k - 1
		off = e + 2
		if e+5 >= len(t) || !isDigit(t[e+2]) || !isDigit(t[e+3]) || t[e+4] != '/' {
			continue
		}
		i := e
		for i > 0 && e-i < 64 && (isAlnum(t[i-1]) || t[i-1] == '.' || t[i-1] == '_' || t[i-1] == '-' || t[i-1] == '@') {
			i--
		}
		if i < 3 || i == e || t[i-3:i] != " - " || t[i:e] == "-" {
			continue
		}
		s.emit(kUsername, i, e, 0.75)
	}
}

// loginEnd: the end of a login name starting at i (letters, digits, '.', '_', '-', '@'), or i.
func loginEnd(t string, i int) int {
	e := i
	for e < len(t) && e-i < 64 && (isAlnum(t[e]) || t[e] == '.' || t[e] == '_' || t[e] == '-' || t[e] == '@') {
		e++
	}
	return e
}

// nameAfter: one to three capitalised words after a trigger ending at i.
func (s *scanner) nameAfter(i int, score float64, title, sameLine bool) {
	t := s.text
	if title {
		if i < len(t) && t[i] == '.' {
			i++
		}
		if i >= len(t) || t[i] != ' ' {
			return // "Mr" must stand alone: not "Mrs" split or "Dr" in "Drive"
		}
	}
	for k := 0; k < 3 && i < len(t) && (t[i] == ' ' || !sameLine && (t[i] == ',' || t[i] == '\n' || t[i] == '\r')); k++ {
		i++
	}
	start, end, words := i, i, 0
	for words < 3 && i < len(t) && isUpper(t[i]) {
		j := i + 1
		for j < len(t) && (isLower(t[j]) || t[j] == '\'' || t[j] == '-') {
			j++
		}
		if j-i < 2 || j < len(t) && isAlnum(t[j]) {
			break
		}
		if words == 0 && strings.Contains(notNames, " "+strings.ToLower(t[i:j])+" ") {
			return
		}
		words++
		end = j
		if j+1 < len(t) && t[j] == ' ' && isUpper(t[j+1]) {
			i = j + 1
			continue
		}
		break
	}
	if words > 0 {
		s.emit(kName, start, end, score)
	}
}

// koreanName: in a Hangul token [i, j), a surname and given name before an honorific: "홍길동님께서".
func (s *scanner) koreanName(i, j int) {
	const syl = 3
	n := (j - i) / syl
	if n < 4 || !s.wants(kName) {
		return
	}
	t := s.text
	for _, nameLen := range []int{3, 4} {
		if n <= nameLen {
			continue
		}
		hon := t[i+nameLen*syl : i+(nameLen+1)*syl]
		if hon != "님" && hon != "씨" && !(selfIntroduced(t, i) && koreanCopula(t[i+nameLen*syl:j])) {
			continue
		}
		name := t[i : i+nameLen*syl]
		if last := name[len(name)-syl:]; strings.Contains("팀부과실", last) {
			continue // "홍보팀입니다": a department introducing itself
		}
		sur := s.d.vocab.surnames
		if nameLen == 3 && sur[name[:syl]] || nameLen == 4 && sur[name[:2*syl]] {
			if strings.Contains(notKoreanNames, name) {
				return
			}
			s.emit(kName, i, i+nameLen*syl, boost(0.7, s.context(i), cPerson))
			return
		}
	}
}

// koreanCopula: what follows a name when someone introduces themselves ("김민준입니다", "민서라고 합니다").
func koreanCopula(rest string) bool {
	for _, c := range []string{"입니다", "이라고", "라고", "이고", "이에요", "예요", "이며"} {
		if strings.HasPrefix(rest, c) {
			return true
		}
	}
	return false
}

// selfIntroduced: the Hangul token at i follows "저는", "제 이름은" or a greeting ("안녕하세요. 김민준입니다").
func selfIntroduced(t string, i int) bool {
	k := i
	for k > 0 && (t[k-1] == ' ' || t[k-1] == '.' || t[k-1] == ',' || t[k-1] == '!' || t[k-1] == '\n') {
		k--
	}
	for _, w := range []string{"저는", "이름은", "안녕하세요", "안녕하십니까", "제가"} {
		if strings.HasSuffix(t[:k], w) {
			return true
		}
	}
	return false
}

// closingWord: the greetings that close a letter, before the signature.
func closingWord(w string) bool {
	switch strings.ToLower(w) {
	case "regards", "sincerely", "thanks", "cheers":
		return true
	}
	return false
}

// notKoreanNames: three-syllable roles that take honorifics and start with a surname syllable.
const notKoreanNames = "고객님 선생님 사장님 회장님 원장님 팀장님 부장님 과장님 실장님 기사님 교수님 박사님 대표님 " +
	"이사님 주임님 반장님 소장님 국장님 차장님 상무님 전무님 여러분 관리자 담당자 배송기사 어머님 아버님 할머님"

// streetAddress: "<number> <Capitalised words> <suffix>[.][, Apt 4][, City][, ST][ 12345]" around a street
// suffix word.
func (s *scanner) streetAddress(h hit) {
	t := s.text
	if !isUpper(t[h.start]) || h.end < len(t) && isAlnum(t[h.end]) {
		return
	}
	// Back over one to four capitalised words, then the house number.
	i, words := h.start, 0
	for words < 4 && i >= 2 && t[i-1] == ' ' {
		j := i - 1
		k := j
		for k > 0 && (isLetter(t[k-1]) || t[k-1] == '\'' && k > 1 && isLetter(t[k-2])) { // "Queen's"
			k--
		}
		if k < j && isUpper(t[k]) {
			words++
			i = k
			continue
		}
		break
	}
	if words == 0 || i < 2 || t[i-1] != ' ' {
		return
	}
	numEnd := i - 1
	numStart := numEnd
	for numStart > 0 && (isDigit(t[numStart-1]) || isUpper(t[numStart-1]) && numStart == numEnd) {
		numStart--
	}
	if numStart == numEnd || numEnd-numStart > 6 || !isDigit(t[numStart]) || numStart > 0 && isAlnum(t[numStart-1]) {
		return
	}
	numStart = unitBefore(t, numStart)
	end := h.end
	if end < len(t) && t[end] == '.' {
		end++
	}
	// Unit, city, state, ZIP.
	rest := func(prefix string) bool {
		return strings.HasPrefix(t[end:], prefix)
	}
	for _, unit := range []string{", Apt ", ", Suite ", ", Unit ", " Apt ", " Suite ", " #", ", #"} {
		if rest(unit) {
			k := end + len(unit)
			for k < len(t) && isAlnum(t[k]) {
				k++
			}
			if k > end+len(unit) {
				end = k
			}
			break
		}
	}
	if rest(", ") && end+2 < len(t) && isUpper(t[end+2]) {
		// City: capitalised words of letters only, so a UK postcode after it ("London SW1A 1AA") is not
		// taken for one.
		k := end + 2
		for {
			w := k
			for w < len(t) && (isLetter(t[w]) || t[w] == '\'' || t[w] == '.') {
				w++
			}
			if w == k || !isUpper(t[k]) || w < len(t) && isAlnum(t[w]) || ukPostcode(t, k) > 0 {
				break
			}
			end = w
			if w+1 < len(t) && t[w] == ' ' && isUpper(t[w+1]) {
				k = w + 1
				continue
			}
			break
		}
		if k := end; k+4 <= len(t) && t[k] == ',' && t[k+1] == ' ' && isUpper(t[k+2]) && isUpper(t[k+3]) &&
			(k+4 == len(t) || !isAlnum(t[k+4])) {
			end = k + 4
		}
		switch {
		case end+6 <= len(t) && t[end] == ' ' && allDigits(t[end+1:end+6]) && (end+6 == len(t) || !isAlnum(t[end+6])):
			end += 6
		case end+1 < len(t) && t[end] == ' ' && ukPostcode(t, end+1) > 0:
			end = ukPostcode(t, end+1)
		}
	}
	s.emit(kAddress, numStart, end, 0.75)
}

// unitBefore extends an address start over a flat or unit written first: "Flat 2, 10 Downing Street",
// "Apt 4B, 12 Main St".
func unitBefore(t string, start int) int {
	if start < 4 || t[start-1] != ' ' || t[start-2] != ',' {
		return start
	}
	k := start - 2
	for k > 0 && isAlnum(t[k-1]) {
		k--
	}
	if k == start-2 || k < 2 || t[k-1] != ' ' {
		return start
	}
	for _, unit := range []string{"Flat", "Apt", "Apartment", "Unit", "Suite"} {
		if k >= len(unit)+1 && t[k-len(unit)-1:k-1] == unit && (k == len(unit)+1 || !isAlnum(t[k-len(unit)-2])) {
			return k - len(unit) - 1
		}
	}
	return start
}

// ukPostcode returns the end of a UK postcode at i ("SW1A 1AA", "M1 1AE", "EH8 6QG"), or 0.
func ukPostcode(t string, i int) int {
	k := i
	for k < len(t) && k-i < 2 && isUpper(t[k]) {
		k++
	}
	if k == i || k >= len(t) || !isDigit(t[k]) {
		return 0
	}
	k++
	if k < len(t) && (isDigit(t[k]) || isUpper(t[k])) {
		k++
	}
	if k+4 > len(t) || t[k] != ' ' || !isDigit(t[k+1]) || !isUpper(t[k+2]) || !isUpper(t[k+3]) ||
		k+4 < len(t) && isAlnum(t[k+4]) {
		return 0
	}
	return k + 4
}

// koreanAddress parses a Korean address starting with a province or metropolitan city at i: districts
// (시/군/구), then a road (…로, …길) and building number, or a neighbourhood (…동, …리, …읍, …면) and lot number;
// then an optional "(역삼동)", "101동 1203호" or "3층".
func (s *scanner) koreanAddress(i int) {
	t := s.text
	if i > 0 {
		if r, _ := utf8.DecodeLastRuneInString(t[:i]); isHangul(r) {
			return // the province name is part of a longer word
		}
	}
	word := func(k int) (end int, last string) { // a Hangul word at k, and its last syllable
		e := k
		for e < len(t) {
			r, size := utf8.DecodeRuneInString(t[e:])
			if !isHangul(r) && !isDigit(t[e]) {
				break
			}
			e += size
		}
		if e-k < 3 || !strings.HasSuffix(t[k:e], "로") && !isHangulEnd(t[k:e]) {
			return e, ""
		}
		_, size := utf8.DecodeLastRuneInString(t[k:e])
		return e, t[e-size : e]
	}
	k, _ := word(i)
	numberAt := -1
	for parts := 0; parts < 5 && k+1 < len(t) && t[k] == ' '; parts++ {
		e, last := word(k + 1)
		switch last {
		case "시", "군", "구", "읍", "면":
			k = e
			continue
		case "로", "길", "동", "리", "가":
			if e+1 < len(t) && t[e] == ' ' && isDigit(t[e+1]) {
				numberAt = e + 1
			} else if e < len(t) && isDigit(t[e]) { // "테헤란로152"
				numberAt = e
			} else {
				k = e // "역삼로 12길 34": the road continues
				continue
			}
		}
		break
	}
	if numberAt < 0 {
		return
	}
	end := numberAt
	for end < len(t) && (isDigit(t[end]) || t[end] == '-' && end+1 < len(t) && isDigit(t[end+1])) {
		end++
	}
	if end < len(t) && strings.HasPrefix(t[end:], "번길") { // "판교역로 235번길 10"
		end += len("번길")
	}
	// Extras: "(역삼동)", "래미안아파트", "101동 1203호", "3층".
	for extras := 0; extras < 4; extras++ {
		k := end
		if k < len(t) && (t[k] == ' ' || t[k] == ',') {
			k++
		}
		if k < len(t) && t[k] == ' ' {
			k++
		}
		switch {
		case strings.HasPrefix(t[k:], "("):
			c := strings.IndexByte(t[k:min(len(t), k+40)], ')')
			if c < 0 {
				break
			}
			end = k + c + 1
			continue
		case k < len(t) && isDigit(t[k]):
			d := k
			for d < len(t) && isDigit(t[d]) {
				d++
			}
			if suffix := t[d:min(len(t), d+3)]; suffix == "동" || suffix == "호" || suffix == "층" {
				end = d + 3
				continue
			}
		default:
			if e, ok := buildingName(t, k); ok {
				end = e
				continue
			}
		}
		break
	}
	s.emit(kAddress, i, end, 0.85)
}

// buildingName: an apartment or building name after the street number ("래미안아파트 101동", "한빛빌라 2층",
// "자이 101동"): a Hangul word that ends like a building, or is followed by a "101동"/"1203호" unit.
func buildingName(t string, k int) (end int, ok bool) {
	e, syllables := k, 0
	for e < len(t) && syllables <= 10 {
		r, size := utf8.DecodeRuneInString(t[e:])
		if !isHangul(r) {
			break
		}
		e += size
		syllables++
	}
	if syllables < 2 || syllables > 10 {
		return 0, false
	}
	for _, suffix := range []string{"아파트", "빌라", "오피스텔", "맨션", "빌딩", "타워", "하이츠", "타운", "주택"} {
		if strings.HasSuffix(t[k:e], suffix) {
			return e, true
		}
	}
	if e+1 < len(t) && t[e] == ' ' && isDigit(t[e+1]) {
		d := e + 1
		for d < len(t) && isDigit(t[d]) {
			d++
		}
		if suffix := t[d:min(len(t), d+3)]; suffix == "동" || suffix == "호" {
			return e, true
		}
	}
	return 0, false
}

func isHangulEnd(w string) bool {
	r, _ := utf8.DecodeLastRuneInString(w)
	return isHangul(r)
}
