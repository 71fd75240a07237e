package pii

import (
	"net/netip"
	"strings"
)

// Alphanumeric tokens: AWS keys, IBANs, SWIFT codes, MAC and IPv6 addresses, passport and licence numbers.
// One pass over the text; each token is dispatched on its length and first characters.

func (s *scanner) scanTokens() {
	t := s.text
	for i := 0; i < len(t); {
		if !isAlnum(t[i]) {
			i++
			continue
		}
		j, upperDigits, hex, digits := i, true, true, 0
		for ; j < len(t); j++ {
			c := byteClass[t[j]]
			if c&clsAlnum == 0 {
				break
			}
			upperDigits = upperDigits && c&(clsUpper|clsDigit) != 0
			hex = hex && c&clsHex != 0
			digits += int(c & clsDigit)
		}
		letters := j - i - digits
		if next := s.token(i, j, upperDigits, hex, letters, digits); next > j {
			j = next
		}
		i = j
	}
}

// token examines the token [i, j) and returns where scanning resumes (j, or the end of a longer entity).
func (s *scanner) token(i, j int, upperDigits, hex bool, letters, digits int) int {
	t := s.text
	n := j - i
	// MAC and IPv6 addresses start with a hex token followed by ':' or '-'.
	if hex && n <= 4 && i >= 2 && t[i-1] == ':' && t[i-2] == ':' && i >= s.v6Until {
		if end, ok := s.ipv6(i); ok {
			return end
		}
	}
	if hex && n <= 4 && j < len(t) && (t[j] == ':' || t[j] == '-' || t[j] == '.') {
		if end, ok := s.mac(i); ok {
			return end
		}
		if t[j] == ':' && i >= s.v6Until {
			if end, ok := s.ipv6(i); ok {
				return end
			}
		}
	}
	if j < len(t) && (t[j] == '/' || t[j] == '+' || t[j] == '=') || n == 40 || i > 0 && (t[i-1] == '/' || t[i-1] == '+') {
		s.awsSecret(i)
	}
	if upperDigits && letters > 0 {
		switch {
		case n == 20 && s.wants(kAWSAccessKey) && isAWSKeyPrefix(t[i:i+4]):
			s.emit(kAWSAccessKey, i, j, 0.95)
			return j
		case n >= 4 && isUpper(t[i]) && isUpper(t[i+1]) && isDigit(t[i+2]) && isDigit(t[i+3]):
			if end, ok := s.iban(i); ok {
				return end
			}
		}
		if (n == 8 || n == 11) && letters >= 6 {
			s.swift(i, j)
		}
		if n == 17 && digits > 0 && s.wants(kVIN) {
			if ok, check := vinCheck(t[i:j]); ok {
				base := 0.3
				if check {
					base = 0.85
				}
				s.emit(kVIN, i, j, boost(base, s.context(i), cVehicle))
			}
		}
	}
	if letters > 0 && digits > 0 && n >= 5 && n <= 16 {
		s.documentNumber(i, j)
	}
	return j
}

func isAWSKeyPrefix(p string) bool {
	switch p {
	case "AKIA", "ASIA", "AIDA", "AROA", "ANPA", "AGPA", "AIPA", "ANVA", "APKA":
		return true
	}
	return false
}

// iban reads an IBAN in electronic ("GB82WEST12345698765432") or print form (groups of four separated by
// single spaces) starting at i.
func (s *scanner) iban(i int) (end int, ok bool) {
	if !s.wants(kIBAN) {
		return 0, false
	}
	t := s.text
	want := ibanLength(t[i : i+2])
	if want == 0 {
		return 0, false
	}
	var buf [34]byte
	n, k := 0, i
	for k < len(t) && n < want {
		c := t[k]
		switch {
		case isDigit(c) || isUpper(c):
			buf[n] = c
			n++
		case c == ' ' && n%4 == 0 && k+1 < len(t) && isAlnum(t[k+1]):
		default:
			return 0, false
		}
		k++
	}
	if n != want || k < len(t) && isAlnum(t[k]) || !ibanValid(buf[:n]) {
		return 0, false
	}
	s.emit(kIBAN, i, k, boost(0.95, s.context(i), cIBAN))
	return k, true
}

// swift: 4-letter bank code, ISO country, 2-character location, optional 3-character branch; no checksum,
// so a word-like code needs context.
func (s *scanner) swift(i, j int) {
	if !s.wants(kSWIFT) {
		return
	}
	t := s.text
	for k := i; k < i+6; k++ {
		if !isUpper(t[k]) {
			return
		}
	}
	if !isCountry(t[i+4 : i+6]) {
		return
	}
	base := 0.3
	for k := i + 6; k < j; k++ {
		if isDigit(t[k]) {
			base = 0.45 // digits in location or branch: unlike an upper-case word, but product codes look alike
			break
		}
	}
	s.emit(kSWIFT, i, j, boost(base, s.context(i), cSWIFT))
}

