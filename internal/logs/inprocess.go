package logs

import (
	"context"
	"fmt"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// InProcessEvent is one log line another service (Lambda's process pool)
// writes into a stream.
type InProcessEvent struct {
	Timestamp time.Time
	Message   string
}

// PutLogEventsInProcess stores events in group/stream, creating both when
// missing, as Lambda's platform does for /aws/lambda/<function>. Events
// must be in timestamp order; they are split into PutLogEvents-sized
// batches and go through PutLogEvents' rules (too-old and too-new events
// are skipped as AWS skips them), so subscriptions see them as usual.
func (s *Service) PutLogEventsInProcess(ctx context.Context, group, stream string, events []InProcessEvent) error {
	if len(events) == 0 {
		return nil
	}
	if err := s.load(); err != nil {
		return err
	}
	if err := s.ensureStream(ctx, group, stream); err != nil {
		return err
	}
	batch := make([]inputLogEvent, 0, len(events))
	bytes := 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := s.putLogEvents(ctx, &putLogEventsInput{LogGroupName: &group, LogStreamName: &stream, LogEvents: batch})
		batch, bytes = batch[:0:0], 0
		return err
	}
	for i := range events {
		msg := events[i].Message
		if msg == "" {
			continue // PutLogEvents refuses empty messages
		}
		if len(msg) > maxEventBytes {
			msg = msg[:maxEventBytes]
		}
		ts := events[i].Timestamp.UnixMilli()
		if len(batch) == maxBatchEvents || bytes+len(msg)+eventOverhead > maxBatchBytes ||
			(len(batch) > 0 && ts-*batch[0].Timestamp > maxBatchSpanMs) {
			if err := flush(); err != nil {
				return err
			}
		}
		batch = append(batch, inputLogEvent{Timestamp: &ts, Message: &msg})
		bytes += len(msg) + eventOverhead
	}
	return flush()
}

// ensureStream creates the group and the stream unless they exist.
func (s *Service) ensureStream(ctx context.Context, groupName, stream string) error {
	if s.lookupGroup(groupName) == nil {
		if _, err := s.createLogGroup(ctx, &createLogGroupInput{LogGroupName: &groupName}); err != nil && !isExists(err) {
			return fmt.Errorf("create log group %s: %w", groupName, err)
		}
	}
	if s.readGroup(groupName, func(g *group) error { _, err := g.stream(stream); return err }) == nil {
		return nil
	}
	if _, err := s.createLogStream(ctx, &streamNameInput{LogGroupName: &groupName, LogStreamName: &stream}); err != nil && !isExists(err) {
		return fmt.Errorf("create log stream %s/%s: %w", groupName, stream, err)
	}
	return nil
}

func isExists(err error) bool {
	e := awsproto.As(err)
	return e != nil && e.Code == codeResourceExists
}
