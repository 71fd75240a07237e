package kinesis

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/awsproto/eventstream"
)

// subscribeToShard serves SubscribeToShard (enhanced fan-out, spec §1.10):
// a 200 event stream that starts with initial-response, then pushes
// SubscribeToShardEvent frames as records arrive (and an empty one every
// heartbeat while idle), until the lifetime ends, the shard ends (last
// event carries ChildShards), a newer subscription takes over (exception
// ResourceInUseException) or the client goes away.
func (s *Service) subscribeToShard(w http.ResponseWriter, r *http.Request, route awsproto.Route) error {
	var in subscribeInput
	if err := decode(r, &in); err != nil {
		return err
	}
	c := s.check()
	if c.Required(in.ConsumerARN != nil, "consumerARN") {
		c.Str(in.ConsumerARN, "consumerARN", 1, 2048, patternConsumerARN)
	}
	if c.Required(in.ShardId != nil, "shardId") {
		c.shardID(in.ShardId, "shardId")
	}
	if c.Required(in.StartingPosition != nil, "startingPosition") {
		if c.Required(in.StartingPosition.Type != nil, "startingPosition.type") {
			c.Enum(in.StartingPosition.Type, "startingPosition.type", iteratorTypes...)
		}
		c.Str(in.StartingPosition.SequenceNumber, "startingPosition.sequenceNumber", 0, 0, patternSequence)
	}
	if err := c.Err(); err != nil {
		return err
	}
	arn := *in.ConsumerARN
	var sub *subscription
	var offset uint64
	var shardIndex int
	err := s.withConsumer(&consumerRef{ConsumerARN: in.ConsumerARN}, false, func(st *stream, i int) error {
		now := s.nowMs()
		if s.consumerStatus(&st.meta.Consumers[i], now) != statusActive {
			return errInUse("Consumer %s is not ACTIVE.", arn)
		}
		idx, ok := parseShardID(*in.ShardId)
		var rt *shardRT
		if ok {
			rt = st.shards[idx]
		}
		if rt == nil || st.expired(rt, st.meta.retentionCutoff(now)) {
			return s.errShardNotFound(*in.ShardId, st.meta.Name)
		}
		p := in.StartingPosition
		off, err := s.startOffset(st, rt, *p.Type, p.SequenceNumber, p.Timestamp, now, "SubscribeToShard")
		if err != nil {
			return err
		}
		offset, shardIndex = off, idx
		sub = &subscription{key: arn + "|" + rt.id, consumer: arn, streamID: st.meta.ID, started: now, done: make(chan struct{})}
		return nil
	})
	if err != nil {
		return err
	}
	replaced, refused := s.subs.add(sub)
	if refused {
		return errInUse("Another active subscription exists for this consumer: %s", arn)
	}
	if replaced != nil {
		replaced.end(errInUse("Another active subscription exists for this consumer: %s", arn))
	}
	defer s.subs.remove(sub)
	name, _, _, _ := s.parseConsumerARN(arn)
	return s.pushEvents(w, r, sub, name, shardIndex, offset)
}

// pushEvents writes the subscription's event stream.
func (s *Service) pushEvents(w http.ResponseWriter, r *http.Request, sub *subscription, name string, shardIndex int, offset uint64) error {
	useCBOR := isCBOR(r)
	contentType := "application/json"
	marshal := json.Marshal
	if useCBOR {
		contentType = awsproto.ContentTypeCBOR
		marshal = cbor.Marshal
	}
	w.Header().Set("Content-Type", "application/vnd.amazon.eventstream")
	w.WriteHeader(http.StatusOK)
	enc := eventstream.NewEncoder(w)
	initial, err := marshal(struct{}{})
	if err != nil {
		return nil
	}
	if enc.Event("initial-response", contentType, initial) != nil {
		return nil // the client went away: nothing left to tell it
	}
	lifetime := time.NewTimer(s.cfg.SubscriptionLifetime)
	defer lifetime.Stop()
	heartbeat := time.NewTicker(s.cfg.SubscriptionHeartbeat)
	defer heartbeat.Stop()
	for {
		select {
		case <-sub.done:
			if sub.reason != nil {
				s.sendException(enc, sub.reason, contentType, marshal)
			}
			return nil
		default:
		}
		var ev subscribeEvent
		var changed, closed <-chan struct{}
		var ended bool
		err := s.readStream(name, func(st *stream) error {
			rt := st.shards[shardIndex]
			if rt == nil || st.meta.ID != sub.streamID {
				return s.errShardNotFound(shardID(shardIndex), name)
			}
			changed = rt.log.Changed() // before reading, so no append is missed
			closed = rt.closed
			now := s.nowMs()
			res, err := s.readShard(st, rt, offset, maxGetRecords, now, func(off uint64, arrival int64, pk, data []byte) {
				ev.Records = append(ev.Records, recordOut{SequenceNumber: recordSeq(shardIndex, off),
					ApproximateArrivalTimestamp: ts(arrival), Data: append([]byte(nil), data...), PartitionKey: string(pk),
					EncryptionType: encOrEmpty(s.encryptionType(st))})
			})
			if err != nil {
				return err
			}
			offset = res.next
			ev.ContinuationSequenceNumber = formatSeq(shardIndex, offset)
			ev.MillisBehindLatest = res.behindMs
			if res.shardEnded {
				ev.ChildShards, ended = res.childShards, true
			}
			return nil
		})
		if err != nil {
			s.sendException(enc, err, contentType, marshal)
			return nil
		}
		if ev.Records == nil {
			ev.Records = []recordOut{}
		}
		if len(ev.Records) > 0 || ended {
			if !s.sendEvent(enc, &ev, contentType, marshal) || ended {
				return nil
			}
			continue // more may be waiting
		}
		select {
		case <-changed:
		case <-closed:
		case <-heartbeat.C:
			if !s.sendEvent(enc, &ev, contentType, marshal) {
				return nil
			}
		case <-sub.done:
			if sub.reason != nil {
				s.sendException(enc, sub.reason, contentType, marshal)
			}
			return nil
		case <-lifetime.C:
			return nil
		case <-r.Context().Done():
			return nil
		}
	}
}

func (s *Service) sendEvent(enc *eventstream.Encoder, ev *subscribeEvent, contentType string, marshal func(any) ([]byte, error)) bool {
	payload, err := marshal(ev)
	if err != nil {
		s.cfg.Logger.Error("kinesis: encode SubscribeToShardEvent", "err", err)
		return false
	}
	return enc.Event("SubscribeToShardEvent", contentType, payload) == nil
}

// sendException ends a stream with an exception event carrying err's code.
func (s *Service) sendException(enc *eventstream.Encoder, err error, contentType string, marshal func(any) ([]byte, error)) {
	e := awsproto.As(err)
	if e == nil {
		s.cfg.Logger.Error("kinesis: subscription", "err", err)
		e = awsproto.NewError(http.StatusInternalServerError, codeInternalFailure, "Internal service failure.")
	}
	payload, merr := marshal(map[string]string{"message": e.Message})
	if merr != nil {
		return
	}
	enc.Exception(e.Code, contentType, payload)
}
