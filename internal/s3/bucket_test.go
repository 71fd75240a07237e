package s3

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tributary-dev/tributary/internal/storage/kv"
)

const euWest1Config = `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`

func TestCreateBucket(t *testing.T) {
	tests := []struct {
		name, bucket, body, region string
		wantCode                   string
		wantStatus                 int
		wantRegion                 string
	}{
		{name: "no body, us-east-1", bucket: "b-plain", wantStatus: 200, wantRegion: "us-east-1"},
		{name: "constraint", bucket: "b-eu", body: euWest1Config, wantStatus: 200, wantRegion: "eu-west-1"},
		{name: "constraint signed in that region", bucket: "b-eu2", body: euWest1Config, region: "eu-west-1", wantStatus: 200, wantRegion: "eu-west-1"},
		{name: "EU alias", bucket: "b-eu3", body: `<CreateBucketConfiguration><LocationConstraint>EU</LocationConstraint></CreateBucketConfiguration>`, wantStatus: 200, wantRegion: "eu-west-1"},
		{name: "empty constraint", bucket: "b-empty", body: `<CreateBucketConfiguration><LocationConstraint></LocationConstraint></CreateBucketConfiguration>`, wantStatus: 200, wantRegion: "us-east-1"},
		{name: "explicit us-east-1", bucket: "b-use1", body: `<CreateBucketConfiguration><LocationConstraint>us-east-1</LocationConstraint></CreateBucketConfiguration>`, wantCode: "InvalidLocationConstraint", wantStatus: 400},
		{name: "unknown region", bucket: "b-bad", body: `<CreateBucketConfiguration><LocationConstraint>moon-1</LocationConstraint></CreateBucketConfiguration>`, wantCode: "InvalidLocationConstraint", wantStatus: 400},
		{name: "no constraint off us-east-1", bucket: "b-x", region: "eu-west-1", wantCode: "IllegalLocationConstraintException", wantStatus: 400},
		{name: "constraint for another region", bucket: "b-y", body: euWest1Config, region: "us-west-2", wantCode: "IllegalLocationConstraintException", wantStatus: 400},
		{name: "malformed", bucket: "b-z", body: `<CreateBucketConfiguration><Location`, wantCode: "MalformedXML", wantStatus: 400},
		{name: "wrong root", bucket: "b-w", body: `<Foo/>`, wantCode: "MalformedXML", wantStatus: 400},
		{name: "with tags", bucket: "b-tags", body: `<CreateBucketConfiguration><Tags><Tag><Key>team</Key><Value>data</Value></Tag></Tags></CreateBucketConfiguration>`, wantStatus: 200, wantRegion: "us-east-1"},
		{name: "with bad tags", bucket: "b-badtags", body: `<CreateBucketConfiguration><Tags><Tag><Key>aws:x</Key><Value>v</Value></Tag></Tags></CreateBucketConfiguration>`, wantCode: "InvalidTag", wantStatus: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newOTHarness(t)
			q := otReq{op: "CreateBucket", method: "PUT", bucket: tt.bucket, body: []byte(tt.body), region: tt.region}
			if tt.wantCode != "" {
				h.fail(q, tt.wantCode, tt.wantStatus)
				h.fail(otReq{op: "HeadBucket", method: "HEAD", bucket: tt.bucket}, "NoSuchBucket", 404)
				return
			}
			rec := h.ok(q)
			if rec.Code != 200 || rec.Header().Get("Location") != "/"+tt.bucket {
				t.Fatalf("status %d location %q", rec.Code, rec.Header().Get("Location"))
			}
			head := h.ok(otReq{op: "HeadBucket", method: "HEAD", bucket: tt.bucket})
			if got := head.Header().Get("X-Amz-Bucket-Region"); got != tt.wantRegion {
				t.Fatalf("region %q, want %q", got, tt.wantRegion)
			}
		})
	}
}

