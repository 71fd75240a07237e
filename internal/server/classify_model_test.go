package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/tributary-dev/tributary/internal/server/internal/botomodel"
)

// s3Twins maps operations that are identical on the wire to the one a
// request without x-id resolves to.
var s3Twins = map[string]string{
	"ListDirectoryBuckets":  "ListBuckets",
	"GetBucketLifecycle":    "GetBucketLifecycleConfiguration",
	"PutBucketLifecycle":    "PutBucketLifecycleConfiguration",
	"GetBucketNotification": "GetBucketNotificationConfiguration",
	"PutBucketNotification": "PutBucketNotificationConfiguration",
}

const (
	testAccount = "123456789012"
	testBucket  = "amzn-s3-demo-bucket"
	testKey     = "dir/key with space+plus.txt"
)

func loadModels(t *testing.T) map[string]*botomodel.Model {
	t.Helper()
	dir, err := botomodel.DataDir()
	if err != nil {
		t.Fatalf("no botocore models on this machine: %v", err)
	}
	models := map[string]*botomodel.Model{}
	for _, svc := range botomodel.ServiceNames() {
		m, err := botomodel.Load(dir, svc)
		if err != nil {
			t.Fatal(err)
		}
		models[svc] = m
	}
	return models
}

func sigV4(service string) string {
	return fmt.Sprintf("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/%s/aws4_request, "+
		"SignedHeaders=host;x-amz-date, Signature=0000000000000000000000000000000000000000000000000000000000000000", service)
}

// TestClassifyEveryModelOperation builds a representative request for every
// operation of every routed service from the botocore models on disk and
// checks that the classifier names exactly that operation.
func TestClassifyEveryModelOperation(t *testing.T) {
	models := loadModels(t)
	c := NewClassifier(ClassifierOptions{})
	total := 0
	for _, svc := range botomodel.ServiceNames() {
		m := models[svc]
		for _, name := range m.OperationNames() {
			op := m.Operations[name]
			for _, variant := range requestVariants(t, m, op) {
				total++
				t.Run(svc+"/"+name+"/"+variant.name, func(t *testing.T) {
					rt, err := c.Classify(variant.req)
					if err != nil {
						t.Fatalf("classify %s %s: %v", variant.req.Method, variant.req.RequestURI, err)
					}
					if rt.Service != svc || rt.Operation != variant.wantOp {
						t.Fatalf("%s %s (Host %s) = (%s, %s), want (%s, %s)", variant.req.Method, variant.req.RequestURI,
							variant.req.Host, rt.Service, rt.Operation, svc, variant.wantOp)
					}
					for k, v := range variant.wantParams {
						if rt.PathParams[k] != v {
							t.Errorf("path param %s = %q, want %q", k, rt.PathParams[k], v)
						}
					}
					if variant.wantBucket != "" && rt.Bucket != variant.wantBucket {
						t.Errorf("bucket %q, want %q", rt.Bucket, variant.wantBucket)
					}
					if variant.wantKey != "" && rt.Key != variant.wantKey {
						t.Errorf("key %q, want %q", rt.Key, variant.wantKey)
					}
				})
			}
		}
	}
	if total < 900 {
		t.Errorf("only %d requests built from the models; expected every operation of 10 services", total)
	}
}

type requestVariant struct {
	name       string
	req        *http.Request
	wantOp     string
	wantParams map[string]string
	wantBucket string
	wantKey    string
}

func requestVariants(t *testing.T, m *botomodel.Model, op botomodel.Operation) []requestVariant {
	t.Helper()
	md := m.Metadata
	switch md.Protocol {
	case "json":
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader("{}"))
		r.Host = "localhost:4566"
		r.Header.Set("X-Amz-Target", md.TargetPrefix+"."+op.Name)
		r.Header.Set("Content-Type", "application/x-amz-json-"+md.JSONVersion)
		r.Header.Set("Authorization", sigV4(md.SigningService()))
		return []requestVariant{{name: "target", req: r, wantOp: op.Name}}
	case "query":
		form := url.Values{"Action": {op.Name}, "Version": {md.APIVersion}}.Encode()
		post := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(form))
		post.Host = "localhost:4566"
		post.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		post.Header.Set("Authorization", sigV4(md.SigningService()))
		get := httptest.NewRequest(http.MethodGet, "/?"+form, nil) // unsigned: told apart by Version
		get.Host = "localhost:4566"
		return []requestVariant{{name: "form", req: post, wantOp: op.Name}, {name: "get", req: get, wantOp: op.Name}}
	}
	return restVariants(t, m, op)
}

