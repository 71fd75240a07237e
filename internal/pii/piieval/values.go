package piieval

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
)

// Value generators. Every identifier carries the check digits its scheme
// requires (Luhn, mod 97, the Korean RRN weights), so a detector that checks
// them is judged on realistic input, and the look-alikes of negatives.go fail
// them the way real look-alikes do.

// gen is one document kind's random source and word lists.
type gen struct {
	r                                   *rand.Rand
	firstEN, lastEN, surnameKO, givenKO []string
}

func newGen(seed int64, stream uint64) gen {
	return gen{r: rand.New(rand.NewPCG(uint64(seed), stream)),
		firstEN: strings.Fields(firstNamesENList), lastEN: strings.Fields(lastNamesENList),
		surnameKO: strings.Fields(surnamesKOList), givenKO: strings.Fields(givenNamesKOList)}
}

func (g gen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }
func (g gen) n(lo, hi int) int         { return lo + g.r.IntN(hi-lo+1) } // lo..hi inclusive
func (g gen) chance(p float64) bool    { return g.r.Float64() < p }
func (g gen) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + g.r.IntN(10))
	}
	return string(b)
}
func (g gen) from(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[g.r.IntN(len(alphabet))]
	}
	return string(b)
}

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	lowerHex   = "0123456789abcdef"
)

// ---- people -----------------------------------------------------------------

const firstNamesENList = `James Maria Wei Aisha Oluwaseun Siobhan José Priya Mohammed Chloé Dmitri Yuki
	Emily Michael Sarah David Olivia Daniel Sofia Liam Hannah Lucas Fatima Mateo Ingrid Rahul Grace Thomas Amara
	Nikolai Isabella Kwame Elena Connor Mei Diego Zoe Samuel Leila Patrick Anna Omar Jessica Benjamin Ava`

const lastNamesENList = `Smith García O'Brien Nguyen Okafor Müller Kowalski Johansson Patel Rossi Dubois
	Williams Brown Jones Miller Davis Rodriguez Martinez Hernandez Lopez Wilson Anderson Thomas Taylor Moore Jackson
	Martin Lee Thompson White Harris Clark Lewis Robinson Walker Young Allen Wright Scott Green Baker Adams Nelson
	Hill Campbell Mitchell Roberts Carter Phillips Evans Turner Torres Parker Collins Edwards Stewart Morris Murphy
	Cook Rogers Morgan Cooper Peterson Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks Bennett
	Gray James Hughes Price Sanders Myers Long Ross Foster Smith-Jones Fitzgerald Schmidt Novak Haddad Tanaka`

const surnamesKOList = "김 이 박 최 정 강 조 윤 장 임 한 오 서 신 권 황 안 송 류 홍 전 고 문 양 손 배 백 허 남 심 노 하 곽 성 남궁 황보 제갈 선우"

const givenNamesKOList = `민준 서연 도윤 지우 하은 예준 수아 시우 지호 서준 하준 지민 채원 윤서 현우 은지 성민 영희 철수 미영
	정훈 수빈 다은 유진 태윤 건우 소율 가은 민서 하윤 재현 승민 예린 동현 지훈 혜진 상철 경숙 영수 순자 보람 나래`

type person struct{ first, last, full string }

func (g gen) personEN() person {
	f, l := g.pick(g.firstEN...), g.pick(g.lastEN...)
	full := f + " " + l
	if g.chance(0.1) {
		full = f + " " + string("ABCDEFGHJKLMNPRSTW"[g.r.IntN(18)]) + ". " + l
	}
	return person{f, l, full}
}

func (g gen) personKO() person {
	s, n := g.pick(g.surnameKO...), g.pick(g.givenKO...)
	return person{n, s, s + n}
}

