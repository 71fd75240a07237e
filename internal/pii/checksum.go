package pii

import "strings"

// Validation algorithms of spec §5.3. Digit arguments are ASCII digit strings.

// luhn: from the right, double every second digit (minus 9 above 9); valid iff the sum is a multiple of 10.
func luhn(d []byte) bool {
	sum, double := 0, false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// cardBrand reports whether a card number's prefix and length belong to a known scheme.
func cardBrand(d []byte) bool {
	n := len(d)
	p := func(k int) int { // the first k digits as a number
		v := 0
		for i := 0; i < k && i < n; i++ {
			v = v*10 + int(d[i]-'0')
		}
		return v
	}
	switch {
	case d[0] == '4':
		return n == 13 || n == 16 || n == 19
	case p(2) >= 51 && p(2) <= 55, p(4) >= 2221 && p(4) <= 2720:
		return n == 16
	case p(2) == 34 || p(2) == 37:
		return n == 15
	case p(4) == 6011, p(3) >= 644 && p(3) <= 649, p(2) == 65:
		return n >= 16 && n <= 19
	case p(4) >= 3528 && p(4) <= 3589:
		return n >= 16 && n <= 19
	case p(3) >= 300 && p(3) <= 305, p(2) == 36, p(2) == 38 || p(2) == 39:
		return n >= 14 && n <= 19
	case p(2) == 62:
		return n >= 16 && n <= 19
	}
	return false
}

// abaRouting: 3(d1+d4+d7) + 7(d2+d5+d8) + (d3+d6+d9) ≡ 0 mod 10, first two digits 00–12, 21–32, 61–72, 80.
func abaRouting(d []byte) bool {
	if len(d) != 9 || allSame(d) {
		return false
	}
	switch p := int(d[0]-'0')*10 + int(d[1]-'0'); {
	case p <= 12, p >= 21 && p <= 32, p >= 61 && p <= 72, p == 80:
	default:
		return false
	}
	v := func(i int) int { return int(d[i] - '0') }
	return (3*(v(0)+v(3)+v(6))+7*(v(1)+v(4)+v(7))+v(2)+v(5)+v(8))%10 == 0
}

// ssnKind classifies 9 digits AAAGGSSSS: kSSN for a valid SSN, kITIN for a valid ITIN (area 9xx, group in the
// ITIN ranges), ok false otherwise. Presidio's invalidations (one repeated digit, advertised samples) apply.
func ssnKind(d []byte) (k kind, ok bool) {
	if len(d) != 9 || allSame(d) {
		return 0, false
	}
	s := string(d)
	switch s {
	case "123456789", "078051120", "219099999":
		return 0, false
	}
	if strings.HasPrefix(s, "98765432") {
		return 0, false
	}
	area, group, serial := s[:3], s[3:5], s[5:]
	if group == "00" || serial == "0000" || area == "000" || area == "666" {
		return 0, false
	}
	if area[0] == '9' {
		g := int(group[0]-'0')*10 + int(group[1]-'0')
		if g >= 50 && g <= 65 || g >= 70 && g <= 88 || g >= 90 && g <= 92 || g >= 94 {
			return kITIN, true
		}
		return 0, false
	}
	return kSSN, true
}

// ibanLengthTable: country code and IBAN length, four characters each (SWIFT IBAN registry).
const ibanLengthTable = "AD24AE23AL28AT20AZ28BA20BE16BG22BH22BI27BR29BY28CH21CR22CY28CZ24DE22DJ27DK18DO28EE20EG29ES24FI18" +
	"FK18FO18FR27GB22GE22GI23GL18GR27GT28HN28HR21HU28IE22IL23IQ23IS26IT27JO30KW30KZ20LB28LC32LI21LT20" +
	"LU20LV21LY25MC27MD24ME22MK19MN20MR27MT31MU30NI28NL18NO15OM23PK24PL28PS29PT25QA29RO24RS22RU33SA24" +
	"SC31SD18SE24SI19SK24SM27SO23ST25SV28TL23TN24TR26UA29VA22VG24XK20YE30"

// ibanLength returns the IBAN length of a country, 0 for countries without IBANs.
func ibanLength(cc string) int {
	for i := 0; i+4 <= len(ibanLengthTable); i += 4 {
		if ibanLengthTable[i:i+2] == cc {
			return int(ibanLengthTable[i+2]-'0')*10 + int(ibanLengthTable[i+3]-'0')
		}
	}
	return 0
}

// ibanValid checks an IBAN in electronic form (upper-case, no spaces): country length, then mod 97 = 1 after
// moving the first four characters to the end and letters to 10…35, reduced piecewise.
func ibanValid(s []byte) bool {
	if len(s) < 15 || len(s) > 34 || ibanLength(string(s[:2])) != len(s) || !isDigit(s[2]) || !isDigit(s[3]) {
		return false
	}
	rem := 0
	for i := 0; i < len(s); i++ {
		c := s[(i+4)%len(s)]
		switch {
		case isDigit(c):
			rem = (rem*10 + int(c-'0')) % 97
		case isUpper(c):
			rem = (rem*100 + int(c-'A') + 10) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// krRRN checks a 13-digit Korean resident (G 1–4, 9, 0) or foreigner (G 5–8) registration number.
// valid: a real birth date and gender digit; checksum: the check digit matches (numbers issued since October
// 2020 have random digits after G, so valid-but-failing is still plausible).
func krRRN(d []byte) (foreigner, valid, checksum bool) {
	if len(d) != 13 {
		return false, false, false
	}
	g := d[6]
	var century int
	switch g {
	case '1', '2', '5', '6':
		century = 1900
	case '3', '4', '7', '8':
		century = 2000
	case '9', '0':
		century = 1800
	default:
		return false, false, false
	}
	y := century + int(d[0]-'0')*10 + int(d[1]-'0')
	m := int(d[2]-'0')*10 + int(d[3]-'0')
	day := int(d[4]-'0')*10 + int(d[5]-'0')
	if !validDate(y, m, day) {
		return false, false, false
	}
	weights := [12]int{2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5}
	sum := 0
	for i, w := range weights {
		sum += w * int(d[i]-'0')
	}
	foreigner = g >= '5' && g <= '8'
	check := (11 - sum%11) % 10
	if foreigner {
		check = (13 - sum%11) % 10
	}
	return foreigner, true, check == int(d[12]-'0')
}

// krBRN checks a 10-digit Korean business registration number: weights 1 3 7 1 3 7 1 3 5, plus ⌊d9·5/10⌋.
func krBRN(d []byte) bool {
	if len(d) != 10 || allSame(d) {
		return false
	}
	weights := [9]int{1, 3, 7, 1, 3, 7, 1, 3, 5}
	sum := 0
	for i, w := range weights {
		sum += w * int(d[i]-'0')
	}
	sum += int(d[8]-'0') * 5 / 10
	return (10-sum%10)%10 == int(d[9]-'0')
}

func validDate(y, m, d int) bool {
	if m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && (y%4 == 0 && y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

func allSame(d []byte) bool {
	for i := 1; i < len(d); i++ {
		if d[i] != d[0] {
			return false
		}
	}
	return true
}

// isoCountries: ISO 3166-1 alpha-2 codes, for the country part of SWIFT/BIC codes.
const isoCountries = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS " +
	"BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET " +
	"FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO " +
	"IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH " +
	"MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM " +
	"PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG " +
	"TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW"

func isCountry(cc string) bool {
	i := strings.Index(isoCountries, cc)
	return len(cc) == 2 && i >= 0 && i%3 == 0
}

// vinCheck: 17 characters without I, O, Q; transliterated values times weights 8 7 6 5 4 3 2 10 0 9 8 7 6 5 4 3 2,
// sum mod 11 (10 → 'X') equals the ninth character. ok is false when the characters are not a VIN's; check
// reports the check digit (mandatory only for North American vehicles).
func vinCheck(v string) (ok, check bool) {
	if len(v) != 17 {
		return false, false
	}
	weights := [17]int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}
	const values = "12345678-12345-7-923456789" // A..Z; '-' for I, O, Q
	sum := 0
	for i := 0; i < 17; i++ {
		c := v[i]
		var n int
		switch {
		case isDigit(c):
			n = int(c - '0')
		case isUpper(c) && values[c-'A'] != '-':
			n = int(values[c-'A'] - '0')
		default:
			return false, false
		}
		sum += n * weights[i]
	}
	want := byte('0' + sum%11)
	if sum%11 == 10 {
		want = 'X'
	}
	return true, v[8] == want
}
