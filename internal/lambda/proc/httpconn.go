package proc

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// rapiServer is the HTTP/1.1 server of one instance's Runtime API. It is not
// net/http's because a warm invoke is two requests on a kept-alive loopback
// connection and net/http's per-request machinery (a background-read goroutine
// per request and its abort, request and header maps, a goroutine hop to hand
// the event to the waiting /next handler) was most of the pool's CPU per
// invoke. Here each connection has one goroutine that reads requests, and the
// invoking goroutine writes the event straight onto the connection whose
// GET /next is waiting. What runtimes send is small: request line, headers
// (only Content-Length, Transfer-Encoding, Connection and Expect matter),
// a Content-Length or chunked body with trailers (aws-lambda-go).
type rapiServer struct {
	inst *instance
	ln   net.Listener
	done chan struct{}

	mu     sync.Mutex
	closed bool
	conns  map[*rconn]struct{}
}

func newRAPIServer(inst *instance, ln net.Listener) *rapiServer {
	return &rapiServer{inst: inst, ln: ln, done: make(chan struct{}), conns: map[*rconn]struct{}{}}
}

// serve accepts connections until Close.
func (s *rapiServer) serve() {
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			select {
			case <-s.done:
				return
			case <-time.After(5 * time.Millisecond): // EMFILE and the like: retry
			}
			continue
		}
		rc := &rconn{s: s, nc: nc, br: bufio.NewReaderSize(nc, 16<<10)}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return
		}
		s.conns[rc] = struct{}{}
		s.mu.Unlock()
		go rc.run()
	}
}

// Close stops the listener and closes every connection.
func (s *rapiServer) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	close(s.done)
	s.ln.Close()
	for rc := range s.conns {
		rc.nc.Close()
	}
	s.conns = nil
}

// rreq is the head of one request.
type rreq struct {
	method, target string
	http10         bool
	close          bool  // close the connection after the response
	contentLength  int64 // -1 when the request has none
	chunked        bool
	expect         bool // Expect: 100-continue
	continued      bool // 100 Continue was sent
	bodyDone       bool
}

// rconn is one Runtime API connection.
type rconn struct {
	s  *rapiServer
	nc net.Conn
	br *bufio.Reader

	// wbuf is the response being written. One writer at a time: the
	// connection's goroutine, or the invoker answering a waiting GET /next
	// (the goroutine handles no further request until nextDone is closed).
	wbuf []byte

	// Set by the connection's goroutine under inst.mu while its GET /next
	// waits; nextDone is closed once the event was written.
	nextReq  rreq
	nextDone chan struct{}
}

var (
	errBadRequest     = errors.New("bad request")
	errHeaderTooLarge = errors.New("request header too large")
	errNotImplemented = errors.New("transfer coding not implemented")
)

// maxHeaderBytes bounds a request head: aws-lambda-go may send an X-Ray error
// cause header of up to 1 MiB (net/http's default limit is 1 MiB + 4 KiB too).
const maxHeaderBytes = 1<<20 + 4096

func (rc *rconn) run() {
	defer func() {
		rc.s.mu.Lock()
		delete(rc.s.conns, rc)
		rc.s.mu.Unlock()
		rc.nc.Close()
	}()
	for {
		// Wait for the next request (or the end of the connection) without
		// consuming it: a GET /next may still be waiting for its event.
		if _, err := rc.br.Peek(1); err != nil {
			if rc.nextDone != nil {
				rc.s.inst.dropWaiter(rc)
			}
			return
		}
		if rc.nextDone != nil {
			// A client that sends before the event arrived (pipelining)
			// gets its responses in order.
			select {
			case <-rc.nextDone:
			case <-rc.s.done:
				return
			}
			rc.nextDone = nil
			if rc.nextReq.close {
				return
			}
		}
		req, err := rc.readHead()
		if err != nil {
			rc.failHead(err)
			return
		}
		if !rc.s.inst.serve(rc, req) {
			return
		}
	}
}

// failHead answers a request whose head could not be read, as net/http does.
func (rc *rconn) failHead(err error) {
	var status int
	switch err {
	case errBadRequest:
		status = http.StatusBadRequest
	case errHeaderTooLarge:
		status = http.StatusRequestHeaderFieldsTooLarge
	case errNotImplemented:
		status = http.StatusNotImplemented
	default:
		return // EOF or a broken connection
	}
	text := strconv.Itoa(status) + " " + http.StatusText(status)
	io.WriteString(rc.nc, "HTTP/1.1 "+text+"\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"+text)
}

