package flowlogs

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// PutLogEvents limits (spec §3.2): events and bytes (message + 26) a call.
const (
	maxBatchEvents = 10_000
	maxBatchBytes  = 1_048_576
	eventOverhead  = 26
)

// WriteOptions says what to write.
type WriteOptions struct {
	LogGroup    string
	ENIs        int
	Rate        float64       // events per second (> 0)
	Duration    time.Duration // stop after this long (0: no limit)
	Count       int           // stop after this many events (0: no limit)
	RejectRatio float64
	Seed        uint64
	AccountID   string
	// Tick is how often a batch per stream is sent (0 = 200 ms).
	Tick time.Duration
}

// WriteStats is what Write did.
type WriteStats struct {
	Events      int
	RejectedSSH int
	Calls       int
	Elapsed     time.Duration
}

// Write creates the group and a stream per interface, then puts generated
// records at opts.Rate, one PutLogEvents a stream every Tick, until Count
// or Duration is reached or ctx ends (a cancelled ctx is not an error).
func Write(ctx context.Context, c *Client, opts WriteOptions) (WriteStats, error) {
	var st WriteStats
	if opts.LogGroup == "" || opts.Rate <= 0 || opts.ENIs < 1 || opts.RejectRatio < 0 || opts.RejectRatio > 1 || opts.Count < 0 || opts.Duration < 0 {
		return st, errors.New("flowlogs: need a log group, --enis >= 1, --rate > 0, --reject-ratio in [0,1], --count and --duration >= 0")
	}
	if opts.Tick <= 0 {
		opts.Tick = 200 * time.Millisecond
	}
	gen := NewGenerator(Config{AccountID: opts.AccountID, ENIs: opts.ENIs, RejectRatio: opts.RejectRatio, Seed: opts.Seed})
	if err := c.CreateLogGroup(ctx, opts.LogGroup); err != nil {
		return st, fmt.Errorf("create log group %s: %w", opts.LogGroup, err)
	}
	for _, eni := range gen.ENIs() {
		if err := c.CreateLogStream(ctx, opts.LogGroup, StreamName(eni)); err != nil {
			return st, fmt.Errorf("create log stream %s: %w", StreamName(eni), err)
		}
	}
	start := time.Now()
	ticker := time.NewTicker(opts.Tick)
	defer ticker.Stop()
	for {
		elapsed := time.Since(start)
		if opts.Duration > 0 && elapsed >= opts.Duration {
			elapsed = opts.Duration
		}
		due := int(opts.Rate * elapsed.Seconds())
		if opts.Count > 0 {
			due = min(due, opts.Count)
		}
		if n := due - st.Events; n > 0 {
			if err := putBatch(ctx, c, gen, opts.LogGroup, n, &st); err != nil {
				if ctx.Err() != nil {
					break
				}
				return st, err
			}
		}
		if (opts.Count > 0 && st.Events >= opts.Count) || (opts.Duration > 0 && time.Since(start) >= opts.Duration) {
			break
		}
		select {
		case <-ctx.Done():
			st.Elapsed = time.Since(start)
			return st, nil
		case <-ticker.C:
		}
	}
	st.Elapsed = time.Since(start)
	return st, nil
}

// putBatch generates n records and puts them, one call per stream (more
// if a stream's share is over PutLogEvents' limits).
func putBatch(ctx context.Context, c *Client, gen *Generator, group string, n int, st *WriteStats) error {
	now := time.Now()
	byStream := map[string][]InputEvent{}
	var order []string
	for range n {
		r := gen.Next(now)
		s := StreamName(r.ENI)
		if _, ok := byStream[s]; !ok {
			order = append(order, s)
		}
		byStream[s] = append(byStream[s], InputEvent{Timestamp: now.UnixMilli(), Message: r.String()})
		if r.RejectedSSH() {
			st.RejectedSSH++
		}
	}
	for _, s := range order {
		evs := byStream[s]
		for len(evs) > 0 {
			k, size := 0, 0
			for k < len(evs) && k < maxBatchEvents && size+len(evs[k].Message)+eventOverhead <= maxBatchBytes {
				size += len(evs[k].Message) + eventOverhead
				k++
			}
			if err := c.PutLogEvents(ctx, group, s, evs[:k]); err != nil {
				return err
			}
			st.Calls++
			st.Events += k
			evs = evs[k:]
		}
	}
	return nil
}
