package auth

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The S3 chunked-upload worked examples
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and
// .../sigv4-streaming-trailers.html): 66560 bytes of 'a' in a 65536- and a
// 1024-byte chunk, PUT /examplebucket/chunkObject.txt on s3.amazonaws.com at
// 20130524T000000Z, key AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY.
// The signatures below are the documents' values.
const (
	exampleAccessKey = "AKIAIOSFODNN7EXAMPLE"
	exampleSecret    = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"

	exampleSeed   = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
	exampleChunk1 = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
	exampleChunk2 = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
	exampleFinal  = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"

	trailerExampleSeed    = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
	trailerExampleChunk1  = "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2"
	trailerExampleChunk2  = "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7"
	trailerExampleFinal   = "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992"
	trailerExampleTrailer = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"
)

func exampleTime() time.Time { return time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC) }

func exampleVerifier(secret string) *Verifier {
	return NewVerifier(Options{Now: exampleTime,
		Credentials: []Credential{{AccessKeyID: exampleAccessKey, SecretAccessKey: secret}}})
}

func exampleBody() string {
	return "10000;chunk-signature=" + exampleChunk1 + "\r\n" + strings.Repeat("a", 65536) + "\r\n" +
		"400;chunk-signature=" + exampleChunk2 + "\r\n" + strings.Repeat("a", 1024) + "\r\n" +
		"0;chunk-signature=" + exampleFinal + "\r\n\r\n"
}

func trailerExampleBody() string {
	return "10000;chunk-signature=" + trailerExampleChunk1 + "\r\n" + strings.Repeat("a", 65536) + "\r\n" +
		"400;chunk-signature=" + trailerExampleChunk2 + "\r\n" + strings.Repeat("a", 1024) + "\r\n" +
		"0;chunk-signature=" + trailerExampleFinal + "\r\n" +
		"x-amz-checksum-crc32c:sOO8/Q==\r\n" +
		"x-amz-trailer-signature:" + trailerExampleTrailer + "\r\n\r\n"
}

// exampleRequest is the documents' request, as a Go server would present it
// (absolute-form target, as sent through a proxy, to exercise that too).
func exampleRequest(body string, trailer bool) *http.Request {
	r := httptest.NewRequest("PUT", "http://s3.amazonaws.com/examplebucket/chunkObject.txt", strings.NewReader(body))
	r.Host = "s3.amazonaws.com"
	r.Header.Set("X-Amz-Date", "20130524T000000Z")
	r.Header.Set("X-Amz-Storage-Class", "REDUCED_REDUNDANCY")
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", "66560")
	r.Header.Set("Content-Length", "66824")
	if trailer {
		r.Header.Set("X-Amz-Content-Sha256", streamingSignedTrailer)
		r.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32c")
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"+
			"SignedHeaders=content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer,"+
			"Signature="+trailerExampleSeed)
	} else {
		r.Header.Set("X-Amz-Content-Sha256", streamingSigned)
		r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"+
			"SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,"+
			"Signature="+exampleSeed)
	}
	return r
}

// flipByte returns s with the byte at i changed.
func flipByte(s string, i int) string {
	b := []byte(s)
	b[i] ^= 0x01
	return string(b)
}

