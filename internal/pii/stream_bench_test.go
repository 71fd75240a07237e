package pii

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// benchRedact measures Redactor.Redact on one core (the caller runs with -cpu 1 for the headline number;
// Redact is single-threaded either way).
func benchRedact(b *testing.B, f Format, input string) {
	r, err := NewRedactor(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	cpu := processCPU()
	for b.Loop() {
		if _, err := r.Redact(io.Discard, strings.NewReader(input), f); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu, len(input))
}

func BenchmarkRedactNDJSON(b *testing.B) { benchRedact(b, FormatNDJSON, orderDocuments(4000)) }

// BenchmarkRedactJSON: the same orders as one pretty-printed JSON array.
func BenchmarkRedactJSON(b *testing.B) { benchRedact(b, FormatJSON, ordersJSONArray(4000)) }

func BenchmarkRedactCSV(b *testing.B) { benchRedact(b, FormatCSV, customersCSV(20000)) }

func BenchmarkRedactText(b *testing.B) { benchRedact(b, FormatText, supportText(4000)) }

// ordersJSONArray: orderDocuments as one indented JSON array.
func ordersJSONArray(n int) string {
	lines := strings.Split(strings.TrimSpace(orderDocuments(n)), "\n")
	var sb strings.Builder
	sb.WriteString("[\n")
	for i, l := range lines {
		sb.WriteString("  ")
		sb.WriteString(strings.ReplaceAll(strings.ReplaceAll(l, `,"`, ",\n    \""), `{"`, "{\n    \""))
		if i < len(lines)-1 {
			sb.WriteByte(',')
		}
		sb.WriteByte('\n')
	}
	sb.WriteString("]\n")
	return sb.String()
}

// customersCSV: a customer export with a header row.
func customersCSV(n int) string {
	r := rand.New(rand.NewPCG(7, 7))
	first := []string{"Jane", "John", "Minji", "Alex", "Maria", "Wei"}
	last := []string{"Doe", "Smith", "Kim", "Garcia", "Chen", "Park"}
	var sb strings.Builder
	sb.WriteString("customer_id,first_name,last_name,email,phone,address,card_number,signup_ts,plan,balance\n")
	for i := range n {
		fn, ln := first[r.IntN(len(first))], last[r.IntN(len(last))]
		fmt.Fprintf(&sb, "C%07d,%s,%s,%s.%s%d@example.com,010-%04d-%04d,\"%d Main St, Springfield, IL 62701\",%s,%d,%s,%d.%02d\n",
			i, fn, ln, strings.ToLower(fn), strings.ToLower(ln), r.IntN(100), r.IntN(10000), r.IntN(10000), 1+r.IntN(999),
			[]string{"4111111111111111", "5555555555554444", "378282246310005"}[r.IntN(3)], 1700000000+r.IntN(1e8),
			[]string{"free", "pro", "team"}[r.IntN(3)], r.IntN(10000), r.IntN(100))
	}
	return sb.String()
}

// BenchmarkRedactSmallDocument: one order as one JSON document, as a per-record caller sends them.
func BenchmarkRedactSmallDocument(b *testing.B) { benchRedact(b, FormatJSON, orderDocuments(1)) }