// mac: six hex pairs separated by one kind of ':' or '-', or three hex quads separated by '.'.
func (s *scanner) mac(i int) (end int, ok bool) {
	if !s.wants(kMAC) {
		return 0, false
	}
	t := s.text
	if i+4 >= len(t) || i > 0 && (isAlnum(t[i-1]) || t[i-1] == ':' || t[i-1] == '-' || t[i-1] == '.') {
		return 0, false
	}
	match := func(groups, width int, sep byte) bool {
		end = i + groups*width + groups - 1
		if end > len(t) || end < len(t) && (isAlnum(t[end]) || t[end] == sep) {
			return false
		}
		for g := 0; g < groups; g++ {
			p := i + g*(width+1)
			for k := 0; k < width; k++ {
				if !isHex(t[p+k]) {
					return false
				}
			}
			if g < groups-1 && t[p+width] != sep {
				return false
			}
		}
		return true
	}
	switch t[i+2] {
	case ':', '-':
		ok = match(6, 2, t[i+2])
	default:
		ok = t[i+4] == '.' && match(3, 4, '.')
	}
	if ok {
		s.emit(kMAC, i, end, boost(0.85, s.context(i), cMAC))
	}
	return end, ok
}

// ipv6 parses the run of hex digits, ':' and '.' around a hex token followed by ':'.
func (s *scanner) ipv6(i int) (end int, ok bool) {
	if !s.wants(kIP) {
		return 0, false
	}
	t := s.text
	start := i
	for start > 0 && t[start-1] == ':' {
		start--
	}
	if start > 0 && (isAlnum(t[start-1]) || t[start-1] == '.') {
		return 0, false
	}
	end = start
	colons := 0
	for end < len(t) && end-start < 45 && (isHex(t[end]) || t[end] == ':' || t[end] == '.') {
		if t[end] == ':' {
			colons++
		}
		end++
	}
	s.v6Until = end
	for end > start && t[end-1] == '.' {
		end--
	}
	run := t[start:end]
	if end < len(t) && isAlnum(t[end]) || colons < 2 || colons < 7 && !strings.Contains(run, "::") {
		return 0, false
	}
	addr, err := netip.ParseAddr(run)
	if err != nil || !addr.Is6() {
		return 0, false
	}
	s.emit(kIP, start, end, 0.85)
	return end, true
}

// awsSecret: 40 characters of [A-Za-z0-9/+=] starting at i, standing alone, next to secret-key context.
func (s *scanner) awsSecret(i int) {
	if !s.wants(kAWSSecretKey) {
		return
	}
	t := s.text
	for i > 0 && (t[i-1] == '/' || t[i-1] == '+') { // the key may start with them; tokens start after them
		i--
	}
	// Inside a longer token, unless that is a "key=" label: aws_secret_access_key=wJalr….
	if i > 0 && isSecretByte(t[i-1]) && !(t[i-1] == '=' && i > 1 && (isAlnum(t[i-2]) || t[i-2] == '_')) {
		return
	}
	end := i
	var upper, lower, digit bool
	for end < len(t) && end-i <= 40 && isSecretByte(t[end]) {
		c := t[end]
		upper, lower, digit = upper || isUpper(c), lower || isLower(c), digit || isDigit(c)
		end++
	}
	if end-i != 40 || !upper || !lower {
		return
	}
	score := 0.3
	if s.context(i)&cSecret != 0 {
		score = 0.9
	}
	s.emit(kAWSSecretKey, i, end, score)
}

func isSecretByte(c byte) bool { return isAlnum(c) || c == '/' || c == '+' || c == '=' }

// documentNumber: passport and driver's licence numbers with letters and digits, by context; Korean passports
// ([MSROD]NNN[A-Z]NNNN, [MSROD]NNNNNNNN) have a weak score of their own.
func (s *scanner) documentNumber(i, j int) {
	t := s.text
	if j < len(t) && (t[j] == '-' || t[j] == '.' || t[j] == '@') || i > 0 && (t[i-1] == '-' || t[i-1] == '.' || t[i-1] == '/') {
		return // part of a longer identifier, hostname or path
	}
	ctx := s.context(i)
	n := j - i
	if n == 9 && strings.IndexByte("MSRODmsrod", t[i]) >= 0 && allDigits(t[i+1:i+4]) && allDigits(t[i+5:j]) &&
		(isLetter(t[i+4]) || isDigit(t[i+4])) {
		s.emit(kPassport, i, j, boost(0.1, ctx, cPassport))
		return
	}
	if ctx&cPassport != 0 && n >= 6 && n <= 9 {
		s.emit(kPassport, i, j, 0.75)
	}
	if ctx&cDriver != 0 && n >= 5 {
		s.emit(kDriverID, i, j, 0.7)
	}
}