func TestChunkedSignedExample(t *testing.T) {
	full := exampleBody()
	dataStart := len("10000;chunk-signature=") + 64 + 2
	cases := []struct {
		name    string
		body    string
		secret  string
		authErr string // expected from Authenticate
		readErr string // expected from reading the body to EOF
	}{
		{name: "as documented", body: full},
		{name: "wrong secret", body: full, secret: exampleSecret + "x", authErr: "SignatureDoesNotMatch"},
		{name: "data byte changed", body: flipByte(full, dataStart+100), readErr: "SignatureDoesNotMatch"},
		{name: "second chunk signature changed", body: strings.Replace(full, exampleChunk2, exampleChunk1, 1), readErr: "SignatureDoesNotMatch"},
		{name: "final chunk signature changed", body: strings.Replace(full, exampleFinal, exampleChunk2, 1), readErr: "SignatureDoesNotMatch"},
		{name: "chunks swapped", body: "400;chunk-signature=" + exampleChunk2 + "\r\n" + strings.Repeat("a", 1024) + "\r\n" +
			"10000;chunk-signature=" + exampleChunk1 + "\r\n" + strings.Repeat("a", 65536) + "\r\n" +
			"0;chunk-signature=" + exampleFinal + "\r\n\r\n", readErr: "SignatureDoesNotMatch"},
		{name: "signature missing on a chunk", body: strings.Replace(full, "400;chunk-signature="+exampleChunk2, "400", 1), readErr: "InvalidRequest"},
		{name: "truncated in data", body: full[:40000], readErr: "IncompleteBody"},
		{name: "truncated before final chunk", body: full[:strings.Index(full, "0;chunk-signature="+exampleFinal)], readErr: "IncompleteBody"},
		{name: "truncated in a chunk header", body: full[:strings.Index(full, "400;")+10], readErr: "IncompleteBody"},
		{name: "no final CRLF", body: strings.TrimSuffix(full, "\r\n")},
		{name: "data after the end", body: full + "xyz", readErr: "InvalidRequest"},
		{name: "chunk size not hex", body: strings.Replace(full, "400;", "4g0;", 1), readErr: "InvalidRequest"},
		{name: "bare LF after header", body: strings.Replace(full, exampleChunk2+"\r\n", exampleChunk2+"\n", 1), readErr: "InvalidRequest"},
		{name: "data longer than its chunk", body: strings.Replace(full, strings.Repeat("a", 1024)+"\r\n", strings.Repeat("a", 1025)+"\r\n", 1), readErr: "InvalidRequest"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			secret := tc.secret
			if secret == "" {
				secret = exampleSecret
			}
			r := exampleRequest(tc.body, false)
			p, err := exampleVerifier(secret).Authenticate(r)
			if errCode(err) != tc.authErr {
				t.Fatalf("Authenticate: %v, want %q", err, tc.authErr)
			}
			if err != nil {
				return
			}
			if p.AccessKeyID != exampleAccessKey {
				t.Fatalf("principal %+v", p)
			}
			if r.ContentLength != 66560 || r.Header.Get("Content-Length") != "66560" || r.Header.Get("Content-Encoding") != "" {
				t.Fatalf("decoded request: ContentLength %d, headers %v", r.ContentLength, r.Header)
			}
			got, err := io.ReadAll(r.Body)
			if errCode(err) != tc.readErr {
				t.Fatalf("read: %v, want %q", err, tc.readErr)
			}
			if err == nil && string(got) != strings.Repeat("a", 66560) {
				t.Fatalf("decoded %d bytes, not the 66560 a's", len(got))
			}
		})
	}
}

func TestChunkedSignedTrailerExample(t *testing.T) {
	full := trailerExampleBody()
	cases := []struct {
		name, body, readErr string
	}{
		{name: "as documented", body: full},
		{name: "trailer value changed", body: strings.Replace(full, "sOO8/Q==", "sOO8/Q=A", 1), readErr: "SignatureDoesNotMatch"},
		{name: "trailer signature changed", body: strings.Replace(full, trailerExampleTrailer, trailerExampleFinal, 1), readErr: "SignatureDoesNotMatch"},
		{name: "trailer signature missing", body: strings.Replace(full, "x-amz-trailer-signature:"+trailerExampleTrailer+"\r\n", "", 1), readErr: "MalformedTrailerError"},
		{name: "line after trailer signature", body: strings.TrimSuffix(full, "\r\n") + "x-amz-meta-a:b\r\n\r\n", readErr: "MalformedTrailerError"},
		{name: "trailer line without colon", body: strings.Replace(full, "x-amz-checksum-crc32c:sOO8/Q==", "x-amz-checksum-crc32c sOO8/Q==", 1), readErr: "MalformedTrailerError"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := exampleRequest(tc.body, true)
			if _, err := exampleVerifier(exampleSecret).Authenticate(r); err != nil {
				t.Fatal(err)
			}
			if r.Trailer == nil || len(r.Trailer) != 0 {
				t.Fatalf("r.Trailer before the body is read = %v, want empty non-nil", r.Trailer)
			}
			got, err := io.ReadAll(r.Body)
			if errCode(err) != tc.readErr {
				t.Fatalf("read: %v, want %q", err, tc.readErr)
			}
			if err != nil {
				return
			}
			if string(got) != strings.Repeat("a", 66560) {
				t.Fatalf("decoded %d bytes", len(got))
			}
			if v := r.Trailer.Get("x-amz-checksum-crc32c"); v != "sOO8/Q==" {
				t.Fatalf("trailer checksum %q, trailer %v", v, r.Trailer)
			}
			crc := crc32.Checksum(got, crc32.MakeTable(crc32.Castagnoli))
			if b64 := base64.StdEncoding.EncodeToString([]byte{byte(crc >> 24), byte(crc >> 16), byte(crc >> 8), byte(crc)}); b64 != r.Trailer.Get("x-amz-checksum-crc32c") {
				t.Fatalf("documented checksum %s does not match the data (%s)", r.Trailer.Get("x-amz-checksum-crc32c"), b64)
			}
		})
	}
}

