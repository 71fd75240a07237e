package kinesis

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strings"

	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// Limits of the account (AWS defaults; spec §1.2, §1.7, §1.9).
const (
	shardLimit               = 500
	onDemandStreamCountLimit = 50
	onDemandShards           = 4
	defaultRetentionHours    = 24
	minRetentionHours        = 24
	maxRetentionHours        = 8760
	defaultMaxRecordKiB      = 1024
	describeStreamPage       = 100
	listStreamsPage          = 100
	tokenLifetimeMs          = 300_000
)

func (s *Service) streamARN(name string) string {
	return "arn:aws:kinesis:" + s.cfg.Region + ":" + s.cfg.AccountID + ":stream/" + name
}

// parseStreamARN returns the stream name of one of this account's stream
// ARNs; ok is false for another account or region.
func (s *Service) parseStreamARN(arn string) (name string, ok bool) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[2] != "kinesis" || parts[3] != s.cfg.Region || parts[4] != s.cfg.AccountID {
		return "", false
	}
	name, ok = strings.CutPrefix(parts[5], "stream/")
	if !ok || name == "" || strings.Contains(name, "/") {
		return "", false
	}
	return name, true
}

// streamName resolves StreamName / StreamARN (both must agree).
func (s *Service) streamName(ref *streamRef) (string, error) {
	if ref.StreamARN == nil {
		if ref.StreamName == nil {
			return "", errInvalidArgument("Either StreamName or StreamARN should be provided.")
		}
		return *ref.StreamName, nil
	}
	name, ok := s.parseStreamARN(*ref.StreamARN)
	if !ok {
		return "", errNotFound("Stream %s not found.", *ref.StreamARN)
	}
	if ref.StreamName != nil && *ref.StreamName != name {
		return "", errInvalidArgument("StreamName %s and StreamARN %s do not refer to the same stream.", *ref.StreamName, *ref.StreamARN)
	}
	return name, nil
}

func (s *Service) lookup(name string) *stream {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.streams[name]
}

// readStream runs fn with the named stream's lock held shared.
func (s *Service) readStream(name string, fn func(st *stream) error) error {
	st := s.lookup(name)
	if st == nil {
		return s.errStreamNotFound(name)
	}
	st.mu.RLock()
	defer st.mu.RUnlock()
	if st.deleted {
		return s.errStreamNotFound(name)
	}
	return fn(st)
}

