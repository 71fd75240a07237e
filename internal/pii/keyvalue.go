package pii

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// keyKind is what a key (a JSON member name, a "key=value" or "key: value" label) says about its value.
type keyKind uint8

const (
	keyNone        keyKind = iota
	keyName                // holds a person's name
	keyNameGeneric         // "name": a person's name only if the value looks like one
	keyAddress
	keyPostcode
	keyUsername
	keyUserID // "user", "userid": often an opaque id, a weaker username
	keyPassword
	keyDOB
)

// keyVocabulary lists normalized keys (lower case, without '_', '-', '.', spaces).
func keyVocabulary() map[string]keyKind {
	m := map[string]keyKind{}
	set := func(k keyKind, keys ...string) {
		for _, key := range keys {
			m[key] = k
		}
	}
	set(keyName, "firstname", "lastname", "fullname", "givenname", "familyname", "surname", "middlename",
		"customername", "recipientname", "contactname", "cardholdername", "cardholder", "holdername",
		"accountholder", "accountholdername", "billingname", "shippingname", "buyername", "sendername",
		"receivername", "personname", "patientname", "employeename", "membername", "passengername", "guestname",
		"ownername", "username_full", "displayname", "customerfullname", "nameoncard",
		"customernamefirst", "customernamelast", "billingfirstname", "billinglastname", "shippingfirstname",
		"shippinglastname", "customerfirstname", "customerlastname",
		"이름", "성명", "고객명", "고객이름", "수령인", "수령인명", "주문자", "주문자명", "예금주", "받는사람", "보내는사람",
		"성함", "수취인", "구매자", "구매자명", "보호자", "담당자")
	set(keyNameGeneric, "name", "customer", "recipient", "customername_", "contact")
	set(keyAddress, "address", "addr", "street", "streetaddress", "address1", "address2", "addressline1",
		"addressline2", "line1", "line2", "shippingaddress", "billingaddress", "homeaddress", "mailingaddress",
		"deliveryaddress", "customeraddress", "shippingaddressline1", "shippingaddressline2", "billingaddressline1",
		"billingaddressline2", "shippingstreet", "billingstreet", "residentialaddress", "street1", "street2",
		"street3", "address3", "addressline3",
		"주소", "배송지", "배송주소", "도로명주소", "지번주소", "상세주소", "주소지", "거주지", "수령지", "배송지주소")
	set(keyPostcode, "zip", "zipcode", "postcode", "postalcode", "shippingzip", "billingzip", "shippingpostalcode",
		"billingpostalcode", "우편번호")
	set(keyUsername, "username", "user", "userid", "login", "loginid", "loginname", "nickname", "handle",
		"screenname", "accountname", "아이디", "사용자명", "닉네임", "사용자아이디", "로그인아이디")
	set(keyPassword, "password", "passwd", "pwd", "pass", "pw", "passphrase", "userpassword", "loginpassword",
		"dbpassword", "비밀번호", "패스워드", "암호")
	set(keyDOB, "dob", "birthdate", "dateofbirth", "birthday", "birthdt", "birth", "생년월일", "생일")
	delete(m, "customername_")
	delete(m, "username_full")
	return m
}

func koreanSurnames() map[string]bool {
	m := map[string]bool{}
	for _, s := range strings.Fields("김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송 류 유 전 홍 고 문 양 손 배 백 허 남 " +
		"심 노 하 곽 성 차 주 우 구 민 진 나 지 엄 채 원 천 방 공 현 함 변 염 여 추 도 소 석 선 설 마 길 연 위 표 명 기 반 " +
		"라 왕 금 옥 육 인 맹 제 모 탁 국 어 은 편 용 예 경 봉 사 부 가 복 태 목 형 피 두 감 음 빈 동 온 호 범 좌 팽 승 간 " +
		"상 시 갈 단 견 당 남궁 황보 제갈 선우 독고 사공 서문 동방") {
		m[s] = true
	}
	return m
}

