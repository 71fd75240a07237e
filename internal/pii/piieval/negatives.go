package piieval

import (
	"fmt"
	"strings"
)

// Hard negatives: values that look like personal data to a careless
// detector and must come out of redaction unchanged.

func (g gen) orderID() string {
	switch g.r.IntN(4) {
	case 0:
		return fmt.Sprintf("ORD-%d-%06d", g.n(2023, 2026), g.n(1, 999999))
	case 1:
		return fmt.Sprintf("#%d", g.n(100000, 9999999))
	case 2:
		return fmt.Sprintf("%d-%07d-%07d", g.n(111, 114), g.n(0, 9999999), g.n(0, 9999999)) // marketplace style
	default:
		return fmt.Sprintf("%d%02d%02d%08d", g.n(2023, 2026), g.n(1, 12), g.n(1, 28), g.n(0, 99999999)) // Korean 16-digit
	}
}

func (g gen) sku() string {
	switch g.r.IntN(4) {
	case 0:
		return fmt.Sprintf("SKU-%05d-%s-%s", g.n(1, 99999), g.pick("BLK", "WHT", "RED", "NVY"), g.pick("S", "M", "L", "XL"))
	case 1:
		return "B0" + g.from(upperAlnum, 8) // ASIN
	case 2:
		return g.ean13()
	default:
		return fmt.Sprintf("%s-%04d-%02d", g.from("ABCDEFGHJKLMNPRSTUVWXYZ", 2), g.n(0, 9999), g.n(0, 99))
	}
}

// ean13 is a retail barcode (Korean 880 prefix or another country's) with
// its own valid check digit.
func (g gen) ean13() string {
	body := g.pick("880", "400", "500", "690", "049") + g.digits(9)
	sum := 0
	for i, c := range body {
		d := int(c - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return body + fmt.Sprint((10-sum%10)%10)
}

func (g gen) uuid() string {
	h := g.from(lowerHex, 32)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-" + string("89ab"[g.r.IntN(4)]) + h[17:20] + "-" + h[20:]
}

func (g gen) hash() string { return g.from(lowerHex, g.pick3(32, 40, 64)) }

func (g gen) pick3(a, b, c int) int { return []int{a, b, c}[g.r.IntN(3)] }

func (g gen) epochSeconds() string { return fmt.Sprint(g.n(1700000000, 1790000000)) }
func (g gen) epochMillis() string {
	return fmt.Sprintf("%d%03d", g.n(1700000000, 1790000000), g.n(0, 999))
}

func (g gen) isoTime() string {
	return fmt.Sprintf("%d-%02d-%02dT%02d:%02d:%02d.%03dZ", g.n(2024, 2026), g.n(1, 12), g.n(1, 28), g.n(0, 23), g.n(0, 59), g.n(0, 59), g.n(0, 999))
}

func (g gen) price() string {
	switch g.r.IntN(4) {
	case 0:
		return fmt.Sprintf("%d.%02d", g.n(1, 999), g.n(0, 99))
	case 1:
		return fmt.Sprintf("$%d,%03d.%02d", g.n(1, 9), g.n(0, 999), g.n(0, 99))
	case 2:
		return fmt.Sprintf("₩%d,%03d", g.n(1, 990), g.n(0, 9)*100)
	default:
		return fmt.Sprintf("€%d.%02d", g.n(1, 999), g.n(0, 99))
	}
}

// badCard is a card-shaped number (brand prefix, 16 digits, grouped) whose
// Luhn check fails: gift-card and voucher codes look like this.
func (g gen) badCard() string {
	body := g.pick("4", "5"+fmt.Sprint(g.n(1, 5)), "6011")
	body += g.digits(15 - len(body))
	good := luhnDigit(body)
	bad := byte('0' + (int(good-'0')+g.n(1, 9))%10)
	s := body + string(bad)
	if g.chance(0.5) {
		return s[:4] + " " + s[4:8] + " " + s[8:12] + " " + s[12:]
	}
	return s
}

func (g gen) tracking() string {
	switch g.r.IntN(5) {
	case 0:
		return "1Z" + g.from(upperAlnum, 6) + g.digits(10) // UPS
	case 1:
		return g.pick("9400", "9205", "9361") + " " + g.digits(4) + " " + g.digits(4) + " " + g.digits(4) + " " + g.digits(4) + " " + g.digits(2) // USPS
	case 2:
		return g.digits(12) // FedEx, CJ대한통운
	case 3:
		return fmt.Sprintf("%s-%s-%s", g.digits(4), g.digits(4), g.digits(4)) // Korean couriers, dashed
	default:
		return "JD" + g.digits(18) // DHL eCommerce
	}
}

func (g gen) version() string {
	switch g.r.IntN(5) {
	case 0:
		return fmt.Sprintf("v%d.%d.%d", g.n(0, 12), g.n(0, 40), g.n(0, 99))
	case 1:
		return fmt.Sprintf("%d.%d.%d", g.n(1, 5), g.n(0, 30), g.n(0, 20))
	case 2:
		return fmt.Sprintf("%d.0.%d.%d", g.n(100, 131), g.n(4000, 6999), g.n(10, 250)) // Chrome build
	case 3:
		return fmt.Sprintf("%d.%d.%d-beta.%d", g.n(0, 3), g.n(0, 20), g.n(0, 9), g.n(1, 9))
	default:
		return fmt.Sprintf("10.0.%d.%d", g.n(19041, 26100), g.n(1000, 5000)) // Windows build
	}
}

func (g gen) invoice() string {
	return g.pick("INV", "RCPT", "CN") + "-" + fmt.Sprint(g.n(2024, 2026)) + "-" + fmt.Sprintf("%06d", g.n(1, 999999))
}

func (g gen) krw() string { // an amount in won, plain or with separators
	v := g.n(1, 3000) * 100
	if g.chance(0.5) {
		return fmt.Sprint(v)
	}
	s := fmt.Sprint(v)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String() + "원"
}
