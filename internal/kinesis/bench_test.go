package kinesis

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/kv"
	"github.com/tributary-dev/tributary/internal/storage/streamlog"
)

// benchService is a Service on real (fsynced) logs under the scratch
// directory given by KINESIS_BENCH_DIR (default: the test's temp dir),
// called directly: no HTTP, no SigV4, so profiles show this package.
func benchService(b *testing.B, shards int) *Service {
	b.Helper()
	dir := b.TempDir()
	if d := os.Getenv("KINESIS_BENCH_DIR"); d != "" {
		var err error
		if dir, err = os.MkdirTemp(d, "bench-"); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { os.RemoveAll(dir) })
	}
	logs, err := streamlog.Open(dir, streamlog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { logs.Close() })
	s := New(kv.NewMemory(), logs, Config{Region: testRegion, AccountID: testAccount, CreateDelay: 1})
	call(b, s, "CreateStream", fmt.Sprintf(`{"StreamName":"b","ShardCount":%d}`, shards))
	return s
}

var benchRoute = awsproto.Route{Service: "kinesis", Protocol: awsproto.ProtocolJSON11, JSONPrefix: "Kinesis_20131202"}

func call(b testing.TB, s *Service, op, body string) []byte {
	rt := benchRoute
	rt.Operation = op
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader([]byte(body)))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	w := &discardWriter{h: http.Header{}}
	if op != "GetRecords" {
		w.keep = &bytes.Buffer{}
	}
	if err := s.Handle(w, r, rt); err != nil {
		b.Fatalf("%s: %v", op, err)
	}
	if w.keep == nil {
		return nil
	}
	return w.keep.Bytes()
}

// discardWriter is a ResponseWriter that keeps the body only when asked
// (the recorder's copying would dominate GetRecords profiles).
type discardWriter struct {
	h    http.Header
	keep *bytes.Buffer
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(int)     {}
func (w *discardWriter) Write(p []byte) (int, error) {
	if w.keep != nil {
		return w.keep.Write(p)
	}
	return len(p), nil
}

func putRecordsBody(n, size, seed int) string {
	type entry struct {
		Data         string `json:"Data"`
		PartitionKey string `json:"PartitionKey"`
	}
	data := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("d"), size))
	recs := make([]entry, n)
	for i := range recs {
		recs[i] = entry{Data: data, PartitionKey: "key-" + strconv.Itoa(seed*n+i)}
	}
	body, _ := json.Marshal(map[string]any{"StreamName": "b", "Records": recs})
	return string(body)
}

func benchmarkPutRecords(b *testing.B, size int) {
	s := benchService(b, 4)
	bodies := make([]string, 16)
	for i := range bodies {
		bodies[i] = putRecordsBody(500, size, i)
	}
	b.SetParallelism(4) // 8 producers on 2 cores
	b.SetBytes(int64(500 * size))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			call(b, s, "PutRecords", bodies[i%len(bodies)])
			i++
		}
	})
	b.ReportMetric(float64(b.N*500)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkPutRecords1KiB(b *testing.B) { benchmarkPutRecords(b, 1024) }
func BenchmarkPutRecords128B(b *testing.B) { benchmarkPutRecords(b, 128) }

func BenchmarkGetRecords(b *testing.B) {
	s := benchService(b, 1)
	body := putRecordsBody(500, 1024, 0)
	for i := 0; i < 40; i++ { // 20,000 records
		call(b, s, "PutRecords", body)
	}
	var it struct{ ShardIterator string }
	json.Unmarshal(call(b, s, "GetShardIterator", `{"StreamName":"b","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}`), &it)
	req := `{"ShardIterator":"` + it.ShardIterator + `","Limit":10000}`
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		call(b, s, "GetRecords", req)
	}
	b.ReportMetric(float64(b.N*10000)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkPutRecordsHTTP is the whole server path (classifier, SigV4 with
// the body hashed, decode, append, answer) over loopback HTTP: requests are
// signed once and replayed by 8 producers.
func BenchmarkPutRecordsHTTP1KiB(b *testing.B) { benchmarkPutRecordsHTTP(b, 1024) }
func BenchmarkPutRecordsHTTP128B(b *testing.B) { benchmarkPutRecordsHTTP(b, 128) }

func benchmarkPutRecordsHTTP(b *testing.B, size int) {
	e := newEnv(b)
	e.createStream("b", 4)
	type signed struct {
		body   []byte
		header http.Header
	}
	reqs := make([]signed, 16)
	for i := range reqs {
		body := []byte(putRecordsBody(500, size, i))
		req := signedRequest(b, e.url, "PutRecords", "application/x-amz-json-1.1", body)
		reqs[i] = signed{body, req.Header}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	b.SetParallelism(4)
	b.SetBytes(int64(500 * size))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			s := reqs[i%len(reqs)]
			i++
			req, _ := http.NewRequest(http.MethodPost, e.url+"/", bytes.NewReader(s.body))
			req.Header = s.header.Clone()
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	})
	b.ReportMetric(float64(b.N*500)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkGetRecordsHTTP drains 10,000 records of 1 KiB per call over
// loopback HTTP (SigV4 included), decoding only the record count.
func BenchmarkGetRecordsHTTP(b *testing.B) {
	e := newEnv(b)
	e.createStream("b", 1)
	body := []byte(putRecordsBody(500, 1024, 0))
	for i := 0; i < 20; i++ {
		resp, err := http.DefaultClient.Do(signedRequest(b, e.url, "PutRecords", "application/x-amz-json-1.1", body))
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("put: %v", err)
		}
		resp.Body.Close()
	}
	it := e.iterator("b", "shardId-000000000000", "TRIM_HORIZON", "", nil)
	client := &http.Client{}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := signedRequest(b, e.url, "GetRecords", "application/x-amz-json-1.1", []byte(`{"ShardIterator":"`+it+`","Limit":10000}`))
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || n < 10000*1024 {
			b.Fatalf("status %d, %d bytes", resp.StatusCode, n)
		}
	}
	b.ReportMetric(float64(b.N*10000)/b.Elapsed().Seconds(), "records/s")
}
