package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestLambdaCLIKinesisMapping: a Kinesis event source mapping delivers a
// stream's records to a function (spec §1.7, §3.1), through the CLI.
func TestLambdaCLIKinesisMapping(t *testing.T) {
	t.Parallel()
	s := sharedServer(t)
	dir := t.TempDir()
	fn := uniqueBucket("cli-esm")
	code := zipFiles(t, dir, "esm.py.zip", map[string][]byte{"esm.py": []byte(
		"import base64\n" +
			"def handler(event, context):\n" +
			"    for r in event['Records']:\n" +
			"        print('REC', r['eventSource'], r['kinesis']['partitionKey'], base64.b64decode(r['kinesis']['data']).decode())\n")})
	s.aws(t, "lambda", "create-function", "--function-name", fn, "--runtime", "python3.12", "--handler", "esm.handler",
		"--role", e2eRole, "--zip-file", "fileb://"+code)
	stream := uniqueBucket("esm-stream")
	s.aws(t, "kinesis", "create-stream", "--stream-name", stream, "--shard-count", "1")
	s.aws(t, "kinesis", "wait", "stream-exists", "--stream-name", stream)
	streamARN := "arn:aws:kinesis:us-east-1:000000000000:stream/" + stream

	s.awsFail(t, "InvalidParameterValueException", "lambda", "create-event-source-mapping", "--function-name", fn,
		"--event-source-arn", streamARN)
	s.awsFail(t, "InvalidParameterValueException", "lambda", "create-event-source-mapping", "--function-name", fn,
		"--event-source-arn", streamARN+"-missing", "--starting-position", "TRIM_HORIZON")
	s.aws(t, "kinesis", "put-record", "--stream-name", stream, "--partition-key", "order-1001", "--data", "order 1001") // CLI v1 sends the text as the record bytes
	m := s.awsJSON(t, "lambda", "create-event-source-mapping", "--function-name", fn, "--event-source-arn", streamARN,
		"--starting-position", "TRIM_HORIZON", "--batch-size", "10")
	uuid := str(m, "UUID")
	if uuid == "" || num(m, "BatchSize") != 10 || str(m, "EventSourceArn") != streamARN {
		t.Fatalf("create-event-source-mapping: %v", m)
	}
	waitUntil(t, 60*time.Second, "record delivered to the function", func() bool {
		r := s.awsCLI(t, nil, "logs", "filter-log-events", "--log-group-name", "/aws/lambda/"+fn, "--filter-pattern", "REC", "--output", "json")
		return r.err == nil && strings.Contains(r.stdout, "REC aws:kinesis order-1001 order 1001")
	})
	got := s.awsJSON(t, "lambda", "get-event-source-mapping", "--uuid", uuid)
	if str(got, "FunctionArn") != "arn:aws:lambda:us-east-1:000000000000:function:"+fn {
		t.Fatalf("get-event-source-mapping: %v", got)
	}
	list := s.awsJSON(t, "lambda", "list-event-source-mappings", "--function-name", fn)
	if l := asList(list["EventSourceMappings"]); len(l) != 1 || str(l[0], "UUID") != uuid {
		t.Fatalf("list-event-source-mappings: %v", list)
	}
	upd := s.awsJSON(t, "lambda", "update-event-source-mapping", "--uuid", uuid, "--batch-size", "50")
	if num(upd, "BatchSize") != 50 {
		t.Fatalf("update-event-source-mapping: %v", upd)
	}
	if del := s.awsJSON(t, "lambda", "delete-event-source-mapping", "--uuid", uuid); str(del, "State") != "Deleting" {
		t.Fatalf("delete-event-source-mapping: %v", del)
	}
	waitUntil(t, 30*time.Second, "mapping gone", func() bool {
		r := s.awsCLI(t, nil, "lambda", "get-event-source-mapping", "--uuid", uuid)
		return r.err != nil && strings.Contains(r.stderr, "ResourceNotFoundException")
	})
	s.aws(t, "lambda", "delete-function", "--function-name", fn)
}