func TestCreateBucketTwice(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("mine")
	// us-east-1 keeps S3's legacy answer: 200 for a bucket you already own.
	h.ok(otReq{op: "CreateBucket", method: "PUT", bucket: "mine"})
	h.ok(otReq{op: "CreateBucket", method: "PUT", bucket: "mine-eu", body: []byte(euWest1Config)})
	e := h.fail(otReq{op: "CreateBucket", method: "PUT", bucket: "mine-eu", body: []byte(euWest1Config)}, "BucketAlreadyOwnedByYou", 409)
	if e.Resource != "/mine-eu" {
		t.Fatalf("resource %q", e.Resource)
	}
	// Another account: the namespace is global.
	h.fail(otReq{op: "CreateBucket", method: "PUT", bucket: "mine", account: "111122223333"}, "BucketAlreadyExists", 409)
	h.fail(otReq{op: "CreateBucket", method: "PUT", bucket: "mine-eu", account: "111122223333", body: []byte(euWest1Config)}, "BucketAlreadyExists", 409)
}

type otListBuckets struct {
	Owner struct {
		ID          string
		DisplayName string
	}
	Buckets []struct {
		Name         string
		CreationDate string
		BucketRegion string
	} `xml:"Buckets>Bucket"`
	ContinuationToken string
	Prefix            *string
}

