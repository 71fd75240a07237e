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
			s.nameAfter(h.end, score, h.mask&cTitle != 0)
		}
		if h.mask&cStreet != 0 && s.wants(kAddress) {
			s.streetAddress(h)
		}
		if h.mask&cProvince != 0 && s.wants(kAddress) {
			s.koreanAddress(h.start)
		}
	}
}

// nameAfter: one to three capitalised words after a trigger ending at i.
func (s *scanner) nameAfter(i int, score float64, title bool) {
	t := s.text
	if title {
		if i < len(t) && t[i] == '.' {
			i++
		}
		if i >= len(t) || t[i] != ' ' {
			return // "Mr" must stand alone: not "Mrs" split or "Dr" in "Drive"
		}
	}
	for k := 0; k < 3 && i < len(t) && (t[i] == ' ' || t[i] == ',' || t[i] == '\n' || t[i] == '\r'); k++ {
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
		if hon != "님" && hon != "씨" {
			continue
		}
		name := t[i : i+nameLen*syl]
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
		for k > 0 && isLetter(t[k-1]) {
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
		k := end + 2
		for k < len(t) && (isLetter(t[k]) || t[k] == ' ' && k+1 < len(t) && isUpper(t[k+1])) {
			k++
		}
		end = k
		if k+4 <= len(t) && t[k] == ',' && t[k+1] == ' ' && isUpper(t[k+2]) && isUpper(t[k+3]) &&
			(k+4 == len(t) || !isAlnum(t[k+4])) {
			end = k + 4
		}
		if end+6 <= len(t) && t[end] == ' ' && allDigits(t[end+1:end+6]) && (end+6 == len(t) || !isAlnum(t[end+6])) {
			end += 6
		}
	}
	s.emit(kAddress, numStart, end, 0.75)
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
	// Extras: "(역삼동)", "101동 1203호", "3층".
	for extras := 0; extras < 3; extras++ {
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
		}
		break
	}
	s.emit(kAddress, i, end, 0.85)
}

func isHangulEnd(w string) bool {
	r, _ := utf8.DecodeLastRuneInString(w)
	return isHangul(r)
}
