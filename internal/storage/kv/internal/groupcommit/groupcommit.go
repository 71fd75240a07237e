// Package groupcommit serializes kv.Store.Update calls through one committer
// goroutine. The committer takes every Update queued while the previous group
// was committing, runs their functions one after another inside a single
// backend transaction, and makes the whole group durable with one commit (one
// fsync). Running the functions sequentially keeps Updates serializable;
// sharing the commit is what makes concurrent Updates cheap.
//
// There is no timer: a lone Update starts committing at once, and the group
// size grows by itself with the time a commit takes.
package groupcommit

import (
	"errors"
	"runtime"
	"sync"

	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// ErrClosed is returned by Do after Close.
var ErrClosed = errors.New("kv: store closed")

// Request is one queued Update.
type Request struct {
	fn       func(kv.Writer) error
	err      error
	panicked bool
	panicVal any
	done     chan struct{}
}

// Run calls the Update function with w and records its outcome. It reports
// whether fn succeeded; on false the caller must undo whatever fn wrote. A
// panic in fn is caught here and re-raised in the goroutine that called Do, so
// a bad function cannot take down the committer.
func (r *Request) Run(w kv.Writer) (ok bool) {
	defer func() {
		if p := recover(); p != nil {
			r.panicked, r.panicVal, ok = true, p, false
		}
	}()
	r.err = r.fn(w)
	return r.err == nil
}

// Failed reports whether the last Run failed (error or panic).
func (r *Request) Failed() bool { return r.err != nil || r.panicked }

// Fail sets the request's result to err unless its function already failed;
// backends use it when the group's commit fails.
func (r *Request) Fail(err error) {
	if !r.Failed() {
		r.err = err
	}
}

// Exec runs a group: every request's Run in order inside one transaction,
// undoing each failed one, then one durable commit of the rest (calling Fail
// on them if the commit fails).
type Exec func(group []*Request)

// Queue feeds Updates to one committer goroutine.
type Queue struct {
	exec     Exec
	maxGroup int
	in       chan *Request
	stop     chan struct{}
	stopped  chan struct{}
	once     sync.Once
}

// Start starts a committer that runs groups of at most maxGroup requests.
func Start(exec Exec, maxGroup int) *Queue {
	q := &Queue{
		exec:     exec,
		maxGroup: maxGroup,
		in:       make(chan *Request), // unbuffered: a send succeeds only while the committer runs
		stop:     make(chan struct{}),
		stopped:  make(chan struct{}),
	}
	go q.loop()
	return q
}

// Do queues fn and waits until its group has committed.
func (q *Queue) Do(fn func(kv.Writer) error) error {
	r := &Request{fn: fn, done: make(chan struct{})}
	select {
	case q.in <- r:
	case <-q.stop:
		return ErrClosed
	}
	<-r.done
	if r.panicked {
		panic(r.panicVal)
	}
	return r.err
}

// Close stops the committer after the group in progress; Updates still
// waiting to be queued get ErrClosed.
func (q *Queue) Close() {
	q.once.Do(func() { close(q.stop) })
	<-q.stopped
}

func (q *Queue) loop() {
	defer close(q.stopped)
	group := make([]*Request, 0, q.maxGroup)
	// collect adds the requests whose senders are waiting right now.
	collect := func() {
		for len(group) < q.maxGroup {
			select {
			case r := <-q.in:
				group = append(group, r)
			default:
				return
			}
		}
	}
	prev := 0 // size of the previous group
	for {
		select {
		case r := <-q.in:
			group = append(group[:0], r)
		case <-q.stop:
			return
		}
		collect()
		// The callers of the previous group were just woken and are likely
		// on their way back with their next Update. Without waiting for
		// them, groups alternate between a few stragglers and everyone
		// else, halving the group size under steady load. A scheduler yield
		// lets them arrive; there is no timer, so a lone caller never waits.
		for tries := 0; len(group) < prev && tries < 4; tries++ {
			runtime.Gosched()
			collect()
		}
		prev = len(group)
		q.exec(group)
		for i, r := range group {
			close(r.done)
			group[i] = nil
		}
	}
}