// email derives a plausible address from a person (ASCII local parts; Korean
// users get romanised handles).
func (g gen) email(p person, korean bool) string {
	var local string
	if korean {
		local = g.pick("minjun", "seoyeon", "jiwoo", "hajun", "yuna", "sungmin", "jhkim", "parkjs", "leesy",
			"choi.dh", "kang_mj", "yoon88", "happyday", "skyblue") + g.digits(g.n(0, 4))
	} else {
		f, l := asciiLower(p.first), asciiLower(p.last)
		switch g.r.IntN(5) {
		case 0:
			local = f + "." + l
		case 1:
			local = f[:1] + l + g.digits(g.n(1, 3))
		case 2:
			local = f + "_" + l + g.digits(2)
		case 3:
			local = f + "." + l + "+" + g.pick("orders", "shop", "news")
		default:
			local = l + "." + f
		}
	}
	var domain string
	if korean {
		domain = g.pick("naver.com", "hanmail.net", "daum.net", "kakao.com", "gmail.com", "korea.ac.kr", "samsung-mall.co.kr")
	} else {
		domain = g.pick("gmail.com", "outlook.com", "yahoo.com", "icloud.com", "proton.me", "hotmail.co.uk",
			"acme-corp.com", "mail.utoronto.ca", "web.de", "orange.fr", "example-logistics.io")
	}
	if !korean && g.chance(0.1) { // people type their address capitalised
		local = strings.ToUpper(local[:1]) + local[1:]
	}
	return local + "@" + domain
}

// asciiLower folds a name to an ASCII mailbox word: "O'Brien" → "obrien", "Müller" → "muller".
func asciiLower(s string) string {
	repl := strings.NewReplacer("é", "e", "ü", "u", "í", "i", "á", "a", "ó", "o", "'", "", "-", "", ".", "", " ", "")
	return strings.ToLower(repl.Replace(s))
}

func (g gen) username(p person) string {
	return g.pick(asciiLower(p.first)+g.digits(2), asciiLower(p.first)[:1]+asciiLower(p.last),
		asciiLower(p.last)+"_"+g.digits(3), "the"+asciiLower(p.first))
}

// ---- addresses --------------------------------------------------------------

type address struct {
	street, unit, city, region, postcode, country string
	full                                          string // one line, as people write it
}

func (g gen) addressEN() address {
	if g.chance(0.25) { // UK
		street := fmt.Sprintf("%d %s %s", g.n(1, 240), g.pick("Baker", "Victoria", "High", "Church", "Station", "Mill", "Queen's", "Kings"),
			g.pick("Street", "Road", "Lane", "Avenue", "Close", "Crescent"))
		city := g.pick("London", "Manchester", "Leeds", "Bristol", "Edinburgh", "Cardiff")
		pc := fmt.Sprintf("%s%d %d%s", g.pick("NW", "SW", "M", "LS", "BS", "EH", "CF"), g.n(1, 20), g.n(1, 9), g.from("ABDEFGHJLNPQRSTUWXYZ", 2))
		a := address{street: street, city: city, postcode: pc, country: "GB"}
		if g.chance(0.3) {
			a.unit = fmt.Sprintf("Flat %d", g.n(1, 30))
			a.full = a.unit + ", " + street + ", " + city + " " + pc
		} else {
			a.full = street + ", " + city + " " + pc
		}
		return a
	}
	street := fmt.Sprintf("%d %s%s %s", g.n(1, 19999), g.pick("", "", "", "N ", "S ", "E ", "W "),
		g.pick("Pine", "Maple", "Oak", "Elm", "Cedar", "Washington", "Lake", "Hill", "Sunset", "Park", "Main",
			"Broadway", "Market", "Mission", "Highland", "Jefferson", "Lincoln", "Madison", "Cherry", "Valencia", "Colorado"),
		g.pick("Street", "St", "Avenue", "Ave", "Road", "Rd", "Boulevard", "Blvd", "Lane", "Ln", "Drive", "Dr", "Court", "Way", "Place"))
	cities := [][3]string{{"Seattle", "WA", "981"}, {"San Francisco", "CA", "941"}, {"Austin", "TX", "787"},
		{"Brooklyn", "NY", "112"}, {"Chicago", "IL", "606"}, {"Boston", "MA", "021"}, {"Denver", "CO", "802"},
		{"Portland", "OR", "972"}, {"Atlanta", "GA", "303"}, {"Phoenix", "AZ", "850"}}
	c := cities[g.r.IntN(len(cities))]
	a := address{street: street, city: c[0], region: c[1], postcode: c[2] + g.digits(2), country: "US"}
	if g.chance(0.35) {
		a.unit = g.pick("Apt ", "Suite ", "Unit ", "#") + fmt.Sprint(g.n(1, 40)) + g.pick("", "", "B", "C")
		a.full = street + ", " + a.unit + ", " + a.city + ", " + a.region + " " + a.postcode
	} else {
		a.full = street + ", " + a.city + ", " + a.region + " " + a.postcode
	}
	return a
}

