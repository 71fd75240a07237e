package logs

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// Destination is one subscription target (a Kinesis stream, a Firehose
// stream or a Lambda function), adapted by internal/app from the service
// that owns it. Payloads are gzip'd JSON exactly as CloudWatch Logs sends
// them: Kinesis and Firehose adapters put each as one record's data; a
// Lambda adapter wraps each with LambdaEvent and invokes asynchronously.
type Destination interface {
	// Probe delivers the gzip'd CONTROL_MESSAGE when a subscription filter
	// is created; an error makes PutSubscriptionFilter fail.
	Probe(ctx context.Context, controlMessage []byte) error
	// Deliver hands over payloads of one log stream, in order. It must be
	// all or nothing as far as the caller can tell: on error the whole
	// call is retried later (at-least-once), so a destination that
	// accepted some payloads sees them again.
	Deliver(ctx context.Context, partitionKey string, payloads [][]byte) error
	// MaxRecordBytes is the largest payload the destination takes (Kinesis
	// 1 MiB, Firehose 1,000 KiB, Lambda 1 MB); larger batches are split.
	MaxRecordBytes() int
}

// DestinationResolver finds the Destination of an ARN. It answers
// ErrDestinationNotFound (or wraps it) when nothing has that ARN.
type DestinationResolver interface {
	Resolve(arn string) (Destination, error)
}

// ErrDestinationNotFound is the resolver's answer for an unknown ARN.
// During delivery it is final, like ErrUndeliverable.
var ErrDestinationNotFound = errors.New("logs: destination not found")

// ErrUndeliverable marks (wrapped) a Deliver failure that retrying cannot
// fix: access denied, a target that no longer exists. The batch is dropped,
// as AWS drops it; any other error is retried with backoff for up to
// maxRetryAge (24 h of the service clock) before the batch is dropped.
var ErrUndeliverable = errors.New("logs: undeliverable")

// destinationMeta is a logical destination (PutDestination), kv logs/d/<name>.
type destinationMeta struct {
	Name         string            `json:"name"`
	TargetArn    string            `json:"targetArn"`
	RoleArn      string            `json:"roleArn"`
	AccessPolicy string            `json:"accessPolicy,omitempty"`
	Created      int64             `json:"created"`
	Tags         map[string]string `json:"tags,omitempty"`
}

type putDestinationInput struct {
	DestinationName *string           `json:"destinationName"`
	TargetArn       *string           `json:"targetArn"`
	RoleArn         *string           `json:"roleArn"`
	Tags            map[string]string `json:"tags"`
}

type destinationOut struct {
	DestinationName string `json:"destinationName"`
	TargetArn       string `json:"targetArn"`
	RoleArn         string `json:"roleArn"`
	AccessPolicy    string `json:"accessPolicy,omitempty"`
	Arn             string `json:"arn"`
	CreationTime    int64  `json:"creationTime"`
}

type putDestinationOutput struct {
	Destination destinationOut `json:"destination"`
}

type describeDestinationsInput struct {
	DestinationNamePrefix *string `json:"DestinationNamePrefix"`
	NextToken             *string `json:"nextToken"`
	Limit                 *int32  `json:"limit"`
}

type describeDestinationsOutput struct {
	Destinations []destinationOut `json:"destinations"`
	NextToken    *string          `json:"nextToken,omitempty"`
}

type destinationNameInput struct {
	DestinationName *string `json:"destinationName"`
}

type putDestinationPolicyInput struct {
	DestinationName *string `json:"destinationName"`
	AccessPolicy    *string `json:"accessPolicy"`
	ForceUpdate     *bool   `json:"forceUpdate"`
}

func (s *Service) destinationARN(name string) string {
	return "arn:aws:logs:" + s.cfg.Region + ":" + s.cfg.AccountID + ":destination:" + name
}

func (s *Service) destinationOut(m *destinationMeta) destinationOut {
	return destinationOut{DestinationName: m.Name, TargetArn: m.TargetArn, RoleArn: m.RoleArn,
		AccessPolicy: m.AccessPolicy, Arn: s.destinationARN(m.Name), CreationTime: m.Created}
}

// saveDestination writes m and installs it; the caller holds s.mu.
func (s *Service) saveDestination(m *destinationMeta) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if err := s.kv.Update(func(w kv.Writer) error { return w.Put(destinationKey(m.Name), data) }); err != nil {
		return err
	}
	s.destinations[m.Name] = m
	return nil
}

