package pii

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// orderDocuments returns n NDJSON order lines, seeded: realistic field mix of identifiers, timestamps,
// prices, SKUs and personal data (names, emails, phones, addresses, cards, IPs), English and Korean.
func orderDocuments(n int) string {
	r := rand.New(rand.NewPCG(6, 6))
	first := []string{"Jane", "John", "Minji", "Alex", "Maria", "Wei", "Sofia", "David"}
	last := []string{"Doe", "Smith", "Kim", "Garcia", "Chen", "Rossi", "Park", "Brown"}
	koNames := []string{"홍길동", "김철수", "이영희", "박민수", "최지우", "남궁민"}
	streets := []string{"123 Main St, Springfield, IL 62701", "서울특별시 강남구 테헤란로 152 101동 1203호",
		"42 Rue de Rivoli, 75001 Paris", "경기도 성남시 분당구 판교역로 235"}
	cards := []string{"4111 1111 1111 1111", "5555555555554444", "3782 822463 10005", "6011-1111-1111-1117"}
	var b strings.Builder
	for i := 0; i < n; i++ {
		fn, ln := first[r.IntN(len(first))], last[r.IntN(len(last))]
		name := fn + " " + ln
		if r.IntN(3) == 0 {
			name = koNames[r.IntN(len(koNames))]
		}
		phone := fmt.Sprintf("010-%04d-%04d", r.IntN(10000), r.IntN(10000))
		if r.IntN(2) == 0 {
			phone = fmt.Sprintf("+1 (212) 555-%04d", r.IntN(10000))
		}
		fmt.Fprintf(&b, `{"order_id":"ORD-2024-%06d","created_at":"2024-%02d-%02dT%02d:%02d:%02d.%03dZ","ts":%d,`+
			`"customer":{"id":%d,"name":%q,"email":"%s.%s%d@example.com","phone":%q,"shipping_address":%q},`+
			`"items":[{"sku":"SKU-%05d-%s","name":"Widget %d","qty":%d,"price":%d.%02d},`+
			`{"sku":"SKU-%05d-M","name":"Gadget","qty":1,"price":%d.99}],`+
			`"payment":{"method":"card","card_number":%q,"exp":"%02d/%02d","status":"captured"},`+
			`"client":{"ip":"%d.%d.%d.%d","user_agent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",`+
			`"session":"%016x%016x"},"note":"Leave at door, call on arrival. 부재 시 경비실에 맡겨주세요."}`+"\n",
			r.IntN(1000000), 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000),
			1700000000000+r.Int64N(100000000000),
			r.IntN(1000000), name, strings.ToLower(fn), strings.ToLower(ln), r.IntN(100), phone,
			streets[r.IntN(len(streets))],
			r.IntN(100000), []string{"S", "M", "L", "XL"}[r.IntN(4)], r.IntN(100), 1+r.IntN(5), r.IntN(500), r.IntN(100),
			r.IntN(100000), r.IntN(300),
			cards[r.IntN(len(cards))], 1+r.IntN(12), 25+r.IntN(8),
			1+r.IntN(223), r.IntN(256), r.IntN(256), 1+r.IntN(254), r.Uint64(), r.Uint64())
	}
	return b.String()
}

// supportText returns free text: support tickets and server log lines.
func supportText(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "2024-03-%02d 10:%02d:11 INFO request_id=%08x path=/api/v1/orders/%d status=200 latency_ms=%d "+
			"client=10.0.%d.%d\n", 1+i%28, i%60, i*2654435761, 100000+i, 10+i%90, i%256, (i*7)%256)
		fmt.Fprintf(&b, "Ticket #%d: Customer says the parcel for order ORD-2024-%06d never arrived. Please call "+
			"her back on 02-312-%04d or email support@example.com. 고객님께서 배송이 지연되었다고 문의하셨습니다. "+
			"Refund $%d.%02d to the original card.\n", 5000+i, i, i%10000, 10+i%90, i%100)
	}
	return b.String()
}