func (g gen) addressKO() address {
	type place struct{ sido, gu, road, dong string }
	places := []place{
		{"서울특별시", "강남구", "테헤란로", "역삼동"}, {"서울특별시", "마포구", "월드컵북로", "성산동"},
		{"서울특별시", "송파구", "올림픽로", "잠실동"}, {"서울특별시", "종로구", "세종대로", "세종로"},
		{"부산광역시", "해운대구", "해운대해변로", "우동"}, {"대구광역시", "수성구", "달구벌대로", "범어동"},
		{"인천광역시", "연수구", "센트럴로", "송도동"}, {"광주광역시", "서구", "상무중앙로", "치평동"},
		{"대전광역시", "유성구", "대학로", "궁동"}, {"경기도 성남시", "분당구", "판교역로", "백현동"},
		{"경기도 수원시", "영통구", "광교중앙로", "이의동"}, {"제주특별자치도 제주시", "", "연북로", "이도이동"},
	}
	p := places[g.r.IntN(len(places))]
	gu := p.gu
	if gu != "" {
		gu += " "
	}
	var a address
	a.city, a.postcode, a.country = p.sido, fmt.Sprintf("%05d", g.n(1000, 63999)), "KR"
	if g.chance(0.8) { // road-name address
		a.street = fmt.Sprintf("%s %s%s %d", p.sido, gu, p.road, g.n(1, 400))
		if g.chance(0.3) {
			a.street += fmt.Sprintf("-%d", g.n(1, 30))
		}
		if g.chance(0.3) {
			a.street += " (" + p.dong + ")"
		}
	} else { // lot-number address
		a.street = fmt.Sprintf("%s %s%s %d-%d", p.sido, gu, p.dong, g.n(1, 999), g.n(1, 200))
	}
	if g.chance(0.6) {
		a.unit = g.pick(fmt.Sprintf("%d동 %d호", g.n(101, 120), g.n(101, 2504)), fmt.Sprintf("%d층", g.n(2, 20)),
			fmt.Sprintf("%s아파트 %d동 %d호", g.pick("래미안", "힐스테이트", "푸르지오", "자이"), g.n(101, 115), g.n(101, 1804)))
		a.full = a.street + " " + a.unit
	} else {
		a.full = a.street
	}
	return a
}

// ---- phones -----------------------------------------------------------------

func (g gen) phoneUS() string {
	area := g.pick("206", "415", "212", "312", "617", "646", "303", "512", "404", "702", "917", "213")
	ex := fmt.Sprintf("%d%s", g.n(2, 9), g.digits(2))
	if ex[1:] == "11" {
		ex = ex[:2] + "2"
	}
	line := g.digits(4)
	switch g.r.IntN(8) {
	case 0:
		return "(" + area + ") " + ex + "-" + line
	case 1:
		return area + "-" + ex + "-" + line
	case 2:
		return area + "." + ex + "." + line
	case 3:
		return "+1 " + area + " " + ex + " " + line
	case 4:
		return "+1-" + area + "-" + ex + "-" + line
	case 5:
		return "+1 (" + area + ") " + ex + "-" + line
	case 6:
		return "+1." + area + "." + ex + "." + line
	default:
		return area + ex + line
	}
}

