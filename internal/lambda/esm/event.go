package esm

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// The Kinesis → Lambda event (spec §3.1, AWS-recorded field set and order).
type kinesisEventRecord struct {
	Kinesis           kinesisData `json:"kinesis"`
	EventSource       string      `json:"eventSource"`
	EventVersion      string      `json:"eventVersion"`
	EventID           string      `json:"eventID"`
	EventName         string      `json:"eventName"`
	InvokeIdentityArn string      `json:"invokeIdentityArn"`
	AwsRegion         string      `json:"awsRegion"`
	EventSourceARN    string      `json:"eventSourceARN"`
}

type kinesisData struct {
	KinesisSchemaVersion        string      `json:"kinesisSchemaVersion"`
	PartitionKey                string      `json:"partitionKey"`
	SequenceNumber              string      `json:"sequenceNumber"`
	Data                        string      `json:"data"`
	ApproximateArrivalTimestamp json.Number `json:"approximateArrivalTimestamp"`
}

// epochSeconds is Unix seconds as a JSON number with the milliseconds as a
// fraction (1764000000.123), as Kinesis and the event give them.
func epochSeconds(t time.Time) json.Number {
	ms := t.UnixMilli()
	return json.Number(strconv.FormatFloat(float64(ms)/1000, 'f', -1, 64))
}

// encodeRecord renders one element of the event's Records array.
func encodeRecord(mp *Mapping, shardID string, r *Record) ([]byte, error) {
	return json.Marshal(kinesisEventRecord{
		Kinesis: kinesisData{KinesisSchemaVersion: "1.0", PartitionKey: r.PartitionKey, SequenceNumber: r.SequenceNumber,
			Data: base64.StdEncoding.EncodeToString(r.Data), ApproximateArrivalTimestamp: epochSeconds(r.ArrivalTime)},
		EventSource: "aws:kinesis", EventVersion: "1.0", EventID: shardID + ":" + r.SequenceNumber,
		EventName: "aws:kinesis:record", InvokeIdentityArn: mp.RoleARN, AwsRegion: mp.Region, EventSourceARN: mp.EventSourceARN,
	})
}

// eventOverhead is the event's bytes around the records: {"Records":[ ]}.
const eventOverhead = len(`{"Records":[]}`)

// buildEvent joins encoded records into the event payload.
func buildEvent(recs []pendingRecord) []byte {
	n := eventOverhead
	for i := range recs {
		n += len(recs[i].enc) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, `{"Records":[`...)
	for i := range recs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, recs[i].enc...)
	}
	return append(b, "]}"...)
}

// batchItemFailures reads a ReportBatchItemFailures response (LDG
// services-kinesis-batchfailurereporting): ok with no failures is a full
// success (empty or null list, {}, null, or a result that is no such
// object); whole is true when an entry has an empty, null or missing
// itemIdentifier (the whole batch failed); otherwise failed lists the
// reported sequence numbers.
func batchItemFailures(result []byte) (failed []string, whole bool) {
	var resp struct {
		BatchItemFailures []map[string]any `json:"batchItemFailures"`
	}
	if len(result) == 0 || json.Unmarshal(result, &resp) != nil {
		return nil, false
	}
	for _, f := range resp.BatchItemFailures {
		id, ok := f["itemIdentifier"].(string)
		if !ok || id == "" {
			return nil, true
		}
		failed = append(failed, id)
	}
	return failed, false
}

// The OnFailure record AWS sends for a discarded batch (spec §1.7 point 4).
type failureRecord struct {
	RequestContext struct {
		RequestID              string `json:"requestId"`
		FunctionArn            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	ResponseContext struct {
		StatusCode      int     `json:"statusCode"`
		ExecutedVersion string  `json:"executedVersion"`
		FunctionError   *string `json:"functionError"`
	} `json:"responseContext"`
	Version          string `json:"version"`
	Timestamp        string `json:"timestamp"`
	KinesisBatchInfo struct {
		ShardID                         string `json:"shardId"`
		StartSequenceNumber             string `json:"startSequenceNumber"`
		EndSequenceNumber               string `json:"endSequenceNumber"`
		ApproximateArrivalOfFirstRecord string `json:"approximateArrivalOfFirstRecord"`
		ApproximateArrivalOfLastRecord  string `json:"approximateArrivalOfLastRecord"`
		BatchSize                       int    `json:"batchSize"`
		StreamArn                       string `json:"streamArn"`
	} `json:"KinesisBatchInfo"`
}

// Discard conditions.
const (
	condRetries = "RetryAttemptsExhausted"
	condAge     = "RecordAgeExceeded"
)

const isoMillis = "2006-01-02T15:04:05.000Z"

func encodeFailure(mp *Mapping, shardID string, batch []pendingRecord, condition string, invokes int, functionError string, now time.Time) string {
	var f failureRecord
	f.RequestContext.RequestID = newUUID()
	f.RequestContext.FunctionArn = mp.FunctionARN
	f.RequestContext.Condition = condition
	f.RequestContext.ApproximateInvokeCount = invokes
	f.ResponseContext.StatusCode = 200
	f.ResponseContext.ExecutedVersion = "$LATEST"
	if functionError != "" {
		f.ResponseContext.FunctionError = &functionError
	}
	f.Version = "1.0"
	f.Timestamp = now.UTC().Format(isoMillis)
	bi := &f.KinesisBatchInfo
	bi.ShardID = shardID
	bi.StartSequenceNumber = batch[0].rec.SequenceNumber
	bi.EndSequenceNumber = batch[len(batch)-1].rec.SequenceNumber
	bi.ApproximateArrivalOfFirstRecord = batch[0].rec.ArrivalTime.UTC().Format(isoMillis)
	bi.ApproximateArrivalOfLastRecord = batch[len(batch)-1].rec.ArrivalTime.UTC().Format(isoMillis)
	bi.BatchSize = len(batch)
	bi.StreamArn = mp.EventSourceARN
	b, err := json.Marshal(&f)
	if err != nil {
		return fmt.Sprintf(`{"error":%q}`, err.Error())
	}
	return string(b)
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
