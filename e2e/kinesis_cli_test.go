package e2e

import (
	"encoding/base64"
	"encoding/json"
	"math/big"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// The aws CLI against Kinesis: every operation a user types, in three parallel
// tests (each CLI call costs most of a second of Python start-up).

// uniqueStream returns a fresh stream name starting with prefix.
func uniqueStream(prefix string) string { return uniqueBucket(prefix) }

// kinesisWaitActive polls describe-stream-summary until the stream is ACTIVE
// (the CLI's own waiter polls every 10 s; resharding tests need less).
func (s *server) kinesisWaitActive(t *testing.T, name string) map[string]any {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		sum := asMap(s.awsJSON(t, "kinesis", "describe-stream-summary", "--stream-name", name)["StreamDescriptionSummary"])
		status := str(sum, "StreamStatus")
		if status == "ACTIVE" {
			return sum
		}
		if status != "CREATING" && status != "UPDATING" {
			t.Fatalf("stream %s is %s, want CREATING/UPDATING on the way to ACTIVE", name, status)
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream %s still %s after 30 s", name, status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// shardIDs lists the ShardId of each shard.
func shardIDs(shards []map[string]any) []string {
	var ids []string
	for _, sh := range shards {
		ids = append(ids, str(sh, "ShardId"))
	}
	return ids
}

func isOpenShard(sh map[string]any) bool {
	_, closed := asMap(sh["SequenceNumberRange"])["EndingSequenceNumber"]
	return !closed
}

// hashRange is a shard's [start, end] as integers.
func hashRange(t *testing.T, sh map[string]any) (*big.Int, *big.Int) {
	t.Helper()
	r := asMap(sh["HashKeyRange"])
	lo, ok1 := new(big.Int).SetString(str(r, "StartingHashKey"), 10)
	hi, ok2 := new(big.Int).SetString(str(r, "EndingHashKey"), 10)
	if !ok1 || !ok2 {
		t.Fatalf("shard %s has no decimal hash range: %v", str(sh, "ShardId"), r)
	}
	return lo, hi
}

// TestKinesisCLIStreamsAndRecords: create-stream, wait stream-exists,
// describe-stream(-summary), list-streams, list-shards, put-record(s),
// get-shard-iterator + get-records, retention, delete-stream.
func TestKinesisCLIStreamsAndRecords(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	name := uniqueStream("cli-kds")

	s.aws(t, "kinesis", "create-stream", "--stream-name", name, "--shard-count", "2")
	s.aws(t, "kinesis", "wait", "stream-exists", "--stream-name", name)
	sum := asMap(s.awsJSON(t, "kinesis", "describe-stream-summary", "--stream-name", name)["StreamDescriptionSummary"])
	if str(sum, "StreamStatus") != "ACTIVE" || num(sum, "OpenShardCount") != 2 || num(sum, "RetentionPeriodHours") != 24 ||
		!strings.HasSuffix(str(sum, "StreamARN"), ":stream/"+name) {
		t.Errorf("describe-stream-summary after wait stream-exists: %v", sum)
	}
	desc := asMap(s.awsJSON(t, "kinesis", "describe-stream", "--stream-name", name)["StreamDescription"])
	if got := shardIDs(asList(desc["Shards"])); !reflect.DeepEqual(got, []string{"shardId-000000000000", "shardId-000000000001"}) {
		t.Errorf("describe-stream shards = %v", got)
	}
	listed := s.awsJSON(t, "kinesis", "list-streams")
	found := false
	for _, n := range listed["StreamNames"].([]any) {
		found = found || n == name
	}
	if !found {
		t.Errorf("list-streams misses %s: %v", name, listed["StreamNames"])
	}
	shards := s.awsJSON(t, "kinesis", "list-shards", "--stream-name", name)
	if len(asList(shards["Shards"])) != 2 {
		t.Errorf("list-shards: %v", shards)
	}

	// The CLI (v1) sends blob arguments as given, base64-encoding them on the wire.
	put := s.awsJSON(t, "kinesis", "put-record", "--stream-name", name, "--partition-key", "k1", "--data", "hello kinesis")
	shard, seq := str(put, "ShardId"), str(put, "SequenceNumber")
	if !strings.HasPrefix(shard, "shardId-") || len(seq) != 56 {
		t.Errorf("put-record: %v (want a shard id and a 56-digit sequence number)", put)
	}
	records := `[{"Data":"first","PartitionKey":"k1"},{"Data":"second","PartitionKey":"k1"},{"Data":"other","PartitionKey":"k2"}]`
	puts := s.awsJSON(t, "kinesis", "put-records", "--stream-name", name, "--records", records)
	if num(puts, "FailedRecordCount") != 0 || len(asList(puts["Records"])) != 3 {
		t.Errorf("put-records: %v", puts)
	}
	for _, e := range asList(puts["Records"])[:2] {
		if str(e, "ShardId") != shard {
			t.Errorf("put-records entry %v: records of key k1 must go to %s", e, shard)
		}
	}

	it := s.awsJSON(t, "kinesis", "get-shard-iterator", "--stream-name", name, "--shard-id", shard, "--shard-iterator-type", "TRIM_HORIZON")
	got := s.awsJSON(t, "kinesis", "get-records", "--shard-iterator", str(it, "ShardIterator"))
	var data []string
	for _, r := range asList(got["Records"]) {
		if r["PartitionKey"] != "k1" && r["PartitionKey"] != "k2" {
			t.Errorf("record with partition key %v", r["PartitionKey"])
		}
		b, err := base64.StdEncoding.DecodeString(str(r, "Data"))
		if err != nil {
			t.Errorf("get-records Data %q is not base64: %v", str(r, "Data"), err)
		}
		if r["PartitionKey"] == "k1" {
			data = append(data, string(b))
		}
	}
	if !reflect.DeepEqual(data, []string{"hello kinesis", "first", "second"}) {
		t.Errorf("get-records from TRIM_HORIZON on %s: k1 records %q", shard, data)
	}
	if str(got, "NextShardIterator") == "" {
		t.Errorf("get-records without NextShardIterator on an open shard: %v", got)
	}
	atSeq := s.awsJSON(t, "kinesis", "get-shard-iterator", "--stream-name", name, "--shard-id", shard,
		"--shard-iterator-type", "AFTER_SEQUENCE_NUMBER", "--starting-sequence-number", seq)
	after := s.awsJSON(t, "kinesis", "get-records", "--shard-iterator", str(atSeq, "ShardIterator"))
	if n := len(asList(after["Records"])); n != len(asList(got["Records"]))-1 {
		t.Errorf("AFTER_SEQUENCE_NUMBER of the first record returned %d records, want %d", n, len(asList(got["Records"]))-1)
	}

	s.aws(t, "kinesis", "increase-stream-retention-period", "--stream-name", name, "--retention-period-hours", "72")
	if sum := s.kinesisWaitActive(t, name); num(sum, "RetentionPeriodHours") != 72 {
		t.Errorf("retention after increase: %v", sum["RetentionPeriodHours"])
	}
	s.awsFail(t, "InvalidArgumentException", "kinesis", "decrease-stream-retention-period", "--stream-name", name, "--retention-period-hours", "100")
	s.aws(t, "kinesis", "decrease-stream-retention-period", "--stream-name", name, "--retention-period-hours", "24")
	if sum := s.kinesisWaitActive(t, name); num(sum, "RetentionPeriodHours") != 24 {
		t.Errorf("retention after decrease: %v", sum["RetentionPeriodHours"])
	}

	s.aws(t, "kinesis", "delete-stream", "--stream-name", name)
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := s.awsCLI(t, nil, "kinesis", "describe-stream-summary", "--stream-name", name)
		if r.err != nil {
			if m := cliErrorRe.FindStringSubmatch(r.stderr); m == nil || m[1] != "ResourceNotFoundException" {
				t.Fatalf("describe-stream-summary after delete-stream: %s", r.stderr)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stream still there 30 s after delete-stream: %s", r.stdout)
		}
		time.Sleep(200 * time.Millisecond)
	}
	s.awsFail(t, "ResourceNotFoundException", "kinesis", "put-record", "--stream-name", name, "--partition-key", "k", "--data", "x")
}

// TestKinesisCLIResharding: split-shard, merge-shards, update-shard-count and
// list-shards --shard-filter.
func TestKinesisCLIResharding(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	name := uniqueStream("cli-reshard")
	s.aws(t, "kinesis", "create-stream", "--stream-name", name, "--shard-count", "2")
	s.kinesisWaitActive(t, name)

	first := asList(s.awsJSON(t, "kinesis", "list-shards", "--stream-name", name)["Shards"])[0]
	lo, hi := hashRange(t, first)
	mid := new(big.Int).Add(lo, hi)
	mid.Rsh(mid, 1)
	s.aws(t, "kinesis", "split-shard", "--stream-name", name, "--shard-to-split", "shardId-000000000000", "--new-starting-hash-key", mid.String())
	s.kinesisWaitActive(t, name)
	shards := asList(s.awsJSON(t, "kinesis", "list-shards", "--stream-name", name)["Shards"])
	if got := shardIDs(shards); len(got) != 4 {
		t.Fatalf("after split-shard: shards %v", got)
	}
	for _, sh := range shards[2:] {
		if str(sh, "ParentShardId") != "shardId-000000000000" || !isOpenShard(sh) {
			t.Errorf("child of the split: %v", sh)
		}
	}
	if isOpenShard(shards[0]) {
		t.Errorf("split parent still open: %v", shards[0])
	}

	s.aws(t, "kinesis", "merge-shards", "--stream-name", name, "--shard-to-merge", "shardId-000000000002", "--adjacent-shard-to-merge", "shardId-000000000003")
	s.kinesisWaitActive(t, name)
	open := asList(s.awsJSON(t, "kinesis", "list-shards", "--stream-name", name, "--shard-filter", "Type=AT_LATEST")["Shards"])
	if got := shardIDs(open); !reflect.DeepEqual(got, []string{"shardId-000000000001", "shardId-000000000004"}) {
		t.Errorf("open shards after merge-shards: %v", got)
	}
	if mlo, mhi := hashRange(t, open[1]); mlo.Cmp(lo) != 0 || mhi.Cmp(hi) != 0 {
		t.Errorf("merged shard range [%s, %s], want the parent's [%s, %s]", mlo, mhi, lo, hi)
	}

	out := s.awsJSON(t, "kinesis", "update-shard-count", "--stream-name", name, "--target-shard-count", "4", "--scaling-type", "UNIFORM_SCALING")
	if num(out, "CurrentShardCount") != 2 || num(out, "TargetShardCount") != 4 {
		t.Errorf("update-shard-count: %v", out)
	}
	sum := s.kinesisWaitActive(t, name)
	if num(sum, "OpenShardCount") != 4 {
		t.Errorf("OpenShardCount after update-shard-count 4: %v", sum["OpenShardCount"])
	}
	open = asList(s.awsJSON(t, "kinesis", "list-shards", "--stream-name", name, "--shard-filter", "Type=AT_LATEST")["Shards"])
	sort.Slice(open, func(i, j int) bool {
		a, _ := hashRange(t, open[i])
		b, _ := hashRange(t, open[j])
		return a.Cmp(b) < 0
	})
	step := new(big.Int).Lsh(big.NewInt(1), 126) // 2^128 / 4
	for i, sh := range open {
		slo, _ := hashRange(t, sh)
		if want := new(big.Int).Mul(step, big.NewInt(int64(i))); slo.Cmp(want) != 0 {
			t.Errorf("open shard %d starts at %s, want %s (even ranges)", i, slo, want)
		}
	}
	s.awsFail(t, "InvalidArgumentException", "kinesis", "merge-shards", "--stream-name", name,
		"--shard-to-merge", str(open[0], "ShardId"), "--adjacent-shard-to-merge", str(open[2], "ShardId"))
	s.aws(t, "kinesis", "delete-stream", "--stream-name", name)
}

// TestKinesisCLIConsumersTagsSettings: tags, describe-limits, enhanced
// monitoring, stream encryption, stream consumers, delete with
// --enforce-consumer-deletion.
func TestKinesisCLIConsumersTagsSettings(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	name := uniqueStream("cli-kds-set")
	s.aws(t, "kinesis", "create-stream", "--stream-name", name, "--shard-count", "1")
	sum := s.kinesisWaitActive(t, name)
	arn := str(sum, "StreamARN")

	s.aws(t, "kinesis", "add-tags-to-stream", "--stream-name", name, "--tags", "team=data,env=test")
	s.aws(t, "kinesis", "remove-tags-from-stream", "--stream-name", name, "--tag-keys", "env")
	tags := map[string]string{}
	for _, tag := range asList(s.awsJSON(t, "kinesis", "list-tags-for-stream", "--stream-name", name)["Tags"]) {
		tags[str(tag, "Key")] = str(tag, "Value")
	}
	if !reflect.DeepEqual(tags, map[string]string{"team": "data"}) {
		t.Errorf("list-tags-for-stream: %v", tags)
	}

	limits := s.awsJSON(t, "kinesis", "describe-limits")
	if num(limits, "ShardLimit") < 1 || num(limits, "OpenShardCount") < 1 {
		t.Errorf("describe-limits: %v", limits)
	}

	mon := s.awsJSON(t, "kinesis", "enable-enhanced-monitoring", "--stream-name", name, "--shard-level-metrics", "IncomingBytes", "IncomingRecords")
	if got := mon["DesiredShardLevelMetrics"]; !reflect.DeepEqual(sortedStrings(got), []string{"IncomingBytes", "IncomingRecords"}) {
		t.Errorf("enable-enhanced-monitoring: %v", mon)
	}
	mon = s.awsJSON(t, "kinesis", "disable-enhanced-monitoring", "--stream-name", name, "--shard-level-metrics", "IncomingBytes")
	if got := mon["DesiredShardLevelMetrics"]; !reflect.DeepEqual(sortedStrings(got), []string{"IncomingRecords"}) {
		t.Errorf("disable-enhanced-monitoring: %v", mon)
	}

	s.aws(t, "kinesis", "start-stream-encryption", "--stream-name", name, "--encryption-type", "KMS", "--key-id", "alias/aws/kinesis")
	sum = s.kinesisWaitActive(t, name)
	if str(sum, "EncryptionType") != "KMS" || str(sum, "KeyId") != "alias/aws/kinesis" {
		t.Errorf("after start-stream-encryption: %v", sum)
	}
	if em := asList(sum["EnhancedMonitoring"]); len(em) != 1 || !reflect.DeepEqual(sortedStrings(em[0]["ShardLevelMetrics"]), []string{"IncomingRecords"}) {
		t.Errorf("EnhancedMonitoring in the summary: %v", sum["EnhancedMonitoring"])
	}
	s.aws(t, "kinesis", "stop-stream-encryption", "--stream-name", name, "--encryption-type", "KMS", "--key-id", "alias/aws/kinesis")
	if sum = s.kinesisWaitActive(t, name); str(sum, "EncryptionType") != "NONE" {
		t.Errorf("after stop-stream-encryption: %v", sum["EncryptionType"])
	}

	reg := asMap(s.awsJSON(t, "kinesis", "register-stream-consumer", "--stream-arn", arn, "--consumer-name", "cli-reader")["Consumer"])
	consumerARN := str(reg, "ConsumerARN")
	if !strings.HasPrefix(consumerARN, arn+"/consumer/cli-reader:") {
		t.Errorf("consumer ARN %q, want %s/consumer/cli-reader:<epoch>", consumerARN, arn)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		d := asMap(s.awsJSON(t, "kinesis", "describe-stream-consumer", "--consumer-arn", consumerARN)["ConsumerDescription"])
		if str(d, "ConsumerStatus") == "ACTIVE" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("consumer still %s after 30 s", str(d, "ConsumerStatus"))
		}
		time.Sleep(100 * time.Millisecond)
	}
	consumers := asList(s.awsJSON(t, "kinesis", "list-stream-consumers", "--stream-arn", arn)["Consumers"])
	if len(consumers) != 1 || str(consumers[0], "ConsumerARN") != consumerARN {
		t.Errorf("list-stream-consumers: %v", consumers)
	}
	s.awsFail(t, "ResourceInUseException", "kinesis", "delete-stream", "--stream-name", name)
	s.aws(t, "kinesis", "deregister-stream-consumer", "--consumer-arn", consumerARN)
	reg = asMap(s.awsJSON(t, "kinesis", "register-stream-consumer", "--stream-arn", arn, "--consumer-name", "second")["Consumer"])
	if str(reg, "ConsumerARN") == "" {
		t.Errorf("register-stream-consumer: %v", reg)
	}
	s.aws(t, "kinesis", "delete-stream", "--stream-name", name, "--enforce-consumer-deletion")
	s.awsFail(t, "ResourceNotFoundException", "kinesis", "describe-stream-consumer", "--stream-arn", arn, "--consumer-name", "absent")
}

func sortedStrings(v any) []string {
	var out []string
	raw, _ := json.Marshal(v)
	_ = json.Unmarshal(raw, &out)
	sort.Strings(out)
	return out
}
