package proc

import (
	"bytes"
	"errors"
	"os"
	"sync"
	"syscall"
	"time"
)

const (
	// maxLine splits longer output lines: a CloudWatch Logs event holds at
	// most 256 KB including 26 bytes of overhead.
	maxLine = 256*1024 - 26
	// tailSize is the size of Result.LogTail (X-Amz-Log-Result).
	tailSize = 4096
)

// output reads a process's combined stdout/stderr pipe and turns it into log
// lines. Reading and emitting happen under mu, both in the background reader
// and in drain, so after drain returns every byte the process wrote before
// drain was called has been emitted: the kernel pipe buffer is empty and no
// read result is in flight.
type output struct {
	mu      sync.Mutex
	f       *os.File // read end, non-blocking
	fd      int
	closed  bool
	partial []byte
	buf     []byte
	emit    func(msg string, now time.Time) // called with mu held

	now  func() time.Time
	done chan struct{} // closed when the reader saw EOF
}

// newPipe returns the read end (non-blocking, for the poller) and the write end
// (blocking, for the child) of a pipe.
func newPipe() (r, w *os.File, err error) {
	var p [2]int
	if err := syscall.Pipe2(p[:], syscall.O_CLOEXEC); err != nil {
		return nil, nil, os.NewSyscallError("pipe2", err)
	}
	if err := syscall.SetNonblock(p[0], true); err != nil {
		syscall.Close(p[0])
		syscall.Close(p[1])
		return nil, nil, os.NewSyscallError("setnonblock", err)
	}
	return os.NewFile(uintptr(p[0]), "|0"), os.NewFile(uintptr(p[1]), "|1"), nil
}

func newOutput(r *os.File, now func() time.Time, emit func(string, time.Time)) *output {
	o := &output{f: r, fd: -1, buf: make([]byte, 64*1024), emit: emit, now: now, done: make(chan struct{})}
	if rc, err := r.SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) { o.fd = int(fd) })
	}
	return o
}

// run reads until EOF (every holder of the write end exited).
func (o *output) run() {
	defer close(o.done)
	rc, err := o.f.SyscallConn()
	if err == nil {
		for {
			eof := false
			err = rc.Read(func(fd uintptr) bool {
				o.mu.Lock()
				defer o.mu.Unlock()
				switch o.readAvailable(int(fd)) {
				case errAgain:
					return false
				default:
					eof = true
					return true
				}
			})
			if eof || err != nil {
				break
			}
		}
	}
	o.mu.Lock()
	o.flushPartial()
	o.closed = true
	o.f.Close()
	o.mu.Unlock()
}

var errAgain = errors.New("again")

// readAvailable reads everything the pipe holds; errAgain means it is empty
// and still open. Called with mu held.
func (o *output) readAvailable(fd int) error {
	for {
		n, err := syscall.Read(fd, o.buf)
		if n > 0 {
			o.feed(o.buf[:n])
			continue
		}
		switch err {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return errAgain
		case nil:
			return errors.New("eof")
		default:
			return err
		}
	}
}

// drain emits everything written to the pipe so far, including a last line
// without its newline.
func (o *output) drain() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.closed && o.fd >= 0 {
		o.readAvailable(o.fd)
	}
	o.flushPartial()
}

// line emits a line the pool writes itself (START, END, REPORT), after any
// pending process output.
func (o *output) line(msg string) {
	o.mu.Lock()
	o.emit(msg, o.now())
	o.mu.Unlock()
}

// locked runs fn with mu held (to change what emit collects into).
func (o *output) locked(fn func()) {
	o.mu.Lock()
	fn()
	o.mu.Unlock()
}

func (o *output) feed(b []byte) {
	now := o.now()
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			o.partial = append(o.partial, b...)
			for len(o.partial) >= maxLine {
				o.emit(string(o.partial[:maxLine]), now)
				o.partial = append(o.partial[:0], o.partial[maxLine:]...)
			}
			return
		}
		line := b[:i]
		b = b[i+1:]
		if len(o.partial) > 0 {
			o.partial = append(o.partial, line...)
			line = o.partial
		}
		for len(line) > maxLine {
			o.emit(string(line[:maxLine]), now)
			line = line[maxLine:]
		}
		o.emit(string(line), now)
		o.partial = o.partial[:0]
	}
}

func (o *output) flushPartial() {
	if len(o.partial) > 0 {
		o.emit(string(o.partial), o.now())
		o.partial = o.partial[:0]
	}
}

// tail keeps the last tailSize bytes of an invocation's log text.
type tail struct{ b []byte }

func (t *tail) add(msg string) {
	t.b = append(t.b, msg...)
	t.b = append(t.b, '\n')
	if len(t.b) > 4*tailSize {
		t.b = append(t.b[:0], t.b[len(t.b)-tailSize:]...)
	}
}

func (t *tail) bytes() []byte {
	if len(t.b) > tailSize {
		return append([]byte(nil), t.b[len(t.b)-tailSize:]...)
	}
	return append([]byte(nil), t.b...)
}