func BenchmarkDetectNDJSON(b *testing.B) {
	text := orderDocuments(2000)
	d := NewDetector(Options{})
	b.SetBytes(int64(len(text)))
	cpu := processCPU()
	for b.Loop() {
		d.Detect(text)
	}
	reportCPU(b, cpu, len(text))
}

func BenchmarkDetectText(b *testing.B) {
	text := supportText(2000)
	d := NewDetector(Options{})
	b.SetBytes(int64(len(text)))
	cpu := processCPU()
	for b.Loop() {
		d.Detect(text)
	}
	reportCPU(b, cpu, len(text))
}

// TestOrderDocuments: the benchmark's documents, line by line: every planted value found, no identifier,
// timestamp, SKU or price reported.
func TestOrderDocuments(t *testing.T) {
	d := NewDetector(Options{})
	for _, line := range strings.Split(strings.TrimSpace(orderDocuments(200)), "\n") {
		got := map[string]int{}
		for _, e := range d.Detect(line) {
			got[e.Type]++
			if strings.Contains(e.Text, "ORD-") || strings.Contains(e.Text, "SKU-") || strings.Contains(e.Text, "2024-") {
				t.Errorf("reported %s %q in %s", e.Type, e.Text, line)
			}
		}
		for typ, n := range map[string]int{TypeName: 1, TypeEmail: 1, TypePhone: 1, TypeAddress: 1,
			TypeCreditDebitNumber: 1, TypeCreditDebitExpiry: 1, TypeIPAddress: 1} {
			if got[typ] != n {
				t.Errorf("%s: want %d, got %d in %s\n%s", typ, n, got[typ], line, describe(d.Detect(line)))
			}
		}
		if len(got) != 7 {
			t.Errorf("unexpected types %v in %s", got, line)
		}
	}
}

func FuzzDetect(f *testing.F) {
	for _, s := range []string{
		orderDocuments(1), supportText(1), "+82 10-1234-5678", "::1", "00:1A:2B:3C:4D:5E", "a@b.co",
		`{"name":"홍길동","password":"x"}`, "https://x.io/?e=a%40b.co", "GB82 WEST 1234 5698 7654 32",
		"\xff\xfe@\x80.com", "주민번호 800101-1234560", "서울특별시 강남구 테헤란로 152 (역삼동", "Mr. ", "123 Main St, ",
		"생년월일 1980년 1월", "홍길동님", "Name: ", "card 12/", "((((+1", "1.2.3.4.5.6.7.8", strings.Repeat("9 ", 40),
	} {
		f.Add(s)
	}
	d := NewDetector(Options{MinScore: 0.01})
	f.Fuzz(func(t *testing.T, text string) {
		ents := d.Detect(text)
		valid := utf8.ValidString(text)
		for i, e := range ents {
			if e.Start < 0 || e.End > len(text) || e.Start >= e.End {
				t.Fatalf("bad span %d:%d of %d", e.Start, e.End, len(text))
			}
			if i > 0 && e.Start < ents[i-1].End {
				t.Fatalf("overlap or unsorted: %v after %v", e, ents[i-1])
			}
			if e.Text != text[e.Start:e.End] || e.Score <= 0 || e.Score > 1 {
				t.Fatalf("bad entity %+v", e)
			}
			if valid && !utf8.ValidString(e.Text) {
				t.Fatalf("span %d:%d splits a character", e.Start, e.End)
			}
		}
	})
}

// BenchmarkNewDetector: building the vocabulary, paid once per Detector.
func BenchmarkNewDetector(b *testing.B) {
	for b.Loop() {
		NewDetector(Options{})
	}
}

// BenchmarkDetectSmallDocument: one order line, as a per-record caller (Firehose, Kinesis) sends them.
func BenchmarkDetectSmallDocument(b *testing.B) {
	text := orderDocuments(1)
	d := NewDetector(Options{})
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		d.Detect(text)
	}
}