// readLine reads one CRLF- or LF-terminated line, without its terminator,
// charging it to budget. The result is valid until the next read.
func (rc *rconn) readLine(budget *int) ([]byte, error) {
	line, err := rc.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		long := append([]byte(nil), line...)
		for err == bufio.ErrBufferFull {
			if len(long) > *budget {
				return nil, errHeaderTooLarge
			}
			line, err = rc.br.ReadSlice('\n')
			long = append(long, line...)
		}
		line = long
	}
	if err != nil {
		if err == io.EOF && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if *budget -= len(line); *budget < 0 {
		return nil, errHeaderTooLarge
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

func (rc *rconn) readHead() (*rreq, error) {
	budget := maxHeaderBytes
	line, err := rc.readLine(&budget)
	for err == nil && len(line) == 0 { // RFC 9112 §2.2: ignore empty lines before a request
		line, err = rc.readLine(&budget)
	}
	if err != nil {
		return nil, err
	}
	method, rest, ok1 := bytes.Cut(line, []byte(" "))
	target, proto, ok2 := bytes.Cut(rest, []byte(" "))
	if !ok1 || !ok2 || len(method) == 0 || len(target) == 0 {
		return nil, errBadRequest
	}
	req := &rreq{contentLength: -1}
	switch string(method) {
	case http.MethodGet:
		req.method = http.MethodGet
	case http.MethodPost:
		req.method = http.MethodPost
	default:
		req.method = string(method)
	}
	switch string(proto) {
	case "HTTP/1.1":
	case "HTTP/1.0":
		req.http10, req.close = true, true
	default:
		return nil, errBadRequest
	}
	req.target = string(target)
	if rest, ok := strings.CutPrefix(req.target, "http://"); ok { // absolute form
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			req.target = rest[i:]
		} else {
			req.target = "/"
		}
	}
	for {
		line, err := rc.readLine(&budget)
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok || len(name) == 0 || name[len(name)-1] == ' ' || name[len(name)-1] == '\t' {
			return nil, errBadRequest
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			n, err := strconv.ParseInt(string(value), 10, 64)
			if err != nil || n < 0 || (req.contentLength >= 0 && req.contentLength != n) {
				return nil, errBadRequest
			}
			req.contentLength = n
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			codings := bytes.Split(value, []byte(","))
			if !bytes.EqualFold(bytes.TrimSpace(codings[len(codings)-1]), []byte("chunked")) {
				return nil, errNotImplemented
			}
			req.chunked = true
		case bytes.EqualFold(name, []byte("Connection")):
			for _, tok := range bytes.Split(value, []byte(",")) {
				tok = bytes.TrimSpace(tok)
				if bytes.EqualFold(tok, []byte("close")) {
					req.close = true
				} else if req.http10 && bytes.EqualFold(tok, []byte("keep-alive")) {
					req.close = false
				}
			}
		case bytes.EqualFold(name, []byte("Expect")):
			req.expect = bytes.EqualFold(value, []byte("100-continue")) && !req.http10
		}
	}
	if req.chunked {
		if req.http10 {
			return nil, errBadRequest
		}
		// RFC 9112 §6.3: chunked wins over Content-Length; such a message
		// may be an attack, so the connection closes afterwards.
		if req.contentLength >= 0 {
			req.close = true
		}
		req.contentLength = -1
	}
	if !req.chunked && req.contentLength <= 0 {
		req.bodyDone = true
	}
	return req, nil
}

// continue100 tells a client waiting on Expect: 100-continue to send its body.
func (rc *rconn) continue100(req *rreq) error {
	if req.expect && !req.continued && !req.bodyDone {
		req.continued = true
		_, err := io.WriteString(rc.nc, "HTTP/1.1 100 Continue\r\n\r\n")
		return err
	}
	return nil
}

// readBody reads a body (Content-Length or chunked with trailers) up to
// maxResponse bytes; tooLarge reports a longer one. A longer body is still read
// to its end: answering before would close the connection under a runtime
// that is still sending, and it would treat the broken pipe as fatal.
func (rc *rconn) readBody(req *rreq) (body []byte, tooLarge bool, err error) {
	if req.bodyDone {
		return []byte{}, false, nil
	}
	if err := rc.continue100(req); err != nil {
		return nil, false, err
	}
	req.bodyDone = true
	if !req.chunked {
		n := req.contentLength
		if n > maxResponse {
			return nil, true, rc.discard(n)
		}
		body = make([]byte, n)
		if _, err := io.ReadFull(rc.br, body); err != nil {
			return nil, false, err
		}
		return body, false, nil
	}
	body = []byte{}
	for {
		budget := 4096 // per chunk-size line: a body may have any number of chunks
		line, err := rc.readLine(&budget)
		if err != nil {
			return nil, false, err
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 { // chunk extensions
			line = line[:i]
		}
		size, err := strconv.ParseUint(string(bytes.TrimSpace(line)), 16, 63)
		if err != nil {
			return nil, false, errBadRequest
		}
		if size == 0 {
			break
		}
		if tooLarge || int64(len(body))+int64(size) > maxResponse {
			tooLarge, body = true, nil
			if err := rc.discard(int64(size)); err != nil {
				return nil, false, err
			}
		} else {
			n := len(body)
			body = growTo(body, n+int(size))
			if _, err := io.ReadFull(rc.br, body[n:]); err != nil {
				return nil, false, err
			}
		}
		if line, err := rc.readLine(&budget); err != nil || len(line) != 0 {
			return nil, false, errBadRequest
		}
	}
	budget := maxHeaderBytes
	for { // trailers, up to the empty line
		line, err := rc.readLine(&budget)
		if err != nil {
			return nil, false, err
		}
		if len(line) == 0 {
			break
		}
	}
	if tooLarge {
		return nil, true, nil
	}
	return body, false, nil
}

// growTo returns b extended to length n, keeping its content.
func growTo(b []byte, n int) []byte {
	if n <= cap(b) {
		return b[:n]
	}
	nb := make([]byte, n, max(n, 2*cap(b), 512))
	copy(nb, b)
	return nb
}

func (rc *rconn) discard(n int64) error {
	for n > 0 {
		step := int(min(n, 1<<20))
		if _, err := rc.br.Discard(step); err != nil {
			return err
		}
		n -= int64(step)
	}
	return nil
}

// discardBody skips an unread body before a response, as net/http does:
// a client still waiting for 100 Continue never sent it, and a large one
// is not worth reading (the connection closes instead).
func (rc *rconn) discardBody(req *rreq) bool {
	if req.bodyDone {
		return true
	}
	if req.expect && !req.continued {
		req.close = true
		return true
	}
	if !req.chunked && req.contentLength > 256<<10 {
		req.close = true
		return true
	}
	_, _, err := rc.readBody(req)
	return err == nil
}

// startResponse begins a response in rc.wbuf, with the JSON content type
// every Runtime API answer has.
func (rc *rconn) startResponse(status int) []byte {
	b := append(rc.wbuf[:0], "HTTP/1.1 "...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(status)...)
	b = append(b, "\r\nContent-Type: application/json\r\n"...)
	return b
}

// appendHeader appends one header line; CR and LF in a value become spaces
// (net/http does the same), so a value cannot end the head early.
func appendHeader(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, ": "...)
	start := len(b)
	b = append(b, value...)
	for i := start; i < len(b); i++ {
		if b[i] == '\r' || b[i] == '\n' {
			b[i] = ' '
		}
	}
	return append(b, "\r\n"...)
}

// finishResponse completes the head begun by startResponse and writes it
// with body. It reports whether the connection stays open.
func (rc *rconn) finishResponse(b []byte, req *rreq, body []byte) bool {
	b = append(b, "Date: "...)
	b = time.Now().UTC().AppendFormat(b, http.TimeFormat)
	b = append(b, "\r\nContent-Length: "...)
	b = strconv.AppendInt(b, int64(len(body)), 10)
	if req.close {
		b = append(b, "\r\nConnection: close"...)
	} else if req.http10 {
		b = append(b, "\r\nConnection: keep-alive"...)
	}
	b = append(b, "\r\n\r\n"...)
	if req.method == http.MethodHead {
		body = nil
	}
	var err error
	if len(body) <= 32<<10 {
		b = append(b, body...)
		_, err = rc.nc.Write(b)
	} else {
		bufs := net.Buffers{b, body}
		_, err = bufs.WriteTo(rc.nc)
	}
	if cap(b) <= 64<<10 {
		rc.wbuf = b[:0]
	}
	if err != nil || req.close {
		rc.nc.Close()
		return false
	}
	return true
}

// reply writes a complete JSON response to req.
func (rc *rconn) reply(req *rreq, status int, body []byte) bool {
	if !rc.discardBody(req) {
		rc.nc.Close()
		return false
	}
	return rc.finishResponse(rc.startResponse(status), req, body)
}

// waitNext records that req, a GET /next, waits for an event (inst.mu held).
func (rc *rconn) waitNext(req *rreq) {
	rc.nextReq = *req
	rc.nextDone = make(chan struct{})
}

// nextDelivered marks the waiting GET /next as answered.
func (rc *rconn) nextDelivered() { close(rc.nextDone) }