func (s *Service) putDestination(ctx context.Context, in *putDestinationInput) (*putDestinationOutput, error) {
	c := s.check()
	if c.Required(in.DestinationName != nil, "destinationName") {
		c.Str(in.DestinationName, "destinationName", 1, 512, patternStreamName)
	}
	if c.Required(in.TargetArn != nil, "targetArn") {
		c.Str(in.TargetArn, "targetArn", 1, 0, "")
	}
	if c.Required(in.RoleArn != nil, "roleArn") {
		c.Str(in.RoleArn, "roleArn", 1, 0, "")
	}
	c.tags(in.Tags, "tags", false)
	if err := c.Err(); err != nil {
		return nil, err
	}
	if kind := arnService(*in.TargetArn); kind != "kinesis" && kind != "firehose" {
		return nil, errInvalidParameter("Invalid target ARN: %s. Destinations can target Kinesis streams and Firehose streams only.", *in.TargetArn)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := destinationMeta{Name: *in.DestinationName, Created: s.nowMs()}
	if old := s.destinations[m.Name]; old != nil {
		m = *old
	} else if in.Tags != nil {
		m.Tags = in.Tags
	}
	m.TargetArn, m.RoleArn = *in.TargetArn, *in.RoleArn
	if err := s.saveDestination(&m); err != nil {
		return nil, err
	}
	return &putDestinationOutput{Destination: s.destinationOut(&m)}, nil
}

func (s *Service) putDestinationPolicy(ctx context.Context, in *putDestinationPolicyInput) (*none, error) {
	c := s.check()
	if c.Required(in.DestinationName != nil, "destinationName") {
		c.Str(in.DestinationName, "destinationName", 1, 512, patternStreamName)
	}
	if c.Required(in.AccessPolicy != nil, "accessPolicy") {
		c.Str(in.AccessPolicy, "accessPolicy", 1, 0, "")
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	if !json.Valid([]byte(*in.AccessPolicy)) {
		return nil, errInvalidParameter("Access policy is not a valid JSON document.")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.destinations[*in.DestinationName]
	if old == nil {
		return nil, errNotFound(msgDestinationNotFound)
	}
	m := *old
	m.AccessPolicy = *in.AccessPolicy
	return nil, s.saveDestination(&m)
}

func (s *Service) describeDestinations(ctx context.Context, in *describeDestinationsInput) (*describeDestinationsOutput, error) {
	c := s.check()
	c.Str(in.DestinationNamePrefix, "DestinationNamePrefix", 1, 512, patternStreamName)
	c.nextToken(in.NextToken)
	c.limit(in.Limit, describePageMax)
	if err := c.Err(); err != nil {
		return nil, err
	}
	after, err := decodePageToken("destinations", in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := describePageDefault
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := &describeDestinationsOutput{Destinations: []destinationOut{}}
	for _, name := range sortedKeys(s.destinations) {
		if (in.NextToken != nil && name <= after) ||
			(in.DestinationNamePrefix != nil && !strings.HasPrefix(name, *in.DestinationNamePrefix)) {
			continue
		}
		if len(out.Destinations) == limit {
			out.NextToken = encodePageToken("destinations", out.Destinations[limit-1].DestinationName)
			break
		}
		out.Destinations = append(out.Destinations, s.destinationOut(s.destinations[name]))
	}
	return out, nil
}

func (s *Service) deleteDestination(ctx context.Context, in *destinationNameInput) (*none, error) {
	c := s.check()
	if c.Required(in.DestinationName != nil, "destinationName") {
		c.Str(in.DestinationName, "destinationName", 1, 512, patternStreamName)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return nil, s.removeDestination(*in.DestinationName)
}

func (s *Service) removeDestination(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.destinations[name] == nil {
		return errNotFound(msgDestinationNotFound)
	}
	if err := s.kv.Update(func(w kv.Writer) error { return w.Delete(destinationKey(name)) }); err != nil {
		return err
	}
	delete(s.destinations, name)
	return nil
}

// arnService is the service part of an ARN ("kinesis", "firehose",
// "lambda", "logs"), or "".
func arnService(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[2]
}

// resolveTarget follows a logical destination (arn:...:logs:...:destination:
// name) to the ARN it wraps; other ARNs are their own target.
func (s *Service) resolveTarget(arn string) (string, error) {
	if arnService(arn) != "logs" {
		return arn, nil
	}
	parts := strings.SplitN(arn, ":", 6)
	name, ok := strings.CutPrefix(parts[5], "destination:")
	if !ok {
		return "", errInvalidParameter("Invalid destination ARN: %s", arn)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	d := s.destinations[name]
	if d == nil {
		return "", errNotFound(msgDestinationNotFound)
	}
	return d.TargetArn, nil
}

// destinationKind names a target in CONTROL_MESSAGE text and errors.
func destinationKind(arn string) string {
	switch arnService(arn) {
	case "kinesis":
		return "Kinesis stream"
	case "firehose":
		return "Firehose"
	case "lambda":
		return "Lambda"
	}
	return ""
}

// errUnreachable is AWS's answer when the test message cannot be delivered.
func errUnreachable(arn string) error {
	switch arnService(arn) {
	case "kinesis":
		return errInvalidParameter("Could not deliver test message to specified Kinesis stream. Check if the given kinesis stream is in ACTIVE state.")
	case "firehose":
		return errInvalidParameter("Could not deliver test message to specified Firehose stream. Check if the given Firehose stream is in ACTIVE state.")
	default:
		return errInvalidParameter("Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.")
	}
}

// destination resolves a subscription's destination ARN to its target.
func (s *Service) destination(arn string) (Destination, string, error) {
	target, err := s.resolveTarget(arn)
	if err != nil {
		return nil, "", err
	}
	if s.cfg.Destinations == nil {
		return nil, target, ErrDestinationNotFound
	}
	d, err := s.cfg.Destinations.Resolve(target)
	return d, target, err
}
