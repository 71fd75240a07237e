package logs

import (
	"bytes"
	stdgzip "compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"
)

func TestEventID(t *testing.T) {
	cases := []struct {
		num, off uint64
		ts       int64
	}{{0, 0, 0}, {3, 12345, 1700000000123}, {1<<63 - 1, 1<<64 - 1, -5}}
	for _, tc := range cases {
		ts := max(tc.ts, 0)
		want := fmt.Sprintf("%018d%018d%020d", ts%1e18, tc.num%1e18, tc.off)
		if got := eventID(tc.num, tc.off, tc.ts); got != want || len(got) != 56 {
			t.Errorf("eventID(%d, %d, %d) = %s, want %s", tc.num, tc.off, tc.ts, got, want)
		}
	}
}

// TestDataMessageIsJSON: the hand-built DATA_MESSAGE decodes to what was
// put in, whatever the message holds.
func TestDataMessageIsJSON(t *testing.T) {
	msgs := []string{"plain", `quote " and \ backslash`, "control \x01\x1f\t\n\r", "unicode é 😀", "bad utf8 \xff\xfe", "<html>&amp;"}
	var evs []payloadEvent
	for i, m := range msgs {
		evs = append(evs, payloadEvent{id: eventID(1, uint64(i), 42), ts: 42, msg: []byte(m)})
	}
	var got struct {
		MessageType, Owner, LogGroup, LogStream string
		SubscriptionFilters                     []string
		LogEvents                               []struct {
			ID        string
			Timestamp int64
			Message   string
		}
	}
	raw := dataMessage("123456789012", "g/x", `s"1`, "f", evs)
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	if got.MessageType != "DATA_MESSAGE" || got.LogGroup != "g/x" || got.LogStream != `s"1` || got.SubscriptionFilters[0] != "f" {
		t.Fatalf("%+v", got)
	}
	for i, m := range msgs {
		want := m
		if i == 4 {
			want = "bad utf8 \ufffd\ufffd"
		}
		if got.LogEvents[i].Message != want || got.LogEvents[i].ID != evs[i].id {
			t.Errorf("event %d: %q, want %q", i, got.LogEvents[i].Message, want)
		}
	}
}

// TestGzipBytesStandardGunzip: subscription payloads are read by
// consumers with their standard library's gunzip.
func TestGzipBytesStandardGunzip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 300<<10)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	flows := dataMessage("123456789012", "vpc-flow", "eni-0123456789abcdef0-all", "ssh", []payloadEvent{
		{id: eventID(0, 0, 1), ts: 1, msg: []byte("2 123456789012 eni-0123456789abcdef0 10.0.0.1 10.0.0.2 4431 22 6 10 840 1700000000 1700000060 REJECT OK")},
	})
	cases := map[string][]byte{
		"empty":   {},
		"control": controlMessage("Kinesis stream", 1700000000000),
		"flows":   flows,
		"large":   bytes.Repeat(flows, 5000),
		"random":  random,
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			z := gzipBytes(in)
			zr, err := stdgzip.NewReader(bytes.NewReader(z))
			if err != nil {
				t.Fatal(err)
			}
			out, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out, in) {
				t.Fatalf("gunzip gave %d bytes, want %d", len(out), len(in))
			}
			if len(in) > 1000 && name != "random" && len(z) > len(in)/4 {
				t.Fatalf("compressed %d bytes to %d: not compressing", len(in), len(z))
			}
		})
	}
}