// encodeChunks frames data as unsigned aws-chunked with the given chunk
// size and trailer lines.
func encodeChunks(data []byte, chunkSize int, trailer ...string) []byte {
	var b bytes.Buffer
	for len(data) > 0 {
		n := min(chunkSize, len(data))
		fmt.Fprintf(&b, "%x\r\n", n)
		b.Write(data[:n])
		b.WriteString("\r\n")
		data = data[n:]
	}
	b.WriteString("0\r\n")
	for _, l := range trailer {
		b.WriteString(l + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// decodeAll runs the unsigned decoder over body, reading with bufSize reads.
func decodeAll(body []byte, want int64, bufSize int) ([]byte, http.Header, error) {
	trailer := http.Header{}
	c := newChunkedReader(io.NopCloser(bytes.NewReader(body)), want, nil, true, false, trailer)
	var out bytes.Buffer
	buf := make([]byte, bufSize)
	for {
		n, err := c.Read(buf)
		out.Write(buf[:n])
		if err == io.EOF {
			return out.Bytes(), trailer, nil
		}
		if err != nil {
			return out.Bytes(), trailer, err
		}
	}
}

func TestChunkedUnsignedDecode(t *testing.T) {
	// The exact 53 bytes boto3 and aws-sdk-go-v2 send for put_object(Body=b"hello world\n") (spec A3).
	hello := "c\r\nhello world\n\r\n0\r\nx-amz-checksum-crc32:rwg7LQ==\r\n\r\n"
	big := bytes.Repeat([]byte("0123456789abcdefghijklmnopqrstuvwxyz"), 100000) // 3.6 MB
	cases := []struct {
		name        string
		body        []byte
		want        int64
		wantData    []byte
		wantTrailer string // x-amz-checksum-crc32
		err         string
	}{
		{name: "spec example", body: []byte(hello), want: 12, wantData: []byte("hello world\n"), wantTrailer: "rwg7LQ=="},
		{name: "length unknown", body: []byte(hello), want: -1, wantData: []byte("hello world\n"), wantTrailer: "rwg7LQ=="},
		{name: "declared length too long", body: []byte(hello), want: 13, err: "IncompleteBody"},
		{name: "declared length too short", body: []byte(hello), want: 11, err: "IncompleteBody"},
		{name: "empty body", body: []byte("0\r\n\r\n"), want: 0, wantData: []byte{}},
		{name: "no final CRLF after trailer", body: []byte(strings.TrimSuffix(hello, "\r\n")), want: 12, wantData: []byte("hello world\n"), wantTrailer: "rwg7LQ=="},
		{name: "chunk extension ignored", body: []byte(strings.Replace(hello, "c\r\n", "c;chunk-signature=00\r\n", 1)), want: 12, wantData: []byte("hello world\n"), wantTrailer: "rwg7LQ=="},
		{name: "many 1 MiB chunks", body: encodeChunks(big, 1<<20, "x-amz-checksum-crc32:AAAAAA=="), want: int64(len(big)), wantData: big, wantTrailer: "AAAAAA=="},
		{name: "many odd chunks", body: encodeChunks(big, 8191), want: int64(len(big)), wantData: big},
		{name: "truncated in trailer", body: []byte(hello[:len(hello)-8]), want: 12, err: "IncompleteBody"},
		{name: "truncated in data", body: []byte(hello[:8]), want: 12, err: "IncompleteBody"},
		{name: "empty source", body: nil, want: -1, err: "IncompleteBody"},
		{name: "trailer without colon", body: []byte(strings.Replace(hello, "x-amz-checksum-crc32:", "x-amz-checksum-crc32 ", 1)), want: 12, err: "MalformedTrailerError"},
		{name: "trailer line too long", body: []byte("0\r\nx-amz-meta-a:" + strings.Repeat("v", chunkBufSize) + "\r\n\r\n"), want: 0, err: "InvalidRequest"},
		{name: "trailer block too large", body: []byte("0\r\n" + strings.Repeat("x-amz-meta-a:"+strings.Repeat("v", 1000)+"\r\n", 20) + "\r\n"), want: 0, err: "MalformedTrailerError"},
		{name: "chunk size overflow", body: []byte("fffffffffffffffff\r\n"), want: -1, err: "InvalidRequest"},
		{name: "empty chunk size", body: []byte(";x\r\n"), want: -1, err: "InvalidRequest"},
		{name: "no CRLF after data", body: []byte("2\r\nabX\r\n0\r\n\r\n"), want: -1, err: "InvalidRequest"},
	}
	for _, tc := range cases {
		for _, bufSize := range []int{1, 7, 4096, 256 << 10} {
			t.Run(tc.name+"/read-"+strconv.Itoa(bufSize), func(t *testing.T) {
				if bufSize < 4096 && len(tc.body) > 1<<20 {
					t.Skip("too slow with tiny reads")
				}
				got, trailer, err := decodeAll(tc.body, tc.want, bufSize)
				if errCode(err) != tc.err {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				if err != nil {
					return
				}
				if !bytes.Equal(got, tc.wantData) {
					t.Fatalf("decoded %d bytes, want %d", len(got), len(tc.wantData))
				}
				if v := trailer.Get("X-Amz-Checksum-Crc32"); v != tc.wantTrailer {
					t.Fatalf("trailer %q, want %q", v, tc.wantTrailer)
				}
			})
		}
	}
}

// TestChunkedUnsignedNoPerChunkAllocations: decoding allocates the same
// whether the body has 4 chunks or 64, so nothing is allocated per chunk
// (or per byte).
func TestChunkedUnsignedNoPerChunkAllocations(t *testing.T) {
	data := bytes.Repeat([]byte{'x'}, 16<<20)
	allocs := func(chunk int) float64 {
		body := encodeChunks(data, chunk)
		src := bytes.NewReader(body)
		buf := make([]byte, 256<<10)
		return testing.AllocsPerRun(3, func() {
			src.Reset(body)
			c := newChunkedReader(io.NopCloser(src), int64(len(data)), nil, true, false, http.Header{})
			if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{c}, buf); err != nil {
				t.Fatal(err)
			}
		})
	}
	few, many := allocs(4<<20), allocs(256<<10)
	if many > few {
		t.Fatalf("64 chunks allocate %v times, 4 chunks %v: allocation per chunk", many, few)
	}
}

func TestStripAWSChunked(t *testing.T) {
	cases := []struct {
		in   []string
		want []string
	}{
		{[]string{"aws-chunked"}, nil},
		{[]string{"gzip,aws-chunked"}, []string{"gzip"}},
		{[]string{"aws-chunked, gzip"}, []string{"gzip"}},
		{[]string{"gzip", "AWS-Chunked"}, []string{"gzip"}},
		{[]string{"gzip, br"}, []string{"gzip,br"}},
	}
	for _, tc := range cases {
		h := http.Header{"Content-Encoding": tc.in}
		stripAWSChunked(h)
		if got := h.Values("Content-Encoding"); strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%q → %q, want %q", tc.in, got, tc.want)
		}
	}
}

func benchmarkDecode(b *testing.B, signed bool) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 4<<20) // 64 MiB
	const chunk = 1 << 20
	var body []byte
	var key []byte
	if signed {
		key = signingKey(exampleSecret, "20130524", "us-east-1", "s3")
		enc := newChunkSigner(key, "20130524T000000Z", "20130524/us-east-1/s3/aws4_request", exampleSeed)
		var buf bytes.Buffer
		sign := func(p []byte) string {
			enc.data.Write(p)
			enc.verifyChunk(nil)
			return string(enc.prev[:])
		}
		for d := data; len(d) > 0; d = d[chunk:] {
			fmt.Fprintf(&buf, "%x;chunk-signature=%s\r\n", chunk, sign(d[:chunk]))
			buf.Write(d[:chunk])
			buf.WriteString("\r\n")
		}
		fmt.Fprintf(&buf, "0;chunk-signature=%s\r\n\r\n", sign(nil))
		body = buf.Bytes()
	} else {
		body = encodeChunks(data, chunk, "x-amz-checksum-crc32:AAAAAA==")
	}
	src := bytes.NewReader(body)
	buf := make([]byte, 256<<10)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		src.Reset(body)
		var signer *chunkSigner
		if signed {
			signer = newChunkSigner(key, "20130524T000000Z", "20130524/us-east-1/s3/aws4_request", exampleSeed)
		}
		c := newChunkedReader(io.NopCloser(src), int64(len(data)), signer, !signed, false, http.Header{})
		n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{c}, buf)
		if err != nil || n != int64(len(data)) {
			b.Fatalf("decoded %d, %v", n, err)
		}
	}
}

// BenchmarkChunkedDecode measures the aws-chunked decoder on 64 MiB in
// 1 MiB chunks, read with 256 KiB reads as the S3 ingest does.
func BenchmarkChunkedDecode(b *testing.B) {
	b.Run("unsigned", func(b *testing.B) { benchmarkDecode(b, false) })
	b.Run("signed", func(b *testing.B) { benchmarkDecode(b, true) })
}
