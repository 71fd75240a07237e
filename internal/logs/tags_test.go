package logs

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

func TestTags(t *testing.T) {
	e := newEnv(t)
	if _, err := e.client.CreateLogGroup(ctx, &cwl.CreateLogGroupInput{LogGroupName: aws.String("g"), Tags: map[string]string{"team": "a"}}); err != nil {
		t.Fatal(err)
	}
	groupARN := "arn:aws:logs:us-east-1:123456789012:log-group:g"
	list := func() map[string]string {
		t.Helper()
		old, err := e.client.ListTagsLogGroup(ctx, &cwl.ListTagsLogGroupInput{LogGroupName: aws.String("g")})
		if err != nil {
			t.Fatal(err)
		}
		byARN, err := e.client.ListTagsForResource(ctx, &cwl.ListTagsForResourceInput{ResourceArn: aws.String(groupARN)})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(old.Tags, byARN.Tags) {
			t.Fatalf("ListTagsLogGroup %v, ListTagsForResource %v", old.Tags, byARN.Tags)
		}
		return byARN.Tags
	}
	steps := []struct {
		name string
		do   func() error
		want map[string]string
	}{
		{"created with tags", func() error { return nil }, map[string]string{"team": "a"}},
		{"TagLogGroup", func() error {
			_, err := e.client.TagLogGroup(ctx, &cwl.TagLogGroupInput{LogGroupName: aws.String("g"), Tags: map[string]string{"env": "dev"}})
			return err
		}, map[string]string{"team": "a", "env": "dev"}},
		{"TagResource", func() error {
			_, err := e.client.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String(groupARN), Tags: map[string]string{"team": "b"}})
			return err
		}, map[string]string{"team": "b", "env": "dev"}},
		{"UntagLogGroup", func() error {
			_, err := e.client.UntagLogGroup(ctx, &cwl.UntagLogGroupInput{LogGroupName: aws.String("g"), Tags: []string{"env"}})
			return err
		}, map[string]string{"team": "b"}},
		{"UntagResource", func() error {
			_, err := e.client.UntagResource(ctx, &cwl.UntagResourceInput{ResourceArn: aws.String(groupARN), TagKeys: []string{"team", "absent"}})
			return err
		}, map[string]string{}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := list(); !reflect.DeepEqual(got, st.want) {
			t.Fatalf("%s: tags %v, want %v", st.name, got, st.want)
		}
	}
	many := map[string]string{}
	for i := 0; i < 50; i++ {
		many[fmt.Sprintf("k%d", i)] = "v"
	}
	if _, err := e.client.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String(groupARN), Tags: many}); err != nil {
		t.Fatal(err)
	}
	_, err := e.client.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String(groupARN), Tags: map[string]string{"one-more": "v"}})
	wantCode(t, err, codeTooManyTags)
	_, err = e.client.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String(groupARN), Tags: map[string]string{"bad key!": "v"}})
	wantCode(t, err, codeValidation)
	// The model's ARN pattern has no '*': DescribeLogGroups' arn is refused.
	_, err = e.client.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String(groupARN + ":*"), Tags: map[string]string{"a": "b"}})
	wantCode(t, err, codeValidation)
	_, err = e.client.ListTagsForResource(ctx, &cwl.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:logs:us-east-1:123456789012:log-group:nope")})
	wantCode(t, err, codeResourceNotFound)
	_, err = e.client.TagLogGroup(ctx, &cwl.TagLogGroupInput{LogGroupName: aws.String("nope"), Tags: map[string]string{"a": "b"}})
	wantCode(t, err, codeResourceNotFound)

	// Destinations are tagged by ARN too.
	e.dests.add(kinesisARN, 1<<20)
	if _, err := e.client.PutDestination(ctx, &cwl.PutDestinationInput{DestinationName: aws.String("d"), TargetArn: aws.String(kinesisARN),
		RoleArn: aws.String(roleARN), Tags: map[string]string{"a": "1"}}); err != nil {
		t.Fatal(err)
	}
	destARN := "arn:aws:logs:us-east-1:123456789012:destination:d"
	if _, err := e.client.TagResource(ctx, &cwl.TagResourceInput{ResourceArn: aws.String(destARN), Tags: map[string]string{"b": "2"}}); err != nil {
		t.Fatal(err)
	}
	out, err := e.client.ListTagsForResource(ctx, &cwl.ListTagsForResourceInput{ResourceArn: aws.String(destARN)})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out.Tags, map[string]string{"a": "1", "b": "2"}) {
		t.Fatalf("destination tags %v", out.Tags)
	}
}
