package logs

import (
	"encoding/json"
	"fmt"
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