func (g gen) phoneIntl() string {
	switch g.r.IntN(7) {
	case 5:
		return "+44 (0)20 " + g.digits(4) + " " + g.digits(4)
	case 6:
		return fmt.Sprintf("+61 4%s %s %s", g.digits(2), g.digits(3), g.digits(3))
	case 0:
		return "+44 20 " + g.digits(4) + " " + g.digits(4)
	case 1:
		return "+44 7" + g.digits(3) + " " + g.digits(6)
	case 2:
		return "+49 30 " + g.digits(8)
	case 3:
		return fmt.Sprintf("+33 %d %s %s %s %s", g.n(6, 7), g.digits(2), g.digits(2), g.digits(2), g.digits(2))
	default:
		return "+81 3-" + g.digits(4) + "-" + g.digits(4)
	}
}

func (g gen) phoneKR() string {
	mid, last := fmt.Sprintf("%d%s", g.n(2, 9), g.digits(3)), g.digits(4)
	switch g.r.IntN(11) {
	case 9:
		return fmt.Sprintf("(02) %d%s-%s", g.n(2, 9), g.digits(3), last)
	case 10:
		return "010." + mid + "." + last
	case 0, 1:
		return "010-" + mid + "-" + last
	case 2:
		return "010 " + mid + " " + last
	case 3:
		return "010" + mid + last
	case 4:
		return "+82 10-" + mid + "-" + last
	case 5:
		return "+82-10-" + mid + "-" + last
	case 6:
		return fmt.Sprintf("02-%d%s-%s", g.n(2, 9), g.digits(2+g.r.IntN(2)), last)
	case 7:
		return g.pick("031", "032", "051", "053", "062", "042", "064") + "-" + fmt.Sprintf("%d%s", g.n(2, 9), g.digits(2)) + "-" + last
	default:
		return "070-" + mid + "-" + last
	}
}

// ---- payment ------------------------------------------------------------------