// writeStream runs fn with the named stream's lock held exclusively.
func (s *Service) writeStream(name string, fn func(st *stream) error) error {
	st := s.lookup(name)
	if st == nil {
		return s.errStreamNotFound(name)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.deleted {
		return s.errStreamNotFound(name)
	}
	return fn(st)
}

// activeForData fails data-plane calls on a stream still CREATING (AWS
// answers ResourceNotFoundException until it exists).
func (s *Service) activeForData(st *stream) error {
	if st.meta.status(s.nowMs()) == statusCreating {
		return s.errStreamNotFound(st.meta.Name)
	}
	return nil
}

// requireActive fails control-plane changes unless the stream is ACTIVE.
func (s *Service) requireActive(st *stream) error {
	if status := st.meta.status(s.nowMs()); status != statusActive {
		return s.errNotActive(st.meta.Name, status)
	}
	return nil
}

func (s *Service) createStream(ctx context.Context, in *createStreamInput) (*none, error) {
	c := s.check()
	if c.Required(in.StreamName != nil, "streamName") {
		c.Str(in.StreamName, "streamName", 1, 128, patternName)
	}
	c.Int(in.ShardCount, "shardCount", 1, 0)
	if in.StreamModeDetails != nil {
		c.Enum(&in.StreamModeDetails.StreamMode, "streamModeDetails.streamMode", modeProvisioned, modeOnDemand)
	}
	c.Int(in.WarmThroughputMiBps, "warmThroughputMiBps", 0, 0)
	c.Int(in.MaxRecordSizeInKiB, "maxRecordSizeInKiB", 1024, 10240)
	c.tags(in.Tags, "tags")
	if err := c.Err(); err != nil {
		return nil, err
	}
	mode := modeProvisioned
	if in.StreamModeDetails != nil {
		mode = in.StreamModeDetails.StreamMode
	}
	shards := onDemandShards
	if mode == modeProvisioned {
		if in.ShardCount == nil {
			return nil, errInvalidArgument("ShardCount is required for a PROVISIONED stream.")
		}
		shards = int(*in.ShardCount)
	}
	name := *in.StreamName
	now := s.nowMs()

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, exists := s.streams[name]; exists {
		return nil, errInUse("Stream %s under account %s already exists.", name, s.cfg.AccountID)
	}
	if total := s.openShards(); total+shards > shardLimit {
		return nil, s.errShardLimit(total, shards)
	}
	m := streamMeta{Name: name, ID: newStreamID(), CreatedMs: now, Status: statusCreating,
		PendingUntil: now + s.cfg.CreateDelay.Milliseconds(), Mode: mode, RetentionHours: defaultRetentionHours,
		MaxRecordKiB: defaultMaxRecordKiB, EncryptionType: "NONE"}
	if in.MaxRecordSizeInKiB != nil {
		m.MaxRecordKiB = int(*in.MaxRecordSizeInKiB)
	}
	if len(in.Tags) > 0 {
		m.Tags = in.Tags
	}
	for _, r := range evenRanges(shards) {
		m.addShard(-1, -1, r[0], r[1], now)
	}
	st := &stream{}
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := s.commit(st, m); err != nil {
		return nil, err
	}
	s.streams[name] = st
	return nil, nil
}

func (s *Service) errShardLimit(current, additional int) error {
	return errLimitExceeded("This request would exceed the shard limit for the account %s in %s. Current shard count for the account: %d. Limit: %d. Number of additional shards that would have resulted from this request: %d. Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.",
		s.cfg.AccountID, s.cfg.Region, current, shardLimit, additional)
}

// openShards counts the account's open shards. It takes no lock, so a
// reshard holding its stream's lock may ask.
func (s *Service) openShards() int { return int(s.openTotal.Load()) }

func (s *Service) deleteStream(ctx context.Context, in *deleteStreamInput) (*none, error) {
	c := s.check()
	c.ref(&in.streamRef)
	if err := c.Err(); err != nil {
		return nil, err
	}
	name, err := s.streamName(&in.streamRef)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	st := s.streams[name]
	if st == nil {
		s.mu.Unlock()
		return nil, s.errStreamNotFound(name)
	}
	st.mu.Lock()
	if len(st.meta.Consumers) > 0 && (in.EnforceConsumerDeletion == nil || !*in.EnforceConsumerDeletion) {
		st.mu.Unlock()
		s.mu.Unlock()
		return nil, errInUse("Stream %s under account %s has registered consumers. Deregister them or set EnforceConsumerDeletion.", name, s.cfg.AccountID)
	}
	err = s.kv.Update(func(w kv.Writer) error { return w.Delete(streamKey(name)) })
	if err == nil {
		st.deleted = true
		s.forget(st)
		delete(s.streams, name)
	}
	s.mu.Unlock()
	if err != nil {
		st.mu.Unlock()
		return nil, err
	}
	s.subs.endStream(st.meta.ID)
	s.removeLogs(st)
	st.mu.Unlock()
	return nil, nil
}

func (s *Service) describeStream(ctx context.Context, in *describeStreamInput) (*describeStreamOutput, error) {
	c := s.check()
	c.ref(&in.streamRef)
	c.Int(in.Limit, "limit", 1, 10000)
	c.shardID(in.ExclusiveStartShardId, "exclusiveStartShardId")
	if err := c.Err(); err != nil {
		return nil, err
	}
	name, err := s.streamName(&in.streamRef)
	if err != nil {
		return nil, err
	}
	limit := describeStreamPage
	if in.Limit != nil && int(*in.Limit) < limit {
		limit = int(*in.Limit)
	}
	var out describeStreamOutput
	err = s.readStream(name, func(st *stream) error {
		now := s.nowMs()
		m := &st.meta
		d := &out.StreamDescription
		d.StreamName, d.StreamARN, d.StreamStatus = m.Name, s.streamARN(m.Name), m.status(now)
		d.StreamModeDetails = &streamModeDetails{StreamMode: m.Mode}
		d.RetentionPeriodHours = m.RetentionHours
		d.StreamCreationTimestamp = ts(m.CreatedMs)
		d.EnhancedMonitoring = []enhancedMetrics{{ShardLevelMetrics: nonNil(m.Metrics)}}
		d.EncryptionType, d.KeyId = m.EncryptionType, m.KeyID
		after := -1
		if in.ExclusiveStartShardId != nil {
			if idx, ok := parseShardID(*in.ExclusiveStartShardId); ok {
				after = idx
			}
		}
		d.Shards = []shardOut{}
		for _, sh := range s.visibleShards(st, now) {
			if sh.Index <= after {
				continue
			}
			if len(d.Shards) == limit {
				d.HasMoreShards = true
				break
			}
			d.Shards = append(d.Shards, describeShard(sh))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func (s *Service) describeStreamSummary(ctx context.Context, in *streamRef) (*describeStreamSummaryOutput, error) {
	c := s.check()
	c.ref(in)
	if err := c.Err(); err != nil {
		return nil, err
	}
	name, err := s.streamName(in)
	if err != nil {
		return nil, err
	}
	var out describeStreamSummaryOutput
	err = s.readStream(name, func(st *stream) error {
		m := &st.meta
		out.StreamDescriptionSummary = streamDescriptionSummary{
			StreamName: m.Name, StreamARN: s.streamARN(m.Name), StreamId: m.ID, StreamStatus: m.status(s.nowMs()),
			StreamModeDetails:    &streamModeDetails{StreamMode: m.Mode},
			RetentionPeriodHours: m.RetentionHours, StreamCreationTimestamp: ts(m.CreatedMs),
			EnhancedMonitoring: []enhancedMetrics{{ShardLevelMetrics: nonNil(m.Metrics)}},
			EncryptionType:     m.EncryptionType, KeyId: m.KeyID,
			OpenShardCount: len(st.open), ConsumerCount: len(m.Consumers), MaxRecordSizeInKiB: m.MaxRecordKiB,
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// pageToken is the opaque NextToken of the list operations: where the
// previous page ended and when it was issued (tokens expire after 300 s).
type pageToken struct {
	Stream      string `json:"s,omitempty"`
	After       string `json:"a"`
	Issued      int64  `json:"t"`
	Filter      string `json:"f,omitempty"`
	FilterShard string `json:"fs,omitempty"`
	FilterTime  int64  `json:"ft,omitempty"`
	Created     int64  `json:"c,omitempty"`
}

func encodeToken(t pageToken) string {
	b, _ := json.Marshal(t)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Service) decodeToken(tok string) (pageToken, error) {
	var t pageToken
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || json.Unmarshal(b, &t) != nil || t.Issued == 0 {
		return t, errInvalidArgument("Invalid NextToken.")
	}
	if now := s.nowMs(); now-t.Issued > tokenLifetimeMs {
		return t, awsprotoErr(codeExpiredNextToken, "The timestamp of the NextToken has expired. Please request a new NextToken.")
	}
	return t, nil
}

func (s *Service) listStreams(ctx context.Context, in *listStreamsInput) (*listStreamsOutput, error) {
	c := s.check()
	c.Int(in.Limit, "limit", 1, 10000)
	c.Str(in.ExclusiveStartStreamName, "exclusiveStartStreamName", 1, 128, patternName)
	c.Str(in.NextToken, "nextToken", 1, 1048576, "")
	if err := c.Err(); err != nil {
		return nil, err
	}
	after := ""
	if in.ExclusiveStartStreamName != nil {
		after = *in.ExclusiveStartStreamName
	}
	if in.NextToken != nil {
		t, err := s.decodeToken(*in.NextToken)
		if err != nil {
			return nil, err
		}
		after = t.After
	}
	limit := listStreamsPage
	if in.Limit != nil && int(*in.Limit) < limit {
		limit = int(*in.Limit)
	}
	s.mu.RLock()
	names := make([]string, 0, len(s.streams))
	for n := range s.streams {
		if n > after {
			names = append(names, n)
		}
	}
	s.mu.RUnlock()
	sort.Strings(names)
	out := &listStreamsOutput{StreamNames: []string{}, StreamSummaries: []streamSummary{}}
	now := s.nowMs()
	for _, n := range names {
		if len(out.StreamNames) == limit {
			out.HasMoreStreams = true
			out.NextToken = encodeToken(pageToken{After: out.StreamNames[len(out.StreamNames)-1], Issued: now})
			break
		}
		_ = s.readStream(n, func(st *stream) error {
			out.StreamNames = append(out.StreamNames, n)
			out.StreamSummaries = append(out.StreamSummaries, streamSummary{StreamName: n, StreamARN: s.streamARN(n),
				StreamStatus: st.meta.status(now), StreamModeDetails: &streamModeDetails{StreamMode: st.meta.Mode},
				StreamCreationTimestamp: ts(st.meta.CreatedMs)})
			return nil
		})
	}
	return out, nil
}

func (s *Service) increaseRetention(ctx context.Context, in *retentionInput) (*none, error) {
	return s.changeRetention(in, true)
}

func (s *Service) decreaseRetention(ctx context.Context, in *retentionInput) (*none, error) {
	return s.changeRetention(in, false)
}

func (s *Service) changeRetention(in *retentionInput, increase bool) (*none, error) {
	c := s.check()
	c.ref(&in.streamRef)
	c.Required(in.RetentionPeriodHours != nil, "retentionPeriodHours")
	if err := c.Err(); err != nil {
		return nil, err
	}
	name, err := s.streamName(&in.streamRef)
	if err != nil {
		return nil, err
	}
	hours := int(*in.RetentionPeriodHours)
	return nil, s.writeStream(name, func(st *stream) error {
		if hours < minRetentionHours {
			return errInvalidArgument("Minimum allowed retention period is %d hours. Requested retention period (%d hours) is too short.", minRetentionHours, hours)
		}
		if hours > maxRetentionHours {
			return errInvalidArgument("Maximum allowed retention period is %d hours. Requested retention period (%d hours) is too long.", maxRetentionHours, hours)
		}
		if err := s.requireActive(st); err != nil {
			return err
		}
		cur := st.meta.RetentionHours
		if increase && hours < cur {
			return errInvalidArgument("Requested retention period (%d hours) for stream %s can not be shorter than existing retention period (%d hours). Use DecreaseRetentionPeriod API.", hours, name, cur)
		}
		if !increase && hours > cur {
			return errInvalidArgument("Requested retention period (%d hours) for stream %s can not be longer than existing retention period (%d hours). Use IncreaseRetentionPeriod API.", hours, name, cur)
		}
		m := st.meta.clone()
		m.RetentionHours = hours
		return s.commit(st, m)
	})
}

var metricNames = []string{"IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
	"WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds", "ALL"}

func (s *Service) enableMonitoring(ctx context.Context, in *monitoringInput) (*monitoringOutput, error) {
	return s.changeMonitoring(in, true)
}

func (s *Service) disableMonitoring(ctx context.Context, in *monitoringInput) (*monitoringOutput, error) {
	return s.changeMonitoring(in, false)
}

// changeMonitoring records the enhanced (shard-level) metrics setting;
// Tributary reports it but publishes no CloudWatch metrics.
func (s *Service) changeMonitoring(in *monitoringInput, enable bool) (*monitoringOutput, error) {
	c := s.check()
	c.ref(&in.streamRef)
	if c.Required(in.ShardLevelMetrics != nil, "shardLevelMetrics") {
		if len(in.ShardLevelMetrics) < 1 {
			c.Add("[]", "shardLevelMetrics", "Member must have length greater than or equal to 1")
		}
		if len(in.ShardLevelMetrics) > 7 {
			c.Add("["+strings.Join(in.ShardLevelMetrics, ", ")+"]", "shardLevelMetrics", "Member must have length less than or equal to 7")
		}
		for i := range in.ShardLevelMetrics {
			c.Enum(&in.ShardLevelMetrics[i], "shardLevelMetrics."+itoa(i+1)+".member", metricNames...)
		}
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	name, err := s.streamName(&in.streamRef)
	if err != nil {
		return nil, err
	}
	var out *monitoringOutput
	err = s.writeStream(name, func(st *stream) error {
		if err := s.requireActive(st); err != nil {
			return err
		}
		current := nonNil(append([]string(nil), st.meta.Metrics...))
		set := map[string]bool{}
		for _, m := range st.meta.Metrics {
			set[m] = true
		}
		for _, m := range in.ShardLevelMetrics {
			if m == "ALL" {
				for _, all := range metricNames[:len(metricNames)-1] {
					set[all] = enable
				}
				continue
			}
			set[m] = enable
		}
		var desired []string
		for _, m := range metricNames[:len(metricNames)-1] {
			if set[m] {
				desired = append(desired, m)
			}
		}
		m := st.meta.clone()
		m.Metrics = desired
		if err := s.commit(st, m); err != nil {
			return err
		}
		out = &monitoringOutput{StreamName: name, StreamARN: s.streamARN(name),
			CurrentShardLevelMetrics: current, DesiredShardLevelMetrics: nonNil(desired)}
		return nil
	})
	return out, err
}

func (s *Service) startEncryption(ctx context.Context, in *encryptionInput) (*none, error) {
	return s.changeEncryption(in, true)
}

func (s *Service) stopEncryption(ctx context.Context, in *encryptionInput) (*none, error) {
	return s.changeEncryption(in, false)
}

// changeEncryption records server-side encryption settings (reported by
// Describe*; records are not encrypted at rest by Tributary). The stream
// goes UPDATING as on AWS.
func (s *Service) changeEncryption(in *encryptionInput, start bool) (*none, error) {
	c := s.check()
	c.ref(&in.streamRef)
	if c.Required(in.EncryptionType != nil, "encryptionType") {
		c.Enum(in.EncryptionType, "encryptionType", "NONE", "KMS")
	}
	if c.Required(in.KeyId != nil, "keyId") {
		c.Str(in.KeyId, "keyId", 1, 2048, "")
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	if *in.EncryptionType != "KMS" {
		return nil, errInvalidArgument("Encryption type %s is not supported. Use KMS.", *in.EncryptionType)
	}
	name, err := s.streamName(&in.streamRef)
	if err != nil {
		return nil, err
	}
	return nil, s.writeStream(name, func(st *stream) error {
		if err := s.requireActive(st); err != nil {
			return err
		}
		m := st.meta.clone()
		if start {
			m.EncryptionType, m.KeyID = "KMS", *in.KeyId
		} else {
			m.EncryptionType, m.KeyID = "NONE", ""
		}
		m.Status, m.PendingUntil = statusUpdating, s.nowMs()+s.cfg.UpdateDelay.Milliseconds()
		return s.commit(st, m)
	})
}

func (s *Service) updateMaxRecordSize(ctx context.Context, in *updateMaxRecordSizeInput) (*none, error) {
	c := s.check()
	c.Str(in.StreamARN, "streamARN", 1, 2048, patternStreamARN)
	if c.Required(in.MaxRecordSizeInKiB != nil, "maxRecordSizeInKiB") {
		c.Int(in.MaxRecordSizeInKiB, "maxRecordSizeInKiB", 1024, 10240)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	name, err := s.streamName(&streamRef{StreamARN: in.StreamARN})
	if err != nil {
		return nil, err
	}
	return nil, s.writeStream(name, func(st *stream) error {
		if err := s.requireActive(st); err != nil {
			return err
		}
		m := st.meta.clone()
		m.MaxRecordKiB = int(*in.MaxRecordSizeInKiB)
		s.markUpdating(&m, s.nowMs())
		return s.commit(st, m)
	})
}