func TestListBuckets(t *testing.T) {
	h := newOTHarness(t)
	for _, b := range []string{"charlie", "alpha", "bravo", "alpha-2"} {
		h.createBucket(b)
		h.now = h.now.Add(time.Second)
	}
	h.ok(otReq{op: "CreateBucket", method: "PUT", bucket: "other-acct", account: "111122223333"})
	h.ok(otReq{op: "CreateBucket", method: "PUT", bucket: "delta", body: []byte(euWest1Config)})

	rec := h.ok(otReq{op: "ListBuckets", method: "GET"})
	if ct := rec.Header().Get("Content-Type"); ct != "application/xml" {
		t.Fatalf("content type %q", ct)
	}
	body := rec.Body.String()
	if !strings.HasPrefix(body, `<?xml version="1.0" encoding="UTF-8"?>`) ||
		!strings.Contains(body, `<ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`) {
		t.Fatalf("document: %s", body)
	}
	var res otListBuckets
	if err := xml.Unmarshal(rec.Body.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range res.Buckets {
		names = append(names, b.Name)
		if b.BucketRegion != "" {
			t.Fatalf("BucketRegion without parameters: %+v", b)
		}
	}
	if strings.Join(names, ",") != "alpha,alpha-2,bravo,charlie,delta" {
		t.Fatalf("names %v", names)
	}
	if res.Buckets[0].CreationDate != "2025-03-04T05:06:08.890Z" {
		t.Fatalf("creation date %q", res.Buckets[0].CreationDate)
	}
	if res.Owner.ID != canonicalUserID("000000000000") || len(res.Owner.ID) != 64 {
		t.Fatalf("owner %+v", res.Owner)
	}

	// Paging with a prefix: two pages of one and one.
	var pages [][]string
	token := ""
	for i := 0; i < 5; i++ {
		q := "max-buckets=1&prefix=alpha"
		if token != "" {
			q += "&continuation-token=" + token
		}
		var page otListBuckets
		if err := xml.Unmarshal(h.ok(otReq{op: "ListBuckets", method: "GET", query: q}).Body.Bytes(), &page); err != nil {
			t.Fatal(err)
		}
		var ns []string
		for _, b := range page.Buckets {
			ns = append(ns, b.Name+"@"+b.BucketRegion)
		}
		pages = append(pages, ns)
		if page.Prefix == nil || *page.Prefix != "alpha" {
			t.Fatalf("prefix not echoed")
		}
		if token = page.ContinuationToken; token == "" {
			break
		}
	}
	if len(pages) != 2 || pages[0][0] != "alpha@us-east-1" || pages[1][0] != "alpha-2@us-east-1" {
		t.Fatalf("pages %v", pages)
	}
	var eu otListBuckets
	xml.Unmarshal(h.ok(otReq{op: "ListBuckets", method: "GET", query: "bucket-region=eu-west-1"}).Body.Bytes(), &eu)
	if len(eu.Buckets) != 1 || eu.Buckets[0].Name != "delta" {
		t.Fatalf("region filter %+v", eu.Buckets)
	}
	h.fail(otReq{op: "ListBuckets", method: "GET", query: "max-buckets=0"}, "InvalidArgument", 400)
	h.fail(otReq{op: "ListBuckets", method: "GET", query: "continuation-token=%21%21"}, "InvalidArgument", 400)
}

func TestHeadBucketAndLocation(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("east")
	h.ok(otReq{op: "CreateBucket", method: "PUT", bucket: "west", body: []byte(euWest1Config)})

	rec := h.ok(otReq{op: "HeadBucket", method: "HEAD", bucket: "east"})
	if rec.Header().Get("X-Amz-Bucket-Region") != "us-east-1" || rec.Body.Len() != 0 {
		t.Fatalf("head: %v", rec.Header())
	}
	e := h.fail(otReq{op: "HeadBucket", method: "HEAD", bucket: "nope"}, "NoSuchBucket", 404)
	if e.Resource != "/nope" {
		t.Fatalf("resource %q", e.Resource)
	}
	h.fail(otReq{op: "HeadBucket", method: "HEAD", bucket: "east",
		header: map[string]string{"X-Amz-Expected-Bucket-Owner": "999999999999"}}, "AccessDenied", 403)

	for _, tt := range []struct{ bucket, want string }{
		{"east", `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></LocationConstraint>`},
		{"west", `<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>`},
	} {
		rec := h.ok(otReq{op: "GetBucketLocation", method: "GET", bucket: tt.bucket, query: "location"})
		if got := rec.Body.String(); got != `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+tt.want {
			t.Errorf("%s: %s", tt.bucket, got)
		}
	}
	h.fail(otReq{op: "GetBucketLocation", method: "GET", bucket: "nope", query: "location"}, "NoSuchBucket", 404)
}

func TestDeleteBucket(t *testing.T) {
	h := newOTHarness(t)
	h.createBucket("full")
	h.put("full", "k", []byte("data"), nil)
	h.fail(otReq{op: "DeleteBucket", method: "DELETE", bucket: "full"}, "BucketNotEmpty", 409)
	h.ok(otReq{op: "DeleteObject", method: "DELETE", bucket: "full", key: "k"})
	rec := h.ok(otReq{op: "DeleteBucket", method: "DELETE", bucket: "full"})
	if rec.Code != http.StatusNoContent {
		t.Fatalf("status %d", rec.Code)
	}
	h.fail(otReq{op: "HeadBucket", method: "HEAD", bucket: "full"}, "NoSuchBucket", 404)
	h.fail(otReq{op: "DeleteBucket", method: "DELETE", bucket: "full"}, "NoSuchBucket", 404)

	// An in-progress multipart upload also keeps the bucket.
	h.createBucket("uploading")
	if err := h.kv.Update(func(tx kv.Writer) error {
		return putJSON(tx, uploadKey("uploading", "up1"), &uploadMeta{UploadID: "up1", Key: "big"})
	}); err != nil {
		t.Fatal(err)
	}
	h.fail(otReq{op: "DeleteBucket", method: "DELETE", bucket: "uploading"}, "BucketNotEmpty", 409)
	h.kv.Update(func(tx kv.Writer) error { return tx.Delete(uploadKey("uploading", "up1")) })
	// A stray part record (crash leftover) goes with the bucket, blob included.
	partBlob := h.storeBlob([]byte("part"))
	h.kv.Update(func(tx kv.Writer) error {
		return putJSON(tx, partKey("uploading", "up1", 1), &partMeta{PartNumber: 1, BlobID: partBlob})
	})
	h.ok(otReq{op: "DeleteBucket", method: "DELETE", bucket: "uploading"})
	if ids := h.blobIDs(); len(ids) != 0 {
		t.Fatalf("blobs left %v", ids)
	}
	// The name is free again, tags and all gone.
	h.createBucket("uploading")
	h.fail(otReq{op: "GetBucketTagging", method: "GET", bucket: "uploading", query: "tagging"}, "NoSuchTagSet", 404)
	// A neighbouring bucket whose name extends this one does not count.
	h.createBucket("pre")
	h.createBucket("pre-x")
	h.put("pre-x", "k", []byte("x"), nil)
	h.ok(otReq{op: "DeleteBucket", method: "DELETE", bucket: "pre"})
}