// scanKeyValues reports the values of keys that name their content: names, addresses, credentials, birth dates.
func (s *scanner) scanKeyValues() {
	if !s.wants(kName) && !s.wants(kAddress) && !s.wants(kUsername) && !s.wants(kPassword) && !s.wants(kDateTime) {
		return
	}
	lastKey := -1
	for _, h := range s.hits {
		if h.mask&cKey == 0 {
			continue
		}
		keyStart, keyEnd := h.start, h.end
		for keyStart > 0 && isKeyByte(s.text[keyStart-1]) && h.end-keyStart < 64 {
			keyStart--
		}
		for keyEnd < len(s.text) && isKeyByte(s.text[keyEnd]) && keyEnd-keyStart < 64 {
			keyEnd++
		}
		if keyStart == lastKey {
			continue // "userName" has two key words; look at the key once
		}
		lastKey = keyStart
		var buf [64]byte
		key := normalizeKey(buf[:0], s.text[keyStart:keyEnd])
		kk := s.d.vocab.keys[string(key)]
		if kk == keyNone {
			continue
		}
		vs, ve, ok := s.valueAfter(keyEnd, kk)
		if !ok {
			continue
		}
		if kk == keyUsername && (string(key) == "user" || string(key) == "userid") {
			kk = keyUserID
		}
		s.keyValue(kk, keyStart, vs, ve)
	}
}

// valueAfter finds the value following a key that ends at i: an optional closing quote, ':' or '=', then a
// quoted string or an unquoted run.
func (s *scanner) valueAfter(i int, kk keyKind) (start, end int, ok bool) {
	t := s.text
	if i < len(t) && (t[i] == '"' || t[i] == '\'') {
		i++
	}
	i = skipSpaces(t, i)
	if i >= len(t) || t[i] != ':' && t[i] != '=' {
		return 0, 0, false
	}
	i = skipSpaces(t, i+1)
	if i >= len(t) {
		return 0, 0, false
	}
	limit := 128
	if kk == keyAddress {
		limit = 400
	}
	if q := t[i]; q == '"' || q == '\'' {
		for j := i + 1; j < len(t) && j-i <= limit; j++ {
			switch t[j] {
			case '\\':
				j++
			case '\n':
				return 0, 0, false
			case q:
				return i + 1, j, j > i+1
			}
		}
		return 0, 0, false
	}
	j := i
	if kk == keyDOB { // unquoted dates: digits and separators ("1980-01-02", "02/01/1980", "1980. 1. 2")
		for j < len(t) && j-i < 40 && (isDigit(t[j]) || t[j] == '-' || t[j] == '/' || t[j] == '.' ||
			t[j] == ' ' && j+1 < len(t) && isDigit(t[j+1])) {
			j++
		}
		for j > i && t[j-1] == '.' {
			j--
		}
	}
	for kk != keyDOB && j < len(t) && j-i <= limit && !endsUnquoted(t[j], kk) {
		j++
	}
	for j > i && (t[j-1] == ' ' || t[j-1] == '\t') {
		j--
	}
	if j-i > limit {
		return 0, 0, false
	}
	v := t[i:j]
	if v == "" || v == "null" || v == "true" || v == "false" || v[0] == '{' || v[0] == '[' {
		return 0, 0, false
	}
	return i, j, true
}

func endsUnquoted(c byte, kk keyKind) bool {
	switch c {
	case '\n', '\r', '\t', '&', ';', '}', ']', '"', '|':
		return true
	case ' ', ',', '\'':
		return kk == keyPassword || kk == keyUsername || kk == keyUserID || c == ',' && kk != keyAddress
	}
	return false
}

func (s *scanner) keyValue(kk keyKind, keyStart, vs, ve int) {
	v := s.text[vs:ve]
	switch kk {
	case keyPassword:
		if strings.Trim(v, "*•x") != "" {
			s.emit(kPassword, vs, ve, 0.9)
		}
	case keyUsername, keyUserID:
		score := 0.8
		if kk == keyUserID {
			score = 0.6
		}
		if len(v) <= 64 && !strings.ContainsAny(v, " \t") && !allDigits(v) {
			s.emit(kUsername, vs, ve, score)
		}
	case keyName:
		if len(v) <= 96 && hasLetter(v) && !strings.ContainsAny(v, "0123456789@") {
			s.emit(kName, vs, ve, 0.85)
		}
	case keyNameGeneric:
		korean, ok := s.looksLikePersonName(v)
		if !ok {
			return
		}
		// Without a person word around, "name" may name a product: only short Korean names pass.
		score := 0.45
		if korean && utf8.RuneCountInString(v) <= 3 || s.text[vs-1] != '"' && s.text[vs-1] != '\'' {
			score = 0.6 // a form label ("Name: John Smith") rather than a JSON member
		}
		if s.personNear(keyStart, ve) {
			score = 0.85
		}
		s.emit(kName, vs, ve, score)
	case keyAddress:
		// A unit on its own line ("line2": "#13") is part of the address too.
		if len(v) >= 4 && hasLetter(v) || len(v) >= 2 && v[0] == '#' && isDigit(v[1]) {
			s.emit(kAddress, vs, ve, 0.8)
		}
	case keyPostcode:
		if len(v) >= 3 && len(v) <= 10 && strings.ContainsAny(v, "0123456789") && !strings.Contains(v, ".") {
			s.emit(kAddress, vs, ve, 0.6)
		}
	case keyDOB:
		if digitCount(v) >= 4 && len(v) <= 40 {
			s.emit(kDateTime, vs, ve, 0.9)
		}
	}
}

