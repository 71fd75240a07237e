package bench

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// partitionKeyLen is the length of the random partition keys: short, so a 10,000-record GetRecords
// answer of 1 KiB records stays under the 10 MiB response cap.
const partitionKeyLen = 16

// recordBatch is one producer's PutRecords request, built and hashed once and sent for the whole
// run. Every record's data starts with a stamp naming it (prefix/producer/index), padded to
// stampLen; the rest is the shared random payload. So any record read back can be checked byte for
// byte against the batch that wrote it.
type recordBatch struct {
	prefix   string
	producer int
	size     int
	keys     []string
	body     kinesisBody
}

type putRecordsEntry struct {
	Data         []byte `json:"Data"`
	PartitionKey string `json:"PartitionKey"`
}

type putRecordsInput struct {
	StreamName string            `json:"StreamName"`
	Records    []putRecordsEntry `json:"Records"`
}

// recordStamp names record i of a producer's batch.
func recordStamp(prefix string, producer, i int) string {
	return fmt.Sprintf("%s/p%02d/r%04d", prefix, producer, i)
}

// parseRecordStamp reverses recordStamp on the head of a record's data.
func parseRecordStamp(data []byte) (prefix string, producer, i int, ok bool) {
	head := strings.TrimRight(string(data[:min(stampLen, len(data))]), " ")
	parts := strings.Split(head, "/")
	if len(parts) < 3 {
		return "", 0, 0, false
	}
	p, r := parts[len(parts)-2], parts[len(parts)-1]
	if !strings.HasPrefix(p, "p") || !strings.HasPrefix(r, "r") {
		return "", 0, 0, false
	}
	producer, err1 := strconv.Atoi(p[1:])
	i, err2 := strconv.Atoi(r[1:])
	if err1 != nil || err2 != nil {
		return "", 0, 0, false
	}
	return strings.Join(parts[:len(parts)-2], "/"), producer, i, true
}

// newRecordBatch builds producer's batch of n records of size bytes for stream. Partition keys are
// random (seeded by prefix and producer, so runs are repeatable) hex strings.
func newRecordBatch(pl payload, stream, prefix string, producer, n, size int) (recordBatch, error) {
	var seed uint64
	for _, c := range []byte(prefix) {
		seed = seed*131 + uint64(c)
	}
	rng := rand.New(rand.NewPCG(seed, uint64(producer)+1))
	b := recordBatch{prefix: prefix, producer: producer, size: size, keys: make([]string, n)}
	in := putRecordsInput{StreamName: stream, Records: make([]putRecordsEntry, n)}
	const hexDigits = "0123456789abcdef"
	for i := range n {
		key := make([]byte, partitionKeyLen)
		for j := range key {
			key[j] = hexDigits[rng.IntN(16)]
		}
		b.keys[i] = string(key)
		in.Records[i] = putRecordsEntry{Data: b.data(pl, i), PartitionKey: b.keys[i]}
	}
	body, err := jsonBody(in)
	if err != nil {
		return recordBatch{}, err
	}
	b.body = body
	return b, nil
}

// data is record i's bytes.
func (b recordBatch) data(pl payload, i int) []byte {
	return pl.body(recordStamp(b.prefix, b.producer, i), b.size)
}

// putRecordsOutput is the PutRecords answer, decoded completely when checked.
type putRecordsOutput struct {
	FailedRecordCount *int64 `json:"FailedRecordCount"`
	Records           []struct {
		SequenceNumber string `json:"SequenceNumber"`
		ShardId        string `json:"ShardId"`
		ErrorCode      string `json:"ErrorCode"`
		ErrorMessage   string `json:"ErrorMessage"`
	} `json:"Records"`
}

// checkPutRecordsCounts is the cheap check of every measured PutRecords answer: no failed record and
// one sequence number per record sent. A failure is an error (throttling is a legitimate answer);
// a wrong count is wrong data.
func checkPutRecordsCounts(label string, doc []byte, sent int) error {
	failed, ok, err := memberInt(doc, "FailedRecordCount")
	if err != nil || !ok {
		return &DataError{Target: label, Key: "PutRecords", Detail: fmt.Sprintf("answer without a FailedRecordCount: %s", truncateBytes(doc, 200))}
	}
	if failed > 0 {
		code, _, _ := memberString(doc, "ErrorCode")
		msg, _, _ := memberString(doc, "ErrorMessage")
		return fmt.Errorf("PutRecords: %d of %d records failed, first: %s: %s", failed, sent, code, msg)
	}
	if n := countMember(doc, "SequenceNumber"); n != sent {
		return &DataError{Target: label, Key: "PutRecords", Detail: fmt.Sprintf("answer has %d sequence numbers for %d records and FailedRecordCount 0", n, sent)}
	}
	return nil
}

