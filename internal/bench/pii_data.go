package bench

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// piiSource generates a benchmark input of about size bytes on the fly (nothing is held but a pool of
// records), so a 1 GiB object costs no memory in the measuring process. Records cycle through a seeded pool
// of realistic order documents, customer rows or log lines mixing identifiers, timestamps, prices and
// personal data (names, emails, phones, addresses, cards, IPs; English and Korean).
type piiSource struct {
	pool  []string
	open  string // written first ("[\n" for one JSON array, a CSV header)
	sep   string // between records (",\n" for the array)
	close string // written last
	size  int64
	pos   int64
	next  int    // records written
	cur   string // rest of the current chunk
	// sepDone: the separator before record next has been written.
	sepDone bool
	closed  bool
}

func newPIISource(format string, size int64) (*piiSource, error) {
	s := &piiSource{size: size}
	switch format {
	case "ndjson":
		s.pool, s.sep, s.close = piiOrders(2000), "\n", "\n"
	case "json":
		// One JSON document (an array of orders) the size of the whole input: the tokenizer must stream it.
		s.pool, s.open, s.sep, s.close = piiOrders(2000), "[\n", ",\n", "\n]\n"
	case "csv":
		s.pool, s.sep, s.close = piiCustomerRows(2000), "\n", "\n"
		s.open = "customer_id,first_name,last_name,email,phone,address,card_number,signup_ts,plan,balance\n"
	case "text":
		s.pool, s.sep, s.close = piiLogLines(2000), "\n", "\n"
	default:
		return nil, fmt.Errorf("unknown format %q (want ndjson, json, csv or text)", format)
	}
	s.cur = s.open
	return s, nil
}

// Read fills p: records until size is reached (the last one may overshoot it), then the closing bytes.
func (s *piiSource) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if s.cur == "" {
			if s.closed {
				break
			}
			if s.pos >= s.size && !s.sepDone { // never between a separator and its record
				s.cur, s.closed = s.close, true
				continue
			}
			// The separator and the record are copied as two pieces: concatenating them allocated a string per
			// record, CPU time the benchmark then charged to the redaction.
			if s.next > 0 && !s.sepDone {
				s.cur, s.sepDone = s.sep, true
				continue
			}
			s.cur, s.sepDone = s.pool[s.next%len(s.pool)], false
			s.next++
		}
		c := copy(p[n:], s.cur)
		s.cur = s.cur[c:]
		n += c
		s.pos += int64(c)
	}
	if n == 0 {
		return 0, io.EOF
	}
	return n, nil
}

func piiOrders(n int) []string {
	r := rand.New(rand.NewPCG(6, 6))
	first := []string{"Jane", "John", "Minji", "Alex", "Maria", "Wei", "Sofia", "David"}
	last := []string{"Doe", "Smith", "Kim", "Garcia", "Chen", "Rossi", "Park", "Brown"}
	koNames := []string{"홍길동", "김철수", "이영희", "박민수", "최지우", "남궁민"}
	streets := []string{"123 Main St, Springfield, IL 62701", "서울특별시 강남구 테헤란로 152 101동 1203호",
		"42 Rue de Rivoli, 75001 Paris", "경기도 성남시 분당구 판교역로 235"}
	cards := []string{"4111 1111 1111 1111", "5555555555554444", "3782 822463 10005", "6011-1111-1111-1117"}
	out := make([]string, n)
	for i := range out {
		fn, ln := first[r.IntN(len(first))], last[r.IntN(len(last))]
		name := fn + " " + ln
		if r.IntN(3) == 0 {
			name = koNames[r.IntN(len(koNames))]
		}
		phone := fmt.Sprintf("010-%04d-%04d", r.IntN(10000), r.IntN(10000))
		if r.IntN(2) == 0 {
			phone = fmt.Sprintf("+1 (212) 555-%04d", r.IntN(10000))
		}
		out[i] = fmt.Sprintf(`{"order_id":"ORD-2024-%06d","created_at":"2024-%02d-%02dT%02d:%02d:%02d.%03dZ","ts":%d,`+
			`"customer":{"id":%d,"name":%q,"email":"%s.%s%d@example.com","phone":%q,"shipping_address":%q},`+
			`"items":[{"sku":"SKU-%05d-%s","name":"Widget %d","qty":%d,"price":%d.%02d},`+
			`{"sku":"SKU-%05d-M","name":"Gadget","qty":1,"price":%d.99}],`+
			`"payment":{"method":"card","card_number":%q,"exp":"%02d/%02d","status":"captured"},`+
			`"client":{"ip":"%d.%d.%d.%d","user_agent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36",`+
			`"session":"%016x%016x"},"note":"Leave at door, call on arrival. 부재 시 경비실에 맡겨주세요."}`,
			r.IntN(1000000), 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000),
			1700000000000+r.Int64N(100000000000),
			r.IntN(1000000), name, strings.ToLower(fn), strings.ToLower(ln), r.IntN(100), phone,
			streets[r.IntN(len(streets))],
			r.IntN(100000), []string{"S", "M", "L", "XL"}[r.IntN(4)], r.IntN(100), 1+r.IntN(5), r.IntN(500), r.IntN(100),
			r.IntN(100000), r.IntN(300),
			cards[r.IntN(len(cards))], 1+r.IntN(12), 25+r.IntN(8),
			1+r.IntN(223), r.IntN(256), r.IntN(256), 1+r.IntN(254), r.Uint64(), r.Uint64())
	}
	return out
}

func piiCustomerRows(n int) []string {
	r := rand.New(rand.NewPCG(7, 7))
	first := []string{"Jane", "John", "Minji", "Alex", "Maria", "Wei"}
	last := []string{"Doe", "Smith", "Kim", "Garcia", "Chen", "Park"}
	out := make([]string, n)
	for i := range out {
		fn, ln := first[r.IntN(len(first))], last[r.IntN(len(last))]
		out[i] = fmt.Sprintf("C%07d,%s,%s,%s.%s%d@example.com,010-%04d-%04d,\"%d Main St, Springfield, IL 62701\",%s,%d,%s,%d.%02d",
			i, fn, ln, strings.ToLower(fn), strings.ToLower(ln), r.IntN(100), r.IntN(10000), r.IntN(10000), 1+r.IntN(999),
			[]string{"4111111111111111", "5555555555554444", "378282246310005"}[r.IntN(3)], 1700000000+r.IntN(1e8),
			[]string{"free", "pro", "team"}[r.IntN(3)], r.IntN(10000), r.IntN(100))
	}
	return out
}

func piiLogLines(n int) []string {
	out := make([]string, 0, n)
	for i := 0; len(out) < n; i++ {
		out = append(out, fmt.Sprintf("2024-03-%02d 10:%02d:11 INFO request_id=%08x path=/api/v1/orders/%d status=200 "+
			"latency_ms=%d client=10.0.%d.%d", 1+i%28, i%60, uint32(i*2654435761), 100000+i, 10+i%90, i%256, (i*7)%256))
		out = append(out, fmt.Sprintf("Ticket #%d: Customer says the parcel for order ORD-2024-%06d never arrived. Please "+
			"call her back on 02-312-%04d or email support@example.com. 고객님께서 배송이 지연되었다고 문의하셨습니다. "+
			"Refund $%d.%02d to the original card.", 5000+i, i, i%10000, 10+i%90, i%100))
	}
	return out
}
