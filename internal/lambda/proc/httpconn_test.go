package proc

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// rawConn dials the Runtime API of apiInstance and speaks raw HTTP/1.1.
func rawConn(t *testing.T, base string) (net.Conn, *bufio.Reader) {
	t.Helper()
	host := strings.TrimPrefix(base, "http://")
	host = host[:strings.IndexByte(host, '/')]
	nc, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	return nc, bufio.NewReader(nc)
}

func readResp(t *testing.T, br *bufio.Reader) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("read response: %v", err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func newTestCall(inst *instance, id string) *call {
	c := &call{
		inv:        Invocation{RequestID: id, Payload: []byte(`{"n":1}`)},
		trace:      newTraceID(time.Now()),
		timeout:    3 * time.Second,
		dispatched: make(chan struct{}),
		result:     make(chan answer, 1),
	}
	inst.dispatch(c)
	return c
}

// TestRuntimeAPIWire drives the HTTP/1.1 layer with what clients other than
// Go's may send: pipelined requests, chunk extensions and trailers, Expect,
// HTTP/1.0, Connection: close, malformed heads.
func TestRuntimeAPIWire(t *testing.T) {
	inst, base := apiInstance(t)

	// The event written to a GET /next that waits; a POST pipelined behind
	// the GET is answered after it, in order.
	nc, br := rawConn(t, base)
	io.WriteString(nc, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(50 * time.Millisecond) // let the GET wait
	c := newTestCall(inst, "w-1")
	resp, body := readResp(t, br)
	if resp.StatusCode != 200 || body != `{"n":1}` || resp.Header.Get("Lambda-Runtime-Aws-Request-Id") != "w-1" || resp.Header.Get("Date") == "" {
		t.Fatalf("next: %d %q %v", resp.StatusCode, body, resp.Header)
	}
	// Chunked, with an extension and a trailer, behind 100-continue.
	io.WriteString(nc, "POST /2018-06-01/runtime/invocation/w-1/response HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\nTrailer: Lambda-Runtime-Function-Error-Type\r\n\r\n")
	if line, _ := br.ReadString('\n'); line != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("continue: %q", line)
	}
	br.ReadString('\n')
	io.WriteString(nc, "3;ext=1\r\n{\"a\r\n5\r\n\":1}x\r\n0\r\nLambda-Runtime-Function-Error-Type: none\r\n\r\n")
	if resp, body := readResp(t, br); resp.StatusCode != 202 || body != `{"status":"OK"}` {
		t.Fatalf("answer: %d %s", resp.StatusCode, body)
	}
	if a := <-c.result; string(a.body) != `{"a":1}x` {
		t.Fatalf("body %q", a.body)
	}

	// Pipelined: GET /next and a bad POST sent together before any event.
	io.WriteString(nc, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\nPOST /2018-06-01/runtime/invocation/nope/response HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
	time.Sleep(50 * time.Millisecond)
	c = newTestCall(inst, "w-2")
	if resp, _ := readResp(t, br); resp.Header.Get("Lambda-Runtime-Aws-Request-Id") != "w-2" {
		t.Fatalf("pipelined next: %v", resp.Header)
	}
	if resp, body := readResp(t, br); resp.StatusCode != 400 || body != string(errInvalidID) {
		t.Fatalf("pipelined post: %d %s", resp.StatusCode, body)
	}
	// HTTP/1.0: answered, then closed.
	io.WriteString(nc, "POST /2018-06-01/runtime/invocation/w-2/response HTTP/1.0\r\nContent-Length: 1\r\n\r\n7")
	if resp, _ := readResp(t, br); resp.StatusCode != 202 || !resp.Close {
		t.Fatalf("http/1.0: %d close=%v", resp.StatusCode, resp.Close)
	}
	if _, err := br.ReadByte(); err != io.EOF {
		t.Fatalf("connection not closed: %v", err)
	}
	if a := <-c.result; string(a.body) != "7" {
		t.Fatalf("body %q", a.body)
	}

	// HTTP/1.0 with keep-alive stays open; a body of many small chunks
	// (framing beyond the head's size limit) is read whole.
	c = newTestCall(inst, "w-k")
	nck, brk := rawConn(t, base)
	io.WriteString(nck, "GET /2018-06-01/runtime/invocation/next HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	if resp, _ := readResp(t, brk); resp.StatusCode != 200 || resp.Close {
		t.Fatalf("http/1.0 keep-alive: %d close=%v", resp.StatusCode, resp.Close)
	}
	var chunks strings.Builder
	chunks.WriteString("POST /2018-06-01/runtime/invocation/w-k/response HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n")
	for range 300000 {
		chunks.WriteString("1\r\na\r\n")
	}
	chunks.WriteString("0\r\n\r\n")
	go io.WriteString(nck, chunks.String())
	if resp, _ := readResp(t, brk); resp.StatusCode != 202 {
		t.Fatalf("many chunks: %d", resp.StatusCode)
	}
	if a := <-c.result; len(a.body) != 300000 {
		t.Fatalf("many chunks: %d bytes", len(a.body))
	}

	// A waiting GET /next whose connection closes gives up the event: the
	// next GET /next gets it.
	nc2, _ := rawConn(t, base)
	io.WriteString(nc2, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\n\r\n")
	time.Sleep(50 * time.Millisecond)
	nc2.Close()
	time.Sleep(50 * time.Millisecond)
	c = newTestCall(inst, "w-3")
	nc3, br3 := rawConn(t, base)
	io.WriteString(nc3, "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	if resp, _ := readResp(t, br3); resp.Header.Get("Lambda-Runtime-Aws-Request-Id") != "w-3" || !resp.Close {
		t.Fatalf("next after a closed waiter: %v", resp.Header)
	}
	select {
	case <-c.dispatched:
	default:
		t.Fatal("not dispatched")
	}

	// Malformed heads: net/http's answers, then the connection closes.
	for _, tc := range []struct{ req, status string }{
		{"NONSENSE\r\n\r\n", "400"},
		{"GET /x HTTP/2.0\r\n\r\n", "400"},
		{"POST /2018-06-01/runtime/init/error HTTP/1.1\r\nContent-Length: x\r\n\r\n", "400"},
		{"POST /2018-06-01/runtime/init/error HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n", "501"},
		{"GET /x HTTP/1.1\r\nX-Big: " + strings.Repeat("a", maxHeaderBytes) + "\r\n\r\n", "431"},
		{"POST /2018-06-01/runtime/invocation/w-3/response HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "400"},
	} {
		nc, br := rawConn(t, base)
		go io.WriteString(nc, tc.req)
		line, _ := br.ReadString('\n')
		if !strings.HasPrefix(line, "HTTP/1.1 "+tc.status+" ") {
			t.Errorf("%.40q: %q, want %s", tc.req, line, tc.status)
		}
	}
}
