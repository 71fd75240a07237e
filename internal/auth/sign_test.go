package auth

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestSignV4RoundTrip: what SignV4 signs, the verifier accepts; a changed
// body, header or key does not pass.
func TestSignV4RoundTrip(t *testing.T) {
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	body := []byte(`{"logGroupName":"vpc-flow"}`)
	tests := []struct {
		name    string
		url     string
		cred    Credential
		tamper  func(*http.Request)
		wantErr bool
	}{
		{name: "json target", url: "http://127.0.0.1:4566/", cred: aliceCred},
		{name: "query and path", url: "http://localhost:4566/a%20b/c?z=1&a=2", cred: aliceCred},
		{name: "body changed", url: "http://127.0.0.1:4566/", cred: aliceCred, wantErr: true,
			tamper: func(r *http.Request) { r.Body = io.NopCloser(bytes.NewReader([]byte(`{"logGroupName":"other"}`))) }},
		{name: "signed header changed", url: "http://127.0.0.1:4566/", cred: aliceCred, wantErr: true,
			tamper: func(r *http.Request) { r.Header.Set("X-Amz-Target", "Logs_20140328.DeleteLogGroup") }},
		{name: "wrong secret", url: "http://127.0.0.1:4566/", wantErr: true,
			cred: Credential{AccessKeyID: aliceCred.AccessKeyID, SecretAccessKey: "not-the-secret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, tt.url, bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/x-amz-json-1.1")
			req.Header.Set("X-Amz-Target", "Logs_20140328.CreateLogGroup")
			if err := SignV4(req, bodySHA256(body), tt.cred, "logs", "us-east-1", now); err != nil {
				t.Fatal(err)
			}
			if tt.tamper != nil {
				tt.tamper(req)
			}
			v := NewVerifier(Options{Now: func() time.Time { return now }, Credentials: []Credential{aliceCred}})
			_, err := v.Authenticate(req)
			if err == nil { // the payload hash is checked as the body is read
				_, err = io.ReadAll(req.Body)
			}
			if (err != nil) != tt.wantErr {
				t.Fatalf("Authenticate: err = %v, want error %v", err, tt.wantErr)
			}
		})
	}
}

func TestSignV4Arguments(t *testing.T) {
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", nil)
	if err := SignV4(req, emptySHA256, Credential{}, "logs", "us-east-1", time.Now()); err == nil {
		t.Fatal("SignV4 without an access key: want an error")
	}
}
