package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// fakeKinesis is just enough of Kinesis (JSON 1.1, one account) for the benchmark's workloads, with
// optional lies, so that the whole pipeline and its checks are tested without a real server.
type fakeKinesis struct {
	mu      sync.Mutex
	streams map[string]*fakeStream
	changed chan struct{} // closed and replaced at every write
	efo     bool          // implement enhanced fan-out
	lie     string        // "", "drop" (GetRecords skips a record), "flip" (alters a byte), "short" (PutRecords answers one entry less)
}

type fakeStream struct {
	arn    string
	shards [][]fakeRecord
}

type fakeRecord struct {
	Data           []byte `json:"Data"`
	PartitionKey   string `json:"PartitionKey"`
	SequenceNumber string `json:"SequenceNumber"`
}

func newFakeKinesis(efo bool, lie string) *fakeKinesis {
	return &fakeKinesis{streams: map[string]*fakeStream{}, changed: make(chan struct{}), efo: efo, lie: lie}
}

func (f *fakeKinesis) fail(w http.ResponseWriter, code string) {
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, `{"__type":%q,"message":"fake says %s"}`, code, code)
}

func (f *fakeKinesis) reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", kinesisContentType)
	_ = json.NewEncoder(w).Encode(v)
}

// put appends a record to its shard (by the key's first byte); the caller holds mu.
func (f *fakeKinesis) put(s *fakeStream, data []byte, key string) (int, string) {
	shard := int(key[0]) % len(s.shards)
	seq := strconv.Itoa(len(s.shards[shard]) + 1)
	s.shards[shard] = append(s.shards[shard], fakeRecord{Data: data, PartitionKey: key, SequenceNumber: seq})
	close(f.changed)
	f.changed = make(chan struct{})
	return shard, seq
}

func shardName(i int) string { return fmt.Sprintf("shardId-%012d", i) }

func (f *fakeKinesis) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op := strings.TrimPrefix(r.Header.Get("X-Amz-Target"), kinesisTargetPrefix)
	var in struct {
		StreamName, StreamARN, ShardId, ShardIteratorType, ShardIterator, PartitionKey, ConsumerARN string
		ShardCount, Limit                                                                           int
		Data                                                                                        []byte
		Records                                                                                     []putRecordsEntry
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		f.fail(w, "SerializationException")
		return
	}
	if op == "SubscribeToShard" {
		f.subscribe(w, r, in.ConsumerARN, in.ShardId)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	s := f.streams[in.StreamName]
	switch op {
	case "CreateStream":
		s = &fakeStream{arn: "arn:aws:kinesis:us-east-1:000000000000:stream/" + in.StreamName, shards: make([][]fakeRecord, in.ShardCount)}
		f.streams[in.StreamName] = s
		f.reply(w, struct{}{})
	case "DescribeStream":
		var shards []map[string]string
		for i := range s.shards {
			shards = append(shards, map[string]string{"ShardId": shardName(i)})
		}
		f.reply(w, map[string]any{"StreamDescription": map[string]any{"StreamName": in.StreamName, "StreamARN": s.arn, "StreamStatus": "ACTIVE", "Shards": shards}})
	case "PutRecords":
		var entries []map[string]string
		for _, rec := range in.Records {
			shard, seq := f.put(s, rec.Data, rec.PartitionKey)
			entries = append(entries, map[string]string{"ShardId": shardName(shard), "SequenceNumber": seq})
		}
		if f.lie == "short" {
			entries = entries[1:]
		}
		f.reply(w, map[string]any{"FailedRecordCount": 0, "Records": entries})
	case "PutRecord":
		shard, seq := f.put(s, in.Data, in.PartitionKey)
		f.reply(w, map[string]string{"ShardId": shardName(shard), "SequenceNumber": seq})
	case "GetShardIterator":
		var shard int
		fmt.Sscanf(in.ShardId, "shardId-%d", &shard)
		pos := 0
		if in.ShardIteratorType == "LATEST" {
			pos = len(s.shards[shard])
		}
		f.reply(w, map[string]string{"ShardIterator": fmt.Sprintf("%s|%d|%d", in.StreamName, shard, pos)})
	case "GetRecords":
		parts := strings.Split(in.ShardIterator, "|")
		shard, _ := strconv.Atoi(parts[1])
		pos, _ := strconv.Atoi(parts[2])
		all := f.streams[parts[0]].shards[shard]
		end := min(len(all), pos+in.Limit)
		out := append([]fakeRecord(nil), all[pos:end]...)
		if len(out) > 1 {
			switch f.lie {
			case "drop":
				out = out[1:]
			case "flip":
				out[0].Data = append([]byte(nil), out[0].Data...)
				out[0].Data[len(out[0].Data)-1] ^= 1
			}
		}
		behind := 0
		if end < len(all) {
			behind = 1000
		}
		f.reply(w, map[string]any{"Records": out, "NextShardIterator": fmt.Sprintf("%s|%d|%d", parts[0], shard, end), "MillisBehindLatest": behind})
	case "RegisterStreamConsumer":
		if !f.efo {
			f.fail(w, "UnknownOperationException")
			return
		}
		name := strings.TrimPrefix(in.StreamARN, "arn:aws:kinesis:us-east-1:000000000000:stream/")
		f.reply(w, map[string]any{"Consumer": map[string]string{"ConsumerARN": in.StreamARN + "/consumer/c:1|" + name, "ConsumerStatus": "CREATING"}})
	case "DescribeStreamConsumer":
		f.reply(w, map[string]any{"ConsumerDescription": map[string]string{"ConsumerStatus": "ACTIVE"}})
	case "DeregisterStreamConsumer", "DeleteStream":
		f.reply(w, struct{}{})
	default:
		f.fail(w, "UnknownOperationException")
	}
}