func luhnDigit(body string) byte {
	sum := 0
	for i := len(body) - 1; i >= 0; i-- {
		d := int(body[i] - '0')
		if (len(body)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return byte('0' + (10-sum%10)%10)
}

// card returns a Luhn-valid number of a random brand, written plain, spaced
// or dashed in the brand's grouping.
func (g gen) card() string {
	var prefix string
	var n int
	groups := []int{4, 4, 4, 4}
	switch g.r.IntN(8) {
	case 0, 1:
		prefix, n = "4", 16
	case 2:
		prefix, n = fmt.Sprint(g.n(51, 55)), 16
	case 3:
		prefix, n = fmt.Sprint(g.n(2221, 2720)), 16
	case 4:
		prefix, n, groups = g.pick("34", "37"), 15, []int{4, 6, 5}
	case 5:
		prefix, n = g.pick("6011", "65", fmt.Sprint(g.n(644, 649))), 16
	case 6:
		prefix, n = fmt.Sprint(g.n(3528, 3589)), 16
	default:
		prefix, n, groups = "36", 14, []int{4, 6, 4}
	}
	body := prefix + g.digits(n-1-len(prefix))
	num := body + string(luhnDigit(body))
	sep := g.pick("", " ", "-", " ")
	if sep == "" {
		return num
	}
	var parts []string
	at := 0
	for _, l := range groups {
		parts = append(parts, num[at:at+l])
		at += l
	}
	return strings.Join(parts, sep)
}

func (g gen) expiry() string {
	m, y := g.n(1, 12), g.n(26, 32)
	if g.chance(0.3) {
		return fmt.Sprintf("%02d/20%d", m, y)
	}
	return fmt.Sprintf("%02d/%d", m, y)
}

// iban returns a mod-97-valid IBAN of one of several countries, compact or
// in groups of four.
func (g gen) iban() string {
	var cc, bban string
	switch g.r.IntN(7) {
	case 0:
		cc, bban = "DE", g.digits(18)
	case 1:
		cc, bban = "GB", g.pick("NWBK", "BARC", "LOYD", "HBUK", "MIDL")+g.digits(14)
	case 2:
		bank, branch, acct := g.digits(5), g.digits(5), g.digits(11)
		cc, bban = "FR", bank+branch+acct+ribKey(bank, branch, acct)
	case 3:
		cc, bban = "NL", g.pick("ABNA", "RABO", "INGB", "TRIO")+g.digits(10)
	case 4:
		cc, bban = "ES", g.digits(20)
	case 5:
		cc, bban = "IT", g.from("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1)+g.digits(10)+g.digits(12)
	default:
		cc, bban = "CH", g.digits(17)
	}
	check := ibanCheck(cc, bban)
	s := cc + check + bban
	if g.chance(0.5) {
		var parts []string
		for i := 0; i < len(s); i += 4 {
			parts = append(parts, s[i:min(i+4, len(s))])
		}
		return strings.Join(parts, " ")
	}
	return s
}

func ibanCheck(cc, bban string) string {
	var b strings.Builder
	for _, c := range bban + cc + "00" {
		if c >= 'A' && c <= 'Z' {
			fmt.Fprint(&b, int(c-'A')+10)
		} else {
			b.WriteRune(c)
		}
	}
	n, _ := new(big.Int).SetString(b.String(), 10)
	r := new(big.Int).Mod(n, big.NewInt(97)).Int64()
	return fmt.Sprintf("%02d", 98-r)
}

// ribKey is the French RIB key of a numeric bank/branch/account.
func ribKey(bank, branch, acct string) string {
	b, _ := new(big.Int).SetString(bank, 10)
	br, _ := new(big.Int).SetString(branch, 10)
	a, _ := new(big.Int).SetString(acct, 10)
	sum := new(big.Int).Mul(b, big.NewInt(89))
	sum.Add(sum, new(big.Int).Mul(br, big.NewInt(15)))
	sum.Add(sum, new(big.Int).Mul(a, big.NewInt(3)))
	return fmt.Sprintf("%02d", 97-new(big.Int).Mod(sum, big.NewInt(97)).Int64())
}

// ---- national identifiers ------------------------------------------------------

// ssn returns a US SSN in a valid range (area not 000, 666 or 9xx; group
// and serial not zero), dashed or, rarely, plain.
func (g gen) ssn() string {
	area := g.n(1, 899)
	if area == 666 {
		area = 667
	}
	s := fmt.Sprintf("%03d-%02d-%04d", area, g.n(1, 99), g.n(1, 9999))
	if g.chance(0.15) {
		return strings.ReplaceAll(s, "-", "")
	}
	return s
}

// rrn returns a Korean resident registration number with a real birth date,
// the century's gender digit and a valid check digit.
func (g gen) rrn() string {
	y := g.n(1950, 2012)
	m, d := g.n(1, 12), g.n(1, 28)
	gd := g.n(1, 2)
	if y >= 2000 {
		gd += 2
	}
	body := fmt.Sprintf("%02d%02d%02d%d%s", y%100, m, d, gd, g.digits(5))
	w := []int{2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5}
	sum := 0
	for i, c := range body {
		sum += int(c-'0') * w[i]
	}
	check := (11 - sum%11) % 10
	s := fmt.Sprintf("%s%d", body, check)
	if g.chance(0.15) {
		return s
	}
	return s[:6] + "-" + s[6:]
}

// brn returns a Korean business registration number with its check digit.
func (g gen) brn() string {
	d := g.digits(9)
	w := []int{1, 3, 7, 1, 3, 7, 1, 3, 5}
	sum := 0
	for i := 0; i < 8; i++ {
		sum += int(d[i]-'0') * w[i]
	}
	d9 := int(d[8]-'0') * 5
	sum += d9 + d9/10
	s := fmt.Sprintf("%s%d", d, (10-sum%10)%10)
	return s[:3] + "-" + s[3:5] + "-" + s[5:]
}

// ---- network and credentials -------------------------------------------------

func (g gen) ipv4() string {
	first := g.pick("23", "34", "52", "66", "73", "81", "98", "104", "118", "142", "151", "175", "185", "203", "211", "221")
	return fmt.Sprintf("%s.%d.%d.%d", first, g.n(0, 255), g.n(0, 255), g.n(1, 254))
}

func (g gen) ipv6() string {
	groups := make([]string, 8)
	groups[0] = g.pick("2001", "2600", "2a02", "2406", "2804")
	for i := 1; i < 8; i++ {
		groups[i] = fmt.Sprintf("%x", g.r.IntN(0x10000))
	}
	if g.chance(0.5) { // compressed form with a zero run
		return strings.Join(groups[:3], ":") + "::" + strings.Join(groups[6:], ":")
	}
	return strings.Join(groups, ":")
}

func (g gen) mac() string {
	b := make([]string, 6)
	for i := range b {
		b[i] = fmt.Sprintf("%02x", g.r.IntN(256))
	}
	sep := g.pick(":", "-")
	s := strings.Join(b, sep)
	if g.chance(0.3) {
		s = strings.ToUpper(s)
	}
	return s
}

func (g gen) awsAccessKey() string {
	return g.pick("AKIA", "AKIA", "ASIA") + g.from("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
}

func (g gen) awsSecretKey() string {
	return g.from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+", 40)
}

func (g gen) password() string {
	return g.pick("Summer", "hunter", "P@ss", "Welcome", "qwerty", "dragon", "Seoul") + g.digits(g.n(2, 4)) + g.pick("!", "#", "", "$")
}

// dob returns a birth date in one of the ways forms and people write them.
func (g gen) dob(korean bool) string {
	y, m, d := g.n(1940, 2006), g.n(1, 12), g.n(1, 28)
	months := []string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}
	if korean {
		return g.pick(fmt.Sprintf("%d년 %d월 %d일", y, m, d), fmt.Sprintf("%d-%02d-%02d", y, m, d), fmt.Sprintf("%d.%02d.%02d", y, m, d))
	}
	return g.pick(fmt.Sprintf("%d-%02d-%02d", y, m, d), fmt.Sprintf("%02d/%02d/%d", m, d, y),
		fmt.Sprintf("%s %d, %d", months[m-1], d, y), fmt.Sprintf("%d %s %d", d, months[m-1], y))
}

func (g gen) passportKR() string { return g.pick("M", "S", "R") + g.digits(8) }
func (g gen) passportUS() string { return g.digits(9) }

// routing returns an ABA routing number with a valid prefix and check digit.
func (g gen) routing() string {
	prefix := fmt.Sprintf("%02d", g.pick3(g.n(1, 12), g.n(21, 32), g.n(61, 72)))
	d := prefix + g.digits(6)
	w := []int{3, 7, 1, 3, 7, 1, 3, 7}
	sum := 0
	for i := range 8 {
		sum += int(d[i]-'0') * w[i]
	}
	return d + fmt.Sprint((10-sum%10)%10)
}

// driverUS returns a US driver's licence number in a state's format.
func (g gen) driverUS() (number, state string) {
	switch g.r.IntN(3) {
	case 0:
		return g.from("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 1) + g.digits(7), "CA"
	case 1:
		return g.digits(3) + " " + g.digits(3) + " " + g.digits(3), "NY"
	default:
		return g.digits(8), "TX"
	}
}

// driverKR returns a Korean driver's licence number: region 11–26 or 28, year, serial, check.
func (g gen) driverKR() string {
	region := g.n(11, 27)
	if region == 27 {
		region = 28
	}
	return fmt.Sprintf("%d-%02d-%s-%s", region, g.n(0, 99), g.digits(6), g.digits(2))
}