func restVariants(t *testing.T, m *botomodel.Model, op botomodel.Operation) []requestVariant {
	path, literalQuery, _ := strings.Cut(op.HTTP.RequestURI, "?")
	query := url.Values{}
	if literalQuery != "" {
		for _, kv := range strings.Split(literalQuery, "&") {
			k, v, _ := strings.Cut(kv, "=")
			query.Set(k, v)
		}
	}
	header := http.Header{}
	params := map[string]string{}
	for _, b := range m.RequiredBindings(op) {
		switch b.Location {
		case "querystring":
			query.Set(b.Name, "1")
		case "header":
			header.Set(b.Name, "x")
		}
	}
	host := "localhost:4566"
	signing := m.Metadata.SigningService()
	switch {
	case m.Service == "s3control":
		host = testAccount + ".localhost:4566"
		header.Set("X-Amz-Account-Id", testAccount)
	case op.Name == "WriteGetObjectResponse":
		host = "route-1.localhost:4566"
		header.Set("X-Amz-Request-Route", "route-1")
		signing = "s3-object-lambda"
	}
	// Fill URI labels: S3's Bucket and Key specially, others with a value
	// that needs percent-encoding (an ARN) or, for greedy labels, two segments.
	var rawPath strings.Builder
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		rawPath.WriteString("/")
		if !strings.HasPrefix(seg, "{") {
			rawPath.WriteString(seg)
			continue
		}
		label := strings.Trim(seg, "{}")
		greedy := strings.HasSuffix(label, "+")
		label = strings.TrimSuffix(label, "+")
		var value string
		switch {
		case m.Service == "s3" && label == "Bucket":
			value = testBucket
		case m.Service == "s3" && label == "Key":
			value = testKey
		case greedy:
			value = "arn:aws:s3:us-east-1:" + testAccount + ":job/" + strings.ToLower(label)
		default:
			value = "arn:aws:lambda:us-east-1:" + testAccount + ":function:" + strings.ToLower(label)
		}
		params[label] = value
		rawPath.WriteString(escapeSegments(value))
	}
	wantOp := op.Name
	if twin, ok := s3Twins[op.Name]; ok && m.Service == "s3" {
		wantOp = twin
	}
	if m.Service == "s3" {
		delete(params, "Bucket")
		delete(params, "Key")
	}
	build := func(host, path string, q url.Values) *http.Request {
		target := path
		if enc := q.Encode(); enc != "" {
			target += "?" + enc
		}
		r := httptest.NewRequest(op.HTTP.Method, target, nil)
		r.Host = host
		for k, vs := range header {
			r.Header[k] = vs
		}
		r.Header.Set("Authorization", sigV4(signing))
		return r
	}
	out := []requestVariant{{name: "path", req: build(host, rawPath.String(), query), wantOp: wantOp, wantParams: params}}
	if m.Service != "s3" || op.Name == "WriteGetObjectResponse" {
		return out
	}
	withID := url.Values{}
	for k, v := range query {
		withID[k] = v
	}
	withID.Set("x-id", op.Name)
	out = append(out, requestVariant{name: "x-id", req: build(host, rawPath.String(), withID), wantOp: op.Name})
	if strings.HasPrefix(path, "/{Bucket}") { // virtual-host style: bucket in the host, key is the path
		vpath := "/" + escapeSegments(testKey)
		wantKey := testKey
		if path == "/{Bucket}" {
			vpath, wantKey = "/", ""
		}
		out = append(out, requestVariant{name: "virtual", req: build(testBucket+".localhost:4566", vpath, query),
			wantOp: wantOp, wantBucket: testBucket, wantKey: wantKey})
	}
	return out
}

// escapeSegments percent-encodes each /-separated segment as SigV4 clients do.
func escapeSegments(s string) string {
	segs := strings.Split(s, "/")
	for i, seg := range segs {
		segs[i] = strings.ReplaceAll(url.PathEscape(seg), "+", "%2B")
	}
	return strings.Join(segs, "/")
}

// TestS3SubresourcePrecedenceCoversModel: every sub-resource in the S3
// model has a place in the hand-written precedence list.
func TestS3SubresourcePrecedenceCoversModel(t *testing.T) {
	known := setOf(s3SubresourcePrecedence())
	for _, op := range s3Routes() {
		for _, l := range parseQueryLiterals(op.Query) {
			if !known[l.name] {
				t.Errorf("%s: sub-resource %q missing from s3SubresourcePrecedence", op.Name, l.name)
			}
		}
	}
}

// TestModelServicesMatchTables: the generated tables hold the same
// operations as the models on disk (go generate was run after the last
// botocore upgrade).
func TestModelServicesMatchTables(t *testing.T) {
	models := loadModels(t)
	tables := map[string][]string{}
	for _, js := range []jsonService{kinesisRoutes(), firehoseRoutes(), logsRoutes(), glueRoutes(), comprehendRoutes()} {
		tables[js.Service] = js.Operations
	}
	for _, qs := range []queryService{stsRoutes(), iamRoutes()} {
		tables[qs.Service] = qs.Operations
	}
	for svc, ops := range map[string][]restOperation{"s3": s3Routes(), "s3control": s3controlRoutes(), "lambda": lambdaRoutes()} {
		for _, op := range ops {
			tables[svc] = append(tables[svc], op.Name)
		}
	}
	for svc, m := range models {
		got, want := strings.Join(tables[svc], ","), strings.Join(m.OperationNames(), ",")
		if got != want {
			t.Errorf("%s: generated table differs from the model on disk; run go generate ./internal/server", svc)
		}
	}
}
