package esm

import (
	"context"
	"time"
)

// deliver invokes the function with batch until it succeeds, or the batch
// is given up on (spec §1.7 points 3–5). It checkpoints what succeeded or
// was discarded and returns nil; errStopped when the mapping stops first.
//
// Function errors and whole-batch failures reported through
// ReportBatchItemFailures count against MaximumRetryAttempts and may bisect
// the batch (halves are delivered in order, each with its own attempts:
// splitting does not consume the retry quota, as AWS documents). An
// invocation that did not run (throttled, function missing) is retried
// until the records pass MaximumRecordAgeInSeconds (or the stream's
// retention), without counting, as AWS does for errors before invocation.
func (w *worker) deliver(ctx context.Context, batch []pendingRecord) error {
	m := w.r.m
	mp := &w.r.mp
	attempts, invokes := 0, 0
	for {
		result, fnErr, err := m.cfg.Invoke.InvokeSync(ctx, mp.FunctionARN, buildEvent(batch))
		if ctx.Err() != nil {
			return errStopped
		}
		invokes++
		whole, from := false, -1 // from: index of the lowest failed record
		switch {
		case err != nil:
			whole = true
			m.cfg.Logger.Warn("esm: invoke", "uuid", mp.UUID, "shard", w.shard, "function", mp.FunctionARN, "err", err)
		case fnErr != "":
			whole = true
		case mp.ReportBatchItemFailures:
			ids, all := batchItemFailures(result)
			whole = all
			if !all && len(ids) > 0 {
				from = lowestFailed(batch, ids)
				whole = from < 0 // an identifier not in the batch
			}
		}
		if !whole && from < 0 {
			m.setResult(mp.UUID, ResultOK)
			return w.checkpointAt(batch[len(batch)-1])
		}
		m.setResult(mp.UUID, ResultProblem)
		if from > 0 {
			// The records before the lowest failure succeeded: checkpoint
			// just before it and retry from there.
			if err := w.checkpointAt(batch[from-1]); err != nil {
				return err
			}
			batch = batch[from:]
		}
		if whole && err == nil && mp.BisectBatchOnFunctionError && len(batch) > 1 {
			half := len(batch) / 2
			if err := w.deliver(ctx, batch[:half]); err != nil {
				return err
			}
			return w.deliver(ctx, batch[half:])
		}
		if err == nil {
			attempts++
		}
		now := m.cfg.Now()
		switch {
		case err == nil && mp.MaximumRetryAttempts >= 0 && attempts > mp.MaximumRetryAttempts:
			return w.discard(batch, condRetries, invokes, fnErr, now)
		case mp.MaximumRecordAgeSeconds >= 0 && now.Sub(batch[0].rec.ArrivalTime) > time.Duration(mp.MaximumRecordAgeSeconds)*time.Second,
			w.gone.Load(): // the shard expired: its records passed retention
			return w.discard(batch, condAge, invokes, fnErr, now)
		}
		if !sleep(ctx, backoff(m.cfg.RetryBackoff, invokes)) {
			return errStopped
		}
	}
}

// lowestFailed is the index in batch of the lowest reported sequence
// number, -1 if one of them is not in the batch.
func lowestFailed(batch []pendingRecord, ids []string) int {
	index := make(map[string]int, len(batch))
	for i := range batch {
		index[batch[i].rec.SequenceNumber] = i
	}
	low := len(batch)
	for _, id := range ids {
		i, ok := index[id]
		if !ok {
			return -1
		}
		low = min(low, i)
	}
	return low
}

// discard gives up on batch: its OnFailure record is logged and kept in
// the status, and the shard moves past it.
func (w *worker) discard(batch []pendingRecord, condition string, invokes int, fnErr string, now time.Time) error {
	m := w.r.m
	rec := encodeFailure(&w.r.mp, w.shard, batch, condition, invokes, fnErr, now)
	m.cfg.Logger.Error("esm: discarded batch", "uuid", w.r.mp.UUID, "shard", w.shard, "onFailure", rec)
	m.recordDiscard(w.r.mp.UUID, rec)
	return w.checkpointAt(batch[len(batch)-1])
}

// checkpointAt stores that the shard is processed up to and including r.
func (w *worker) checkpointAt(r pendingRecord) error {
	w.cp.After = r.rec.SequenceNumber
	w.cp.AtMs = 0
	return w.save()
}

// backoff is the wait before the n-th retry: base doubling, at most 30×base.
func backoff(base time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < 30*base; i++ {
		d *= 2
	}
	return min(d, 30*base)
}