// personNear reports evidence that a "name" key holds a person's name: a person word (customer, recipient…)
// shortly before the key, or a contact key (email, phone) shortly after the value, in the same object.
func (s *scanner) personNear(keyStart, valueEnd int) bool {
	idx := sort.Search(len(s.hits), func(i int) bool { return s.hits[i].start >= keyStart })
	for k := idx - 1; k >= 0; k-- {
		h := s.hits[k]
		if keyStart-h.end > 96 {
			break
		}
		// The person word may open the name's object ("customer": {"id": 7, "name": …), not close one.
		if between := s.text[h.end:keyStart]; h.mask&cPerson != 0 && strings.Count(between, "{") <= 1 &&
			!strings.Contains(between, "}") {
			return true
		}
	}
	for k := idx; k < len(s.hits); k++ {
		h := s.hits[k]
		if h.start < valueEnd {
			continue
		}
		if h.start-valueEnd > 64 || strings.ContainsAny(s.text[valueEnd:h.start], "{}") {
			break
		}
		if h.mask&cContact != 0 {
			return true
		}
	}
	return false
}

// looksLikePersonName: two to four capitalised words, or a Korean surname and one or two syllables.
func (s *scanner) looksLikePersonName(v string) (korean, ok bool) {
	if v == "" || len(v) > 64 {
		return false, false
	}
	if r, _ := utf8.DecodeRuneInString(v); isHangul(r) {
		n := utf8.RuneCountInString(v)
		if n < 2 || n > 5 {
			return true, false
		}
		for _, r := range v {
			if !isHangul(r) {
				return true, false
			}
		}
		sur := s.d.vocab.surnames
		return true, sur[v[:3]] && n <= 4 || n >= 3 && sur[v[:6]]
	}
	// Latin-script names need not be ASCII: "José García", "Chloé Müller", "Łukasz Nowak".
	words := 0
	for w := range strings.SplitSeq(v, " ") {
		if w == "" {
			continue
		}
		first, size := utf8.DecodeRuneInString(w)
		if words++; words > 4 || !unicode.IsUpper(first) {
			return false, false
		}
		for _, r := range w[size:] {
			if !unicode.IsLetter(r) && r != '\'' && r != '’' && r != '-' && r != '.' {
				return false, false
			}
		}
	}
	return false, words >= 2
}

// normalizeKey appends k lower-cased without '_', '-', '.' and spaces to buf (up to its capacity).
func normalizeKey(buf []byte, k string) []byte {
	for i := 0; i < len(k) && len(buf) < cap(buf); i++ {
		switch c := k[i]; {
		case c == '_' || c == '-' || c == '.' || c == ' ':
		case isUpper(c):
			buf = append(buf, c|0x20)
		default:
			buf = append(buf, c)
		}
	}
	return buf
}

func isKeyByte(c byte) bool {
	return isAlnum(c) || c == '_' || c == '-' || c == '.' || c >= utf8.RuneSelf
}

func skipSpaces(t string, i int) int {
	for i < len(t) && (t[i] == ' ' || t[i] == '\t') {
		i++
	}
	return i
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

func digitCount(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n
}

func hasLetter(s string) bool {
	for _, r := range s {
		if r < utf8.RuneSelf && isLetter(byte(r)) || isHangul(r) {
			return true
		}
	}
	return false
}
