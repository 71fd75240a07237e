package s3

import (
	"context"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/blob"
	"github.com/tributary-dev/tributary/internal/storage/kv"
	"github.com/tributary-dev/tributary/internal/storage/kv/boltkv"
	"github.com/tributary-dev/tributary/internal/storage/kv/pebblekv"
)

// BenchmarkListObjectsV2SDK lists 10,000 keys in 10 pages of 1000 through
// aws-sdk-go-v2's paginator against the listing handler alone behind an
// HTTP server (no auth or middleware; BenchmarkListObjectsV2Server has the
// whole server), on each durable kv backend. cpu-ms/op is the CPU both
// sides spent per 10,000 keys.
//
//	go test ./internal/s3/ -run '^$' -bench ListObjectsV2SDK -benchtime 20x
func BenchmarkListObjectsV2SDK(b *testing.B) {
	backends := []struct {
		name string
		open func(dir string) (kv.Store, error)
	}{
		{"pebble", pebblekv.Open},
		{"bolt", func(dir string) (kv.Store, error) { return boltkv.Open(filepath.Join(dir, "meta.db")) }},
	}
	for _, be := range backends {
		b.Run(be.name, func(b *testing.B) {
			store, err := be.open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			s := New(store, blob.NewMemory(), Config{AccountID: listTestAccount})
			listBenchPopulate(b, s, 10000)
			client, stop := listBenchClient(s)
			defer stop()
			ctx := context.Background()
			cpu0 := listCPUTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				keys, pages := 0, 0
				p := awss3.NewListObjectsV2Paginator(client, &awss3.ListObjectsV2Input{Bucket: aws.String("bkt"), MaxKeys: aws.Int32(1000)})
				for p.HasMorePages() {
					out, err := p.NextPage(ctx)
					if err != nil {
						b.Fatal(err)
					}
					keys += len(out.Contents)
					pages++
				}
				if keys != 10000 || pages != 10 {
					b.Fatalf("listed %d keys in %d pages", keys, pages)
				}
			}
			b.ReportMetric(float64(10000*b.N)/b.Elapsed().Seconds(), "keys/s")
			b.ReportMetric(float64(listCPUTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}

// BenchmarkListObjectsV2SDKClientOnly is BenchmarkListObjectsV2SDK with the
// ten pages rendered beforehand: what remains is HTTP and the SDK's own
// decoding, the floor under the end-to-end figure.
func BenchmarkListObjectsV2SDKClientOnly(b *testing.B) {
	s := New(kv.NewMemory(), blob.NewMemory(), Config{AccountID: listTestAccount})
	listBenchPopulate(b, s, 10000)
	pages := map[string][]byte{}
	rt := awsproto.Route{Service: "s3", Operation: "ListObjectsV2", Protocol: awsproto.ProtocolRESTXML, Bucket: "bkt"}
	for token := ""; ; {
		q := url.Values{"list-type": {"2"}}
		if token != "" {
			q.Set("continuation-token", token)
		}
		w := httptest.NewRecorder()
		if err := s.Handle(w, httptest.NewRequest("GET", "/bkt?"+q.Encode(), nil), rt); err != nil {
			b.Fatal(err)
		}
		pages[token] = w.Body.Bytes()
		var res struct{ NextContinuationToken string }
		xml.Unmarshal(w.Body.Bytes(), &res)
		if res.NextContinuationToken == "" {
			break
		}
		token = res.NextContinuationToken
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := pages[r.URL.Query().Get("continuation-token")]
		w.Header().Set("Content-Type", "application/xml")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.Write(body)
	}))
	defer srv.Close()
	client := awss3.New(awss3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true, HTTPClient: srv.Client(),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	ctx := context.Background()
	cpu0 := listCPUTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		keys := 0
		p := awss3.NewListObjectsV2Paginator(client, &awss3.ListObjectsV2Input{Bucket: aws.String("bkt")})
		for p.HasMorePages() {
			out, err := p.NextPage(ctx)
			if err != nil {
				b.Fatal(err)
			}
			keys += len(out.Contents)
		}
		if keys != 10000 {
			b.Fatalf("listed %d keys", keys)
		}
	}
	b.ReportMetric(float64(10000*b.N)/b.Elapsed().Seconds(), "keys/s")
	b.ReportMetric(float64(listCPUTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
}

// listCPUTime is the process's user+system CPU time: on a shared machine it
// shows the work done when wall time mostly shows the neighbours.
func listCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// listBenchPopulate writes n object records shaped like real ones.
func listBenchPopulate(b *testing.B, s *Service, n int) {
	listPutBucket(b, s, "bkt")
	for start := 0; start < n; start += 1000 {
		err := s.kv.Update(func(tx kv.Writer) error {
			for i := start; i < min(start+1000, n); i++ {
				key := "data/2025/01/" + strconv.Itoa(100000+i) + "/part-" + strconv.Itoa(i%97) + ".json"
				m := objectMeta{Key: key, Size: int64(4096 + i), ETag: listMD5(key), LastModified: time.Now().UTC(),
					StorageClass: "STANDARD", ContentType: "application/json", UserMetadata: map[string]string{"origin": "bench"},
					Checksum: checksumInfo{Algorithm: "CRC32", Value: "AAAAAA==", Type: "FULL_OBJECT"},
					Pieces:   []blobRef{{BlobID: strings.Repeat("ab", 16), Size: int64(4096 + i)}}}
				if err := putJSON(tx, objectKey("bkt", key), &m); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// listBenchClient serves s's listing operations path-style over HTTP and
// returns an SDK client for it.
func listBenchClient(s *Service) (*awss3.Client, func()) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := "ListObjects"
		if r.URL.Query().Get("list-type") == "2" {
			op = "ListObjectsV2"
		}
		rt := awsproto.Route{Service: "s3", Operation: op, Protocol: awsproto.ProtocolRESTXML, Bucket: strings.Trim(r.URL.Path, "/")}
		if err := s.Handle(w, r, rt); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	}))
	client := awss3.New(awss3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true, HTTPClient: srv.Client(),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	})
	return client, srv.Close
}

// BenchmarkListObjectsV2Page measures the handler alone: one page of 1000
// keys from a 10,000-key bucket on pebble, without HTTP or the SDK, written
// to a ResponseWriter that discards (an httptest.ResponseRecorder would add
// its own growing body buffer to B/op). Two record shapes: "pieces" has user
// metadata and a blob reference, "inline64" is what the side-by-side
// benchmark's 64-byte PUTs store (the body inline in the record).
func BenchmarkListObjectsV2Page(b *testing.B) {
	for _, shape := range []struct {
		name   string
		inline bool
	}{{"pieces", false}, {"inline64", true}} {
		b.Run(shape.name, func(b *testing.B) {
			store, err := pebblekv.Open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			s := New(store, blob.NewMemory(), Config{AccountID: listTestAccount})
			if shape.inline {
				listBenchPopulateInline(b, s, 10000, 64)
			} else {
				listBenchPopulate(b, s, 10000)
			}
			rt := awsproto.Route{Service: "s3", Operation: "ListObjectsV2", Protocol: awsproto.ProtocolRESTXML, Bucket: "bkt"}
			w := &listDiscardWriter{header: http.Header{}}
			b.ReportAllocs()
			cpu0 := listCPUTime()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r := httptest.NewRequest("GET", "/bkt?list-type=2&start-after=data%2F2025%2F01%2F104000", nil)
				w.reset()
				if err := s.Handle(w, r, rt); err != nil {
					b.Fatal(err)
				}
				if w.status != http.StatusOK || w.n < 1000*200 {
					b.Fatalf("status %d, %d bytes", w.status, w.n)
				}
			}
			b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "keys/s")
			b.ReportMetric(float64(listCPUTime()-cpu0)/float64(b.N)/1e6, "cpu-ms/op")
		})
	}
}

// listBenchPopulateInline writes n object records with size-byte bodies
// inline, as PutObject stores small objects.
func listBenchPopulateInline(b *testing.B, s *Service, n, size int) {
	listPutBucket(b, s, "bkt")
	body := []byte(strings.Repeat("x", size))
	for start := 0; start < n; start += 1000 {
		err := s.kv.Update(func(tx kv.Writer) error {
			for i := start; i < min(start+1000, n); i++ {
				key := "data/2025/01/" + strconv.Itoa(100000+i)
				m := objectMeta{Key: key, Size: int64(size), ETag: listMD5(key), LastModified: time.Now().UTC(),
					ContentType: "application/octet-stream", Checksum: checksumInfo{Algorithm: "CRC32", Value: "AAAAAA==", Type: "FULL_OBJECT"},
					Pieces: []blobRef{{Size: int64(size), Data: body}}}
				if err := putJSON(tx, objectKey("bkt", key), &m); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// listDiscardWriter is an http.ResponseWriter that counts and drops the body.
type listDiscardWriter struct {
	header http.Header
	status int
	n      int
}

func (w *listDiscardWriter) reset() {
	clear(w.header)
	w.status, w.n = 0, 0
}

func (w *listDiscardWriter) Header() http.Header { return w.header }

func (w *listDiscardWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *listDiscardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += len(p)
	return len(p), nil
}
