package s3

import (
	"strings"
	"testing"
)

func TestValidBucketName(t *testing.T) {
	tests := []struct {
		name  string
		valid bool
	}{
		{"abc", true},
		{"my-bucket.logs-2025", true},
		{"a1b", true},
		{"1bucket", true},
		{"bucket1", true},
		{strings.Repeat("a", 63), true},
		{"192.168.5.4x", true},
		{"1.2.3", true},
		{"xn-bucket", true},
		{"sthree", true},
		{"s3alias-bucket", true},
		{"ab", false},
		{strings.Repeat("a", 64), false},
		{"", false},
		{"MyBucket", false},
		{"my_bucket", false},
		{"my bucket", false},
		{"-bucket", false},
		{"bucket-", false},
		{".bucket", false},
		{"bucket.", false},
		{"my..bucket", false},
		{"192.168.5.4", false},
		{"10.0.0.1", false},
		{"xn--bucket", false},
		{"sthree-bucket", false},
		{"sthree-configurator", false},
		{"amzn-s3-demo-bucket", false},
		{"bucket-s3alias", false},
		{"bucket--ol-s3", false},
		{"bucket.mrap", false},
		{"bucket--x-s3", false},
		{"bucket--table-s3", false},
		{"bück", false},
		{"bucket/x", false},
	}
	for _, tt := range tests {
		if got := validBucketName(tt.name); got != tt.valid {
			t.Errorf("validBucketName(%q) = %v, want %v", tt.name, got, tt.valid)
		}
	}
}

func TestCreateBucketRefusesInvalidNames(t *testing.T) {
	h := newOTHarness(t)
	for _, name := range []string{"ab", "Upper", "a..b", "192.168.1.1", "xn--x", "x-s3alias", "under_score"} {
		e := h.fail(otReq{op: "CreateBucket", method: "PUT", bucket: name}, "InvalidBucketName", 400)
		if e.Resource != "/"+name || e.Extra["BucketName"] != name {
			t.Errorf("%q: resource %q extra %v", name, e.Resource, e.Extra)
		}
	}
	if ids := h.blobIDs(); len(ids) != 0 {
		t.Fatalf("blobs left: %v", ids)
	}
}

func TestCheckKeyLength(t *testing.T) {
	if err := checkKey("b", strings.Repeat("k", 1024)); err != nil {
		t.Fatalf("1024-byte key refused: %v", err)
	}
	h := newOTHarness(t)
	h.createBucket("bkt")
	long := strings.Repeat("é", 513) // 1026 bytes
	h.fail(otReq{op: "PutObject", method: "PUT", bucket: "bkt", key: long, body: []byte("x")}, "KeyTooLongError", 400)
	h.fail(otReq{op: "CopyObject", method: "PUT", bucket: "bkt", key: long,
		header: map[string]string{"X-Amz-Copy-Source": "/bkt/src"}}, "KeyTooLongError", 400)
}