// checkPutRecords decodes a PutRecords answer completely and returns each record's shard.
func checkPutRecords(label string, doc []byte, sent int) ([]string, error) {
	var out putRecordsOutput
	if err := json.Unmarshal(doc, &out); err != nil {
		return nil, &DataError{Target: label, Key: "PutRecords", Detail: fmt.Sprintf("answer is not JSON: %v", err)}
	}
	if out.FailedRecordCount == nil {
		return nil, &DataError{Target: label, Key: "PutRecords", Detail: "answer without a FailedRecordCount"}
	}
	if len(out.Records) != sent {
		return nil, &DataError{Target: label, Key: "PutRecords", Detail: fmt.Sprintf("answer has %d entries for %d records", len(out.Records), sent)}
	}
	failed := 0
	shards := make([]string, sent)
	var firstErr string
	for i, r := range out.Records {
		switch {
		case r.ErrorCode != "":
			failed++
			if firstErr == "" {
				firstErr = r.ErrorCode + ": " + r.ErrorMessage
			}
		case r.SequenceNumber == "" || r.ShardId == "":
			return nil, &DataError{Target: label, Key: "PutRecords", Detail: fmt.Sprintf("entry %d has neither an error nor a sequence number and shard", i)}
		}
		shards[i] = r.ShardId
	}
	if int64(failed) != *out.FailedRecordCount {
		return nil, &DataError{Target: label, Key: "PutRecords", Detail: fmt.Sprintf("FailedRecordCount %d, but %d entries carry an ErrorCode", *out.FailedRecordCount, failed)}
	}
	if failed > 0 {
		return nil, fmt.Errorf("PutRecords: %d of %d records failed, first: %s", failed, sent, firstErr)
	}
	return shards, nil
}

// getRecordsOutput is the GetRecords answer, decoded completely by the verification pass.
type getRecordsOutput struct {
	Records []struct {
		Data           []byte `json:"Data"`
		PartitionKey   string `json:"PartitionKey"`
		SequenceNumber string `json:"SequenceNumber"`
	} `json:"Records"`
	NextShardIterator  *string `json:"NextShardIterator"`
	MillisBehindLatest *int64  `json:"MillisBehindLatest"`
}

// recordChecker knows every batch that wrote a stream, so it can check a record read back.
type recordChecker struct {
	label   string
	payload payload
	batches map[string]recordBatch // recordStamp(prefix, producer, 0) prefix → batch
}

func newRecordChecker(label string, pl payload, batches []recordBatch) *recordChecker {
	c := &recordChecker{label: label, payload: pl, batches: map[string]recordBatch{}}
	for _, b := range batches {
		c.batches[fmt.Sprintf("%s/%d", b.prefix, b.producer)] = b
	}
	return c
}

// check compares a record read back with the record its stamp names.
func (c *recordChecker) check(shard string, data []byte, key string) error {
	prefix, producer, i, ok := parseRecordStamp(data)
	if !ok {
		return &DataError{Target: c.label, Key: shard, Detail: fmt.Sprintf("record data does not start with a stamp: %q", truncateBytes(data, stampLen))}
	}
	b, ok := c.batches[fmt.Sprintf("%s/%d", prefix, producer)]
	if !ok || i >= len(b.keys) {
		return &DataError{Target: c.label, Key: shard, Detail: fmt.Sprintf("record %s/p%02d/r%04d was never written", prefix, producer, i)}
	}
	name := recordStamp(prefix, producer, i)
	if key != b.keys[i] {
		return &DataError{Target: c.label, Key: name, Detail: fmt.Sprintf("partition key %q, want %q", key, b.keys[i])}
	}
	if err := c.payload.verify(name, b.size, data); err != nil {
		return &DataError{Target: c.label, Key: name, Detail: err.Error()}
	}
	return nil
}

// compareSequenceNumbers orders two decimal sequence numbers as the big integers they are.
func compareSequenceNumbers(a, b string) int {
	a, b = strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
	if len(a) != len(b) {
		if len(a) < len(b) {
			return -1
		}
		return 1
	}
	return strings.Compare(a, b)
}

// isDecimal reports a sequence number's syntax: decimal digits only.
func isDecimal(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// latencyStamp names record i of a latency session.
func latencyStamp(tag string, i int) string { return fmt.Sprintf("lat/%s/%06d", tag, i) }

// parseLatencyStamp returns the index of a latency record of session tag; ok=false for any other
// record (an earlier session's).
func parseLatencyStamp(data []byte, tag string) (int, bool) {
	head := strings.TrimRight(string(data[:min(stampLen, len(data))]), " ")
	rest, ok := strings.CutPrefix(head, "lat/"+tag+"/")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(rest)
	if err != nil || i < 0 {
		return 0, false
	}
	return i, true
}

// latencyRecordBody is a PutRecord request for latency record i.
func latencyRecordBody(pl payload, stream, tag string, i, size int) (kinesisBody, []byte, error) {
	data := pl.body(latencyStamp(tag, i), size)
	body, err := jsonBody(struct {
		StreamName   string `json:"StreamName"`
		Data         []byte `json:"Data"`
		PartitionKey string `json:"PartitionKey"`
	}{stream, data, "latency"})
	return body, data, err
}
