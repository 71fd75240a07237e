package logs

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

func TestTestMetricFilter(t *testing.T) {
	e := newEnv(t)
	apache := []string{
		`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534`,
		`127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324`,
		`127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355`,
	}
	out, err := e.client.TestMetricFilter(ctx, &cwl.TestMetricFilterInput{
		FilterPattern:    aws.String(`[ip, identity, user_id, timestamp, request, status_code = 4*, size]`),
		LogEventMessages: apache})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Matches) != 1 || out.Matches[0].EventNumber != 1 || *out.Matches[0].EventMessage != apache[0] {
		t.Fatalf("matches %+v", out.Matches)
	}
	want := map[string]string{"$ip": "127.0.0.1", "$identity": "-", "$user_id": "frank", "$timestamp": "10/Oct/2000:13:25:15 -0700",
		"$request": "GET /apache_pb.gif HTTP/1.0", "$status_code": "404", "$size": "1534"}
	if !reflect.DeepEqual(out.Matches[0].ExtractedValues, want) {
		t.Fatalf("extracted %v", out.Matches[0].ExtractedValues)
	}
	out, err = e.client.TestMetricFilter(ctx, &cwl.TestMetricFilterInput{FilterPattern: aws.String("frank"), LogEventMessages: apache})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Matches) != 3 || out.Matches[2].EventNumber != 3 || len(out.Matches[2].ExtractedValues) != 0 {
		t.Fatalf("term matches %+v", out.Matches)
	}
	_, err = e.client.TestMetricFilter(ctx, &cwl.TestMetricFilterInput{FilterPattern: aws.String(`[a, b`), LogEventMessages: apache})
	wantCode(t, err, codeInvalidParameter, msgInvalidMetricPat)
}

func TestMetricFilters(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	put := func(name, pattern, value string, dims map[string]string, def *float64) error {
		_, err := e.client.PutMetricFilter(ctx, &cwl.PutMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String(name),
			FilterPattern: aws.String(pattern), MetricTransformations: []types.MetricTransformation{{
				MetricName: aws.String("Errors"), MetricNamespace: aws.String("App"), MetricValue: aws.String(value),
				Dimensions: dims, DefaultValue: def}}})
		return err
	}
	cases := []struct {
		name, pattern, value string
		dims                 map[string]string
		def                  *float64
		code                 string
	}{
		{"count terms", "ERROR", "1", nil, aws.Float64(0), ""},
		{"json value and dimension", `{ $.level = "ERROR" }`, "$.latency", map[string]string{"Service": "$.service"}, nil, ""},
		{"delimited field", `[ip, user, status, bytes]`, "$bytes", nil, nil, ""},
		{"unparsable", `{ $.level = `, "1", nil, nil, codeInvalidParameter},
		{"json selector on terms", "ERROR", "$.latency", nil, nil, codeInvalidParameter},
		{"dimensions on terms", "ERROR", "1", map[string]string{"a": "$.a"}, nil, codeInvalidParameter},
		{"dimensions with default", `{ $.a = 1 }`, "1", map[string]string{"a": "$.a"}, aws.Float64(0), codeInvalidParameter},
		{"four dimensions", `{ $.a = 1 }`, "1", map[string]string{"a": "$.a", "b": "$.b", "c": "$.c", "d": "$.d"}, nil, codeInvalidParameter},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := put("f"+itoa(int64(i)), tc.pattern, tc.value, tc.dims, tc.def)
			if tc.code != "" {
				wantCode(t, err, tc.code)
			} else if err != nil {
				t.Fatal(err)
			}
		})
	}
	out, err := e.client.DescribeMetricFilters(ctx, &cwl.DescribeMetricFiltersInput{LogGroupName: aws.String("g")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.MetricFilters) != 3 || *out.MetricFilters[1].MetricTransformations[0].MetricValue != "$.latency" {
		t.Fatalf("filters %+v", out.MetricFilters)
	}
	groups, _ := e.client.DescribeLogGroups(ctx, &cwl.DescribeLogGroupsInput{})
	if aws.ToInt32(groups.LogGroups[0].MetricFilterCount) != 3 {
		t.Fatalf("metricFilterCount %d", aws.ToInt32(groups.LogGroups[0].MetricFilterCount))
	}
	byMetric, err := e.client.DescribeMetricFilters(ctx, &cwl.DescribeMetricFiltersInput{MetricName: aws.String("Errors"), MetricNamespace: aws.String("App"), Limit: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(byMetric.MetricFilters) != 2 || byMetric.NextToken == nil {
		t.Fatalf("by metric page 1: %d, token %v", len(byMetric.MetricFilters), byMetric.NextToken)
	}
	if _, err := e.client.DeleteMetricFilter(ctx, &cwl.DeleteMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("f0")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.client.DeleteMetricFilter(ctx, &cwl.DeleteMetricFilterInput{LogGroupName: aws.String("g"), FilterName: aws.String("f0")})
	wantCode(t, err, codeResourceNotFound)
	// The 101st filter is refused.
	for i := 0; i < 98; i++ {
		if err := put("more"+itoa(int64(i)), "x", "1", nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	wantCode(t, put("one-too-many", "x", "1", nil, nil), codeLimitExceeded, msgResourceLimit)
}
