package bench

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// maxConnsPerHost bounds the idle pool per server; it must stay above the highest workload
// concurrency (16) so no measured request pays for a new TCP connection.
const maxConnsPerHost = 64

// newHTTPClient is the one HTTP client every target shares. No proxy: the servers are measured
// directly, whatever HTTP_PROXY says.
func newHTTPClient() aws.HTTPClient {
	return awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.Proxy = nil
		tr.MaxIdleConns = 4 * maxConnsPerHost
		tr.MaxIdleConnsPerHost = maxConnsPerHost
		tr.IdleConnTimeout = 5 * time.Minute
	})
}

// newS3Client is aws-sdk-go-v2's S3 client as an application would build it, except:
// path-style addressing (moto_server needs it), an explicit endpoint and static credentials, and no
// retries, so a failing request is counted instead of hidden inside a slower one. Checksums stay at the
// SDK defaults (CRC32 on PutObject, validation of returned checksums on GetObject).
func newS3Client(cfg Config, endpoint string, httpClient aws.HTTPClient) *s3.Client {
	awsCfg := aws.Config{
		Region:                     cfg.Region,
		Credentials:                credentials.NewStaticCredentialsProvider(cfg.AccessKey, cfg.SecretKey, ""),
		HTTPClient:                 httpClient,
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	}
	return s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
		o.Retryer = aws.NopRetryer{}
	})
}

// stampLen is the head of every object body that carries its own key, so a body returned for the
// wrong key is caught even though all bodies of one size share the rest of their bytes.
const stampLen = 48

// payload holds the seeded random bytes object bodies are made of (random so that no compression
// or deduplication can flatter a server).
type payload struct{ base []byte }

func newPayload(maxSize int) payload {
	r := rand.New(rand.NewChaCha8([32]byte{'t', 'r', 'i', 'b', 'u', 't', 'a', 'r', 'y'}))
	base := make([]byte, maxSize)
	var v uint64
	for i := range base {
		if i%8 == 0 {
			v = r.Uint64()
		}
		base[i] = byte(v >> (8 * (i % 8)))
	}
	return payload{base: base}
}

// body returns a new buffer holding key's body of the given size.
func (p payload) body(key string, size int) []byte {
	buf := make([]byte, size)
	copy(buf, p.base)
	stamp(buf, key)
	return buf
}

// stamp writes key, space padded, over the first stampLen bytes of buf (fewer if buf is shorter).
func stamp(buf []byte, key string) {
	n := min(stampLen, len(buf))
	copy(buf[:n], key)
	for i := min(len(key), n); i < n; i++ {
		buf[i] = ' '
	}
}

// verify reports how got differs from key's body of the given size; nil when byte-exact.
func (p payload) verify(key string, size int, got []byte) error {
	if len(got) != size {
		return fmt.Errorf("body is %d bytes, want %d", len(got), size)
	}
	var want [stampLen]byte
	n := min(stampLen, size)
	stamp(want[:n], key)
	if !bytes.Equal(got[:n], want[:n]) {
		return fmt.Errorf("body head is %q, want %q (the body of another key?)", got[:n], want[:n])
	}
	if !bytes.Equal(got[n:], p.base[n:size]) {
		i := n
		for got[i] == p.base[i] {
			i++
		}
		return fmt.Errorf("body differs from offset %d on (got %x..., want %x...)", i, got[i:min(i+8, size)], p.base[i:min(i+8, size)])
	}
	return nil
}

// DataError is a server returning something other than what was stored. It aborts the benchmark:
// a fast wrong answer is not a result.
type DataError struct {
	Target string
	Key    string
	Detail string
}

func (e *DataError) Error() string {
	return fmt.Sprintf("WRONG DATA from %s for key %q: %s", e.Target, e.Key, e.Detail)
}

// isChecksumMismatch recognises the SDK's response-checksum validation failure (its error type is
// unexported), which means the body did not match the checksum the server sent.
func isChecksumMismatch(err error) bool {
	return err != nil && strings.Contains(err.Error(), "checksum did not match")
}