// subscribe streams the records of the consumer's stream (its ARN is the consumer ARN's head), from
// LATEST, as SubscribeToShardEvent messages.
func (f *fakeKinesis) subscribe(w http.ResponseWriter, r *http.Request, consumerARN, shardID string) {
	if !f.efo {
		f.mu.Lock()
		f.fail(w, "UnknownOperationException")
		f.mu.Unlock()
		return
	}
	var shard int
	fmt.Sscanf(shardID, "shardId-%d", &shard)
	f.mu.Lock()
	var s *fakeStream
	streamARN, _, _ := strings.Cut(consumerARN, "/consumer/")
	for _, st := range f.streams {
		if st.arn == streamARN {
			s = st
		}
	}
	if s == nil || shard < 0 || shard >= len(s.shards) {
		f.fail(w, "ResourceNotFoundException")
		f.mu.Unlock()
		return
	}
	pos := len(s.shards[shard])
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
	enc := eventstream.NewEncoder()
	send := func(eventType string, payload []byte) error {
		msg := eventstream.Message{Payload: payload}
		msg.Headers.Set(":message-type", eventstream.StringValue("event"))
		msg.Headers.Set(":event-type", eventstream.StringValue(eventType))
		if err := enc.Encode(w, msg); err != nil {
			return err
		}
		w.(http.Flusher).Flush()
		return nil
	}
	if send("initial-response", []byte("{}")) != nil {
		return
	}
	for {
		f.mu.Lock()
		recs := append([]fakeRecord(nil), s.shards[shard][pos:]...)
		pos += len(recs)
		changed := f.changed
		f.mu.Unlock()
		if len(recs) > 0 {
			payload, _ := json.Marshal(map[string]any{"Records": recs, "ContinuationSequenceNumber": recs[len(recs)-1].SequenceNumber, "MillisBehindLatest": 0})
			if send("SubscribeToShardEvent", payload) != nil {
				return
			}
		}
		select {
		case <-changed:
		case <-r.Context().Done():
			return
		}
	}
}

func runFakeKinesis(t *testing.T, fake *fakeKinesis, label string, args ...string) (string, error) {
	t.Helper()
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	base := []string{"--endpoint", srv.URL, "--endpoint-label", label, "--runs", "1", "--duration", "300ms", "--warmup", "100ms",
		"--drain-records", "3000", "--batch", "100", "--producers", "3", "--latency-rate", "200", "--quiet"}
	cfg, err := ParseKinesisFlags(append(base, args...), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = RunKinesis(ctx, cfg, &out, io.Discard)
	return out.String(), err
}

// TestRunKinesisAgainstFake: every workload runs through the real client, checks and report against
// an honest fake; enhanced fan-out shows n/a where the server lacks it.
func TestRunKinesisAgainstFake(t *testing.T) {
	out, err := runFakeKinesis(t, newFakeKinesis(true, ""), LabelTributary)
	if err != nil {
		t.Fatalf("RunKinesis: %v\n%s", err, out)
	}
	for _, want := range []string{"PutRecords 100 × 1 KiB, 4 shards, 3 producers", "GetRecords drain", "put-to-visible, SubscribeToShard", "Targets (issue 4)"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "n/a") {
		t.Errorf("a fake with enhanced fan-out shows n/a:\n%s", out)
	}
	out, err = runFakeKinesis(t, newFakeKinesis(false, ""), LabelKinesalite, "--workloads", "latency-efo")
	if err != nil || !strings.Contains(out, "n/a: RegisterStreamConsumer: HTTP 400 UnknownOperationException") {
		t.Errorf("without enhanced fan-out: err %v, report:\n%s", err, out)
	}
}

// TestRunKinesisCatchesWrongAnswers: a lost record, an altered byte or a short PutRecords answer
// aborts the run with a DataError instead of producing numbers.
func TestRunKinesisCatchesWrongAnswers(t *testing.T) {
	tests := []struct {
		lie, workloads, want string
	}{
		{"drop", "drain", "returned no records"},
		{"flip", "drain", "differs from offset"},
		{"short", "put-128", "for 100 records"},
	}
	for _, tc := range tests {
		t.Run(tc.lie, func(t *testing.T) {
			out, err := runFakeKinesis(t, newFakeKinesis(false, tc.lie), "liar", "--workloads", tc.workloads)
			var de *DataError
			if !errors.As(err, &de) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want a DataError about %q; report:\n%s", err, tc.want, out)
			}
		})
	}
}
