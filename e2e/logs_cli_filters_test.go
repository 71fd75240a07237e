package e2e

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestLogsCLIMetricFiltersAndDestinations: put/describe/delete-metric-filter,
// test-metric-filter with extracted values, and logical destinations with
// their access policy.
func TestLogsCLIMetricFiltersAndDestinations(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	g := uniqueLogGroup("cli-metric")
	s.aws(t, "logs", "create-log-group", "--log-group-name", g)
	defer s.aws(t, "logs", "delete-log-group", "--log-group-name", g)

	transformation := func(name, value string) string {
		return `[{"metricName":"` + name + `","metricNamespace":"E2E","metricValue":"` + value + `"}]`
	}
	s.aws(t, "logs", "put-metric-filter", "--log-group-name", g, "--filter-name", "bytes-404",
		"--filter-pattern", "[ip, user, status=404, bytes]", "--metric-transformations", transformation("NotFoundBytes", "$bytes"))
	s.aws(t, "logs", "put-metric-filter", "--log-group-name", g, "--filter-name", "errors",
		"--filter-pattern", `{ $.level = "ERROR" }`, "--metric-transformations", transformation("Errors", "1"))
	s.awsFail(t, "InvalidParameterException", "logs", "put-metric-filter", "--log-group-name", g, "--filter-name", "bad",
		"--filter-pattern", "[ip, user", "--metric-transformations", transformation("Bad", "1"))
	s.awsFail(t, "ResourceNotFoundException", "logs", "put-metric-filter", "--log-group-name", g+"-missing", "--filter-name", "x",
		"--filter-pattern", "ERROR", "--metric-transformations", transformation("X", "1"))
	described := s.awsJSON(t, "logs", "describe-metric-filters", "--log-group-name", g)
	if got := namesOf(described["metricFilters"], "filterName"); !reflect.DeepEqual(got, []string{"bytes-404", "errors"}) {
		t.Errorf("describe-metric-filters = %v", got)
	}
	f := asList(described["metricFilters"])[0]
	if str(f, "filterPattern") != "[ip, user, status=404, bytes]" || str(f, "logGroupName") != g ||
		str(asList(f["metricTransformations"])[0], "metricValue") != "$bytes" {
		t.Errorf("metric filter entry: %v", f)
	}
	byMetric := s.awsJSON(t, "logs", "describe-metric-filters", "--metric-name", "Errors", "--metric-namespace", "E2E")
	if got := namesOf(byMetric["metricFilters"], "filterName"); !reflect.DeepEqual(got, []string{"errors"}) {
		t.Errorf("describe-metric-filters --metric-name Errors = %v", got)
	}
	s.aws(t, "logs", "delete-metric-filter", "--log-group-name", g, "--filter-name", "errors")
	s.awsFail(t, "ResourceNotFoundException", "logs", "delete-metric-filter", "--log-group-name", g, "--filter-name", "errors")
	if got := namesOf(s.awsJSON(t, "logs", "describe-metric-filters", "--log-group-name", g)["metricFilters"], "filterName"); !reflect.DeepEqual(got, []string{"bytes-404"}) {
		t.Errorf("describe-metric-filters after delete = %v", got)
	}

	tested := s.awsJSON(t, "logs", "test-metric-filter", "--filter-pattern", "[ip, user, status=4*, bytes]",
		"--log-event-messages", "10.0.0.1 alice 200 512", "10.0.0.2 bob 404 128", "10.0.0.3 carol 410 64")
	want := []any{
		map[string]any{"eventNumber": float64(2), "eventMessage": "10.0.0.2 bob 404 128",
			"extractedValues": map[string]any{"$ip": "10.0.0.2", "$user": "bob", "$status": "404", "$bytes": "128"}},
		map[string]any{"eventNumber": float64(3), "eventMessage": "10.0.0.3 carol 410 64",
			"extractedValues": map[string]any{"$ip": "10.0.0.3", "$user": "carol", "$status": "410", "$bytes": "64"}},
	}
	if !reflect.DeepEqual(tested["matches"], want) {
		t.Errorf("test-metric-filter matches = %v\nwant %v", tested["matches"], want)
	}
	jsonTested := s.awsJSON(t, "logs", "test-metric-filter", "--filter-pattern", `{ $.status = 5* }`,
		"--log-event-messages", `{"status":503}`, `{"status":200}`, "not json")
	if got := asList(jsonTested["matches"]); len(got) != 1 || num(got[0], "eventNumber") != 1 {
		t.Errorf("test-metric-filter (JSON) matches = %v", jsonTested["matches"])
	}
	s.awsFail(t, "InvalidParameterException", "logs", "test-metric-filter", "--filter-pattern", `{ $.status = `, "--log-event-messages", "x")

	// Logical destinations wrap a Kinesis (or Firehose) ARN.
	account := accountOfLogGroup(t, s, g)
	dest := "dest-" + uniqueBucket("cli")
	target := "arn:aws:kinesis:us-east-1:" + account + ":stream/" + uniqueStream("dest-target")
	role := "arn:aws:iam::" + account + ":role/CWLtoKinesis"
	put := asMap(s.awsJSON(t, "logs", "put-destination", "--destination-name", dest, "--target-arn", target, "--role-arn", role)["destination"])
	if str(put, "destinationName") != dest || str(put, "targetArn") != target || str(put, "roleArn") != role ||
		str(put, "arn") != "arn:aws:logs:us-east-1:"+account+":destination:"+dest {
		t.Errorf("put-destination = %v", put)
	}
	s.awsFail(t, "InvalidParameterException", "logs", "put-destination", "--destination-name", dest+"-s3",
		"--target-arn", "arn:aws:s3:::bucket", "--role-arn", role)
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"logs:PutSubscriptionFilter","Resource":"` + str(put, "arn") + `"}]}`
	s.aws(t, "logs", "put-destination-policy", "--destination-name", dest, "--access-policy", policy)
	s.awsFail(t, "InvalidParameterException", "logs", "put-destination-policy", "--destination-name", dest, "--access-policy", "{not json")
	s.awsFail(t, "ResourceNotFoundException", "logs", "put-destination-policy", "--destination-name", dest+"-missing", "--access-policy", policy)
	listed := asList(s.awsJSON(t, "logs", "describe-destinations", "--destination-name-prefix", dest)["destinations"])
	if len(listed) != 1 || str(listed[0], "accessPolicy") != policy || str(listed[0], "targetArn") != target {
		t.Errorf("describe-destinations = %v", listed)
	}
	s.aws(t, "logs", "delete-destination", "--destination-name", dest)
	s.awsFail(t, "ResourceNotFoundException", "logs", "delete-destination", "--destination-name", dest)
	if got := asList(s.awsJSON(t, "logs", "describe-destinations", "--destination-name-prefix", dest)["destinations"]); len(got) != 0 {
		t.Errorf("describe-destinations after delete = %v", got)
	}
}

func accountOfLogGroup(t *testing.T, s *server, g string) string {
	t.Helper()
	groups := asList(s.awsJSON(t, "logs", "describe-log-groups", "--log-group-name-prefix", g)["logGroups"])
	if len(groups) == 0 {
		t.Fatalf("log group %s not listed", g)
	}
	parts := strings.Split(str(groups[0], "logGroupArn"), ":")
	if len(parts) < 5 {
		t.Fatalf("log group ARN %q", str(groups[0], "logGroupArn"))
	}
	return parts[4]
}

// TestLogsCLISubscriptionFilters: put/describe/delete-subscription-filter
// to a Kinesis stream of the same server, the two-filter limit, and the
// gzip'd DATA_MESSAGE the stream receives for matching events only.
func TestLogsCLISubscriptionFilters(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	g := uniqueLogGroup("cli-subs")
	s.aws(t, "logs", "create-log-group", "--log-group-name", g)
	defer s.aws(t, "logs", "delete-log-group", "--log-group-name", g)
	s.aws(t, "logs", "create-log-stream", "--log-group-name", g, "--log-stream-name", "eni-1")
	stream := uniqueStream("cli-subs")
	s.aws(t, "kinesis", "create-stream", "--stream-name", stream, "--shard-count", "1")
	defer s.aws(t, "kinesis", "delete-stream", "--stream-name", stream)
	streamARN := str(s.kinesisWaitActive(t, stream), "StreamARN")
	account := accountOfLogGroup(t, s, g)
	role := "arn:aws:iam::" + account + ":role/CWLtoKinesis"

	if got := s.awsJSON(t, "logs", "describe-subscription-filters", "--log-group-name", g)["subscriptionFilters"]; len(asList(got)) != 0 {
		t.Errorf("describe-subscription-filters of a new group = %v", got)
	}
	const rejectedSSH = `[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, bytes, windowstart, windowend, action="REJECT", flowlogstatus]`
	s.aws(t, "logs", "put-subscription-filter", "--log-group-name", g, "--filter-name", "ssh",
		"--filter-pattern", rejectedSSH, "--destination-arn", streamARN, "--role-arn", role)
	s.aws(t, "logs", "put-subscription-filter", "--log-group-name", g, "--filter-name", "other",
		"--filter-pattern", "ERROR", "--destination-arn", streamARN, "--role-arn", role, "--distribution", "Random")
	s.awsFail(t, "LimitExceededException", "logs", "put-subscription-filter", "--log-group-name", g, "--filter-name", "third",
		"--filter-pattern", "", "--destination-arn", streamARN, "--role-arn", role)
	s.awsFail(t, "InvalidParameterException", "logs", "put-subscription-filter", "--log-group-name", g, "--filter-name", "ssh",
		"--filter-pattern", "[version, account", "--destination-arn", streamARN, "--role-arn", role)
	s.awsFail(t, "InvalidParameterException", "logs", "put-subscription-filter", "--log-group-name", g, "--filter-name", "ssh",
		"--filter-pattern", "", "--destination-arn", streamARN+"-missing", "--role-arn", role)
	described := s.awsJSON(t, "logs", "describe-subscription-filters", "--log-group-name", g)["subscriptionFilters"]
	subs := asList(described)
	if got := namesOf(described, "filterName"); !reflect.DeepEqual(got, []string{"other", "ssh"}) {
		t.Fatalf("describe-subscription-filters = %v", subs)
	}
	for _, f := range subs {
		wantDist := map[string]string{"ssh": "ByLogStream", "other": "Random"}[str(f, "filterName")]
		if str(f, "destinationArn") != streamARN || str(f, "roleArn") != role || str(f, "distribution") != wantDist || str(f, "logGroupName") != g {
			t.Errorf("subscription filter entry: %v", f)
		}
	}
	if str(subs[1], "filterPattern") != rejectedSSH {
		t.Errorf("ssh filter pattern = %q (refused update must not change it)", str(subs[1], "filterPattern"))
	}
	s.aws(t, "logs", "delete-subscription-filter", "--log-group-name", g, "--filter-name", "other")
	s.awsFail(t, "ResourceNotFoundException", "logs", "delete-subscription-filter", "--log-group-name", g, "--filter-name", "other")

	now := nowMillis()
	flows := []logEvent{
		{now - 3000, "2 123456789010 eni-1 10.0.0.9 10.0.0.1 49152 22 6 1 40 1700000000 1700000060 REJECT OK"},
		{now - 2000, "2 123456789010 eni-1 10.0.0.9 10.0.0.1 49153 443 6 1 40 1700000000 1700000060 REJECT OK"},
		{now - 1000, "2 123456789010 eni-1 10.0.0.8 10.0.0.1 49154 22 6 1 40 1700000000 1700000060 ACCEPT OK"},
		{now, "2 123456789010 eni-1 10.0.0.7 10.0.0.1 49155 22 6 3 120 1700000000 1700000060 REJECT OK"},
	}
	s.aws(t, "logs", "put-log-events", "--log-group-name", g, "--log-stream-name", "eni-1", "--log-events", logEventsJSON(t, flows))

	// The stream holds the CONTROL_MESSAGE probes, then the rejected SSH flows.
	shardIt := str(s.awsJSON(t, "kinesis", "get-shard-iterator", "--stream-name", stream, "--shard-id", "shardId-000000000000",
		"--shard-iterator-type", "TRIM_HORIZON"), "ShardIterator")
	var delivered []string
	deadline := time.Now().Add(30 * time.Second)
	for len(delivered) < 2 && time.Now().Before(deadline) {
		out := s.awsJSON(t, "kinesis", "get-records", "--shard-iterator", shardIt)
		shardIt = str(out, "NextShardIterator")
		for _, r := range asList(out["Records"]) {
			msg := gunzipCWL(t, str(r, "Data"))
			if msg.MessageType == "CONTROL_MESSAGE" {
				continue
			}
			if msg.MessageType != "DATA_MESSAGE" || msg.LogGroup != g || msg.LogStream != "eni-1" ||
				!reflect.DeepEqual(msg.SubscriptionFilters, []string{"ssh"}) || msg.Owner != account {
				t.Errorf("delivered payload header: %+v", msg)
			}
			if str(r, "PartitionKey") == "" {
				t.Errorf("delivered record without a partition key: %v", r)
			}
			for _, e := range msg.LogEvents {
				if len(e.ID) != 56 {
					t.Errorf("delivered event id %q: want 56 digits", e.ID)
				}
				delivered = append(delivered, e.Message)
			}
		}
		if len(delivered) < 2 {
			time.Sleep(200 * time.Millisecond)
		}
	}
	if want := []string{flows[0].Message, flows[3].Message}; !reflect.DeepEqual(delivered, want) {
		t.Errorf("delivered to Kinesis = %q, want exactly the rejected SSH flows %q", delivered, want)
	}
	s.aws(t, "logs", "delete-subscription-filter", "--log-group-name", g, "--filter-name", "ssh")
}

// cwlPayload is a subscription delivery as CloudWatch Logs sends it.
type cwlPayload struct {
	MessageType         string   `json:"messageType"`
	Owner               string   `json:"owner"`
	LogGroup            string   `json:"logGroup"`
	LogStream           string   `json:"logStream"`
	SubscriptionFilters []string `json:"subscriptionFilters"`
	LogEvents           []struct {
		ID        string `json:"id"`
		Timestamp int64  `json:"timestamp"`
		Message   string `json:"message"`
	} `json:"logEvents"`
}

// gunzipCWL decodes a Kinesis record's Data (base64 in the CLI's JSON).
func gunzipCWL(t *testing.T, b64 string) cwlPayload {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatalf("record data is not base64: %v", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("record data is not gzip: %v", err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("gunzip: %v", err)
	}
	var p cwlPayload
	if err := json.Unmarshal(plain, &p); err != nil {
		t.Fatalf("payload is not JSON: %v\n%s", err, truncate(string(plain), 500))
	}
	return p
}
