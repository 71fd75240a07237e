package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/lambda/esm"
)

// Mappings runs event source mappings; *esm.Manager implements it. The
// mapping configuration lives only there (kv "lambda/esm/").
type Mappings interface {
	Put(ctx context.Context, mp esm.Mapping) error
	Remove(ctx context.Context, uuid string) error
	Get(uuid string) (esm.Mapping, esm.Status, bool)
	List() []esm.Mapping
}

// esmInput is Create/UpdateEventSourceMappingRequest (the members Kinesis uses).
type esmInput struct {
	EventSourceArn                 *string             `json:"EventSourceArn"`
	FunctionName                   *string             `json:"FunctionName"`
	Enabled                        *bool               `json:"Enabled"`
	BatchSize                      *int64              `json:"BatchSize"`
	MaximumBatchingWindowInSeconds *int64              `json:"MaximumBatchingWindowInSeconds"`
	ParallelizationFactor          *int64              `json:"ParallelizationFactor"`
	StartingPosition               *string             `json:"StartingPosition"`
	StartingPositionTimestamp      *awsproto.Timestamp `json:"StartingPositionTimestamp"`
	MaximumRecordAgeInSeconds      *int64              `json:"MaximumRecordAgeInSeconds"`
	BisectBatchOnFunctionError     *bool               `json:"BisectBatchOnFunctionError"`
	MaximumRetryAttempts           *int64              `json:"MaximumRetryAttempts"`
	FunctionResponseTypes          []string            `json:"FunctionResponseTypes"`
	TumblingWindowInSeconds        *int64              `json:"TumblingWindowInSeconds"`
	FilterCriteria                 json.RawMessage     `json:"FilterCriteria"`
	DestinationConfig              *destinationConfig  `json:"DestinationConfig"`
}

type destinationConfig struct {
	OnFailure *struct {
		Destination string `json:"Destination,omitempty"`
	} `json:"OnFailure,omitempty"`
}

// esmOutput is EventSourceMappingConfiguration.
type esmOutput struct {
	UUID                           string              `json:"UUID"`
	StartingPosition               string              `json:"StartingPosition,omitempty"`
	StartingPositionTimestamp      *awsproto.Timestamp `json:"StartingPositionTimestamp,omitempty"`
	BatchSize                      int                 `json:"BatchSize"`
	MaximumBatchingWindowInSeconds int                 `json:"MaximumBatchingWindowInSeconds"`
	ParallelizationFactor          int                 `json:"ParallelizationFactor"`
	EventSourceArn                 string              `json:"EventSourceArn"`
	FunctionArn                    string              `json:"FunctionArn"`
	LastModified                   awsproto.Timestamp  `json:"LastModified"`
	LastProcessingResult           string              `json:"LastProcessingResult"`
	State                          string              `json:"State"`
	StateTransitionReason          string              `json:"StateTransitionReason"`
	DestinationConfig              map[string]any      `json:"DestinationConfig"`
	MaximumRecordAgeInSeconds      int                 `json:"MaximumRecordAgeInSeconds"`
	BisectBatchOnFunctionError     bool                `json:"BisectBatchOnFunctionError"`
	MaximumRetryAttempts           int                 `json:"MaximumRetryAttempts"`
	TumblingWindowInSeconds        int                 `json:"TumblingWindowInSeconds"`
	FunctionResponseTypes          []string            `json:"FunctionResponseTypes"`
	EventSourceMappingArn          string              `json:"EventSourceMappingArn"`
}

var kinesisStreamARN = regexp.MustCompile(`^arn:aws[a-zA-Z-]*:kinesis:[a-z0-9-]+:\d{12}:stream/[a-zA-Z0-9_.-]+$`)

func (s *Service) esmARN(uuid string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:event-source-mapping:%s", s.cfg.Region, s.cfg.AccountID, uuid)
}

func (s *Service) esmOut(mp esm.Mapping, st esm.Status) esmOutput {
	types := []string{}
	if mp.ReportBatchItemFailures {
		types = []string{"ReportBatchItemFailures"}
	}
	out := esmOutput{UUID: mp.UUID, StartingPosition: mp.StartingPosition, BatchSize: mp.BatchSize,
		MaximumBatchingWindowInSeconds: int(mp.MaximumBatchingWindow / time.Second),
		ParallelizationFactor:          mp.ParallelizationFactor, EventSourceArn: mp.EventSourceARN,
		FunctionArn: mp.FunctionARN, LastModified: awsproto.Timestamp{Time: st.LastModified},
		LastProcessingResult: st.LastProcessingResult, State: st.State, StateTransitionReason: st.StateTransitionReason,
		DestinationConfig:         map[string]any{"OnFailure": map[string]any{}},
		MaximumRecordAgeInSeconds: mp.MaximumRecordAgeSeconds, BisectBatchOnFunctionError: mp.BisectBatchOnFunctionError,
		MaximumRetryAttempts: mp.MaximumRetryAttempts, FunctionResponseTypes: types, EventSourceMappingArn: s.esmARN(mp.UUID)}
	if out.StateTransitionReason == "" {
		out.StateTransitionReason = "User action"
	}
	if out.LastProcessingResult == "" {
		out.LastProcessingResult = esm.ResultNone
	}
	if mp.StartingPosition == esm.AtTimestamp {
		out.StartingPositionTimestamp = &awsproto.Timestamp{Time: mp.StartingPositionTimestamp}
	}
	return out
}

// applyESM validates in and applies it to mp (defaults already in mp for a create).
func (s *Service) applyESM(in *esmInput, mp *esm.Mapping) error {
	var v awsproto.Validation
	intRange := func(p *int64, member string, lo, hi int64) {
		if p == nil {
			return
		}
		if *p < lo {
			v.Add(strconv.FormatInt(*p, 10), member, awsproto.ConstraintMinValue(lo))
		} else if *p > hi {
			v.Add(strconv.FormatInt(*p, 10), member, awsproto.ConstraintMaxValue(hi))
		}
	}
	intRange(in.BatchSize, "batchSize", 1, 10000)
	intRange(in.MaximumBatchingWindowInSeconds, "maximumBatchingWindowInSeconds", 0, 300)
	intRange(in.ParallelizationFactor, "parallelizationFactor", 1, 10)
	intRange(in.MaximumRecordAgeInSeconds, "maximumRecordAgeInSeconds", -1, 604800)
	intRange(in.MaximumRetryAttempts, "maximumRetryAttempts", -1, 10000)
	for _, t := range in.FunctionResponseTypes {
		if t != "ReportBatchItemFailures" {
			v.Add("["+strings.Join(in.FunctionResponseTypes, ", ")+"]", "functionResponseTypes",
				"Member must satisfy constraint: [Member must satisfy enum value set: [ReportBatchItemFailures]]")
			break
		}
	}
	if err := errValidation(&v); err != nil {
		return err
	}
	if a := in.MaximumRecordAgeInSeconds; a != nil && *a != -1 && *a < 60 {
		return errInvalidParam("MaximumRecordAgeInSeconds must be -1 or between 60 and 604800")
	}
	if len(in.FilterCriteria) > 0 && string(in.FilterCriteria) != "null" && string(in.FilterCriteria) != "{}" {
		return errInvalidParam("Tributary does not support FilterCriteria on event source mappings")
	}
	if in.TumblingWindowInSeconds != nil && *in.TumblingWindowInSeconds != 0 {
		return errInvalidParam("Tributary does not support TumblingWindowInSeconds on event source mappings")
	}
	if in.DestinationConfig != nil && in.DestinationConfig.OnFailure != nil && in.DestinationConfig.OnFailure.Destination != "" {
		return errInvalidParam("Tributary does not support OnFailure destinations (SQS, SNS, S3) yet")
	}
	if in.FunctionName != nil {
		t, err := s.resolve(*in.FunctionName, "")
		if err != nil {
			return err
		}
		mp.FunctionARN = s.qualifiedARN(t.rec.Name, t.qualifier)
		mp.RoleARN = t.ver.Role
	}
	if in.Enabled != nil {
		mp.Enabled = *in.Enabled
	}
	if in.BatchSize != nil {
		mp.BatchSize = int(*in.BatchSize)
	}
	if in.MaximumBatchingWindowInSeconds != nil {
		mp.MaximumBatchingWindow = time.Duration(*in.MaximumBatchingWindowInSeconds) * time.Second
	}
	if in.ParallelizationFactor != nil {
		mp.ParallelizationFactor = int(*in.ParallelizationFactor)
	}
	if in.MaximumRecordAgeInSeconds != nil {
		mp.MaximumRecordAgeSeconds = int(*in.MaximumRecordAgeInSeconds)
	}
	if in.MaximumRetryAttempts != nil {
		mp.MaximumRetryAttempts = int(*in.MaximumRetryAttempts)
	}
	if in.BisectBatchOnFunctionError != nil {
		mp.BisectBatchOnFunctionError = *in.BisectBatchOnFunctionError
	}
	if in.FunctionResponseTypes != nil {
		mp.ReportBatchItemFailures = len(in.FunctionResponseTypes) > 0
	}
	return nil
}

func (s *Service) putMapping(ctx context.Context, mp esm.Mapping) error {
	if err := s.cfg.Mappings.Put(ctx, mp); err != nil {
		if errors.Is(err, esm.ErrStreamNotFound) {
			return errInvalidParam("Stream not found: %s", mp.EventSourceARN)
		}
		return err
	}
	return nil
}

func (s *Service) createEventSourceMapping(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	var in esmInput
	if err := awsproto.DecodeJSON(r, &in); err != nil {
		return err
	}
	var v awsproto.Validation
	if in.FunctionName == nil {
		v.AddNull("functionName")
	}
	if err := errValidation(&v); err != nil {
		return err
	}
	if in.EventSourceArn == nil || !kinesisStreamARN.MatchString(*in.EventSourceArn) {
		return errInvalidParam("Tributary supports Kinesis stream event sources only (arn:aws:kinesis:<region>:<account>:stream/<name>)")
	}
	if in.StartingPosition == nil {
		return errInvalidParam("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.")
	}
	switch *in.StartingPosition {
	case esm.TrimHorizon, esm.Latest:
	case esm.AtTimestamp:
		if in.StartingPositionTimestamp == nil {
			return errInvalidParam("StartingPositionTimestamp must be set when StartingPosition is AT_TIMESTAMP")
		}
	default:
		var v awsproto.Validation
		v.Add(*in.StartingPosition, "startingPosition", awsproto.ConstraintEnum("TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"))
		return errValidation(&v)
	}
	mp := esm.Mapping{UUID: newUUID(), EventSourceARN: *in.EventSourceArn, BatchSize: esm.DefaultBatchSize,
		StartingPosition: *in.StartingPosition, MaximumRetryAttempts: -1, MaximumRecordAgeSeconds: -1,
		Enabled: true, ParallelizationFactor: 1, Region: s.cfg.Region}
	if in.StartingPositionTimestamp != nil {
		mp.StartingPositionTimestamp = in.StartingPositionTimestamp.Time
	}
	if err := s.applyESM(&in, &mp); err != nil {
		return err
	}
	if err := s.putMapping(r.Context(), mp); err != nil {
		return err
	}
	got, st, _ := s.cfg.Mappings.Get(mp.UUID)
	return awsproto.WriteJSON(w, r, rt, http.StatusAccepted, s.esmOut(got, st))
}

func errMappingNotFound() error {
	return apiError(http.StatusNotFound, codeNotFound, "The resource you requested does not exist.")
}

func (s *Service) getEventSourceMapping(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	mp, st, ok := s.cfg.Mappings.Get(rt.PathParams["UUID"])
	if !ok {
		return errMappingNotFound()
	}
	return awsproto.WriteJSON(w, r, rt, http.StatusOK, s.esmOut(mp, st))
}

func (s *Service) updateEventSourceMapping(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	var in esmInput
	if err := awsproto.DecodeJSON(r, &in); err != nil {
		return err
	}
	mp, st, ok := s.cfg.Mappings.Get(rt.PathParams["UUID"])
	if !ok || st.State == esm.StateDeleting {
		return errMappingNotFound()
	}
	if in.StartingPosition != nil || in.EventSourceArn != nil {
		return errInvalidParam("StartingPosition and EventSourceArn cannot be changed; create a new event source mapping")
	}
	if err := s.applyESM(&in, &mp); err != nil {
		return err
	}
	if err := s.putMapping(r.Context(), mp); err != nil {
		return err
	}
	got, st, _ := s.cfg.Mappings.Get(mp.UUID)
	return awsproto.WriteJSON(w, r, rt, http.StatusAccepted, s.esmOut(got, st))
}

func (s *Service) deleteEventSourceMapping(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	uuid := rt.PathParams["UUID"]
	mp, st, ok := s.cfg.Mappings.Get(uuid)
	if !ok {
		return errMappingNotFound()
	}
	if err := s.cfg.Mappings.Remove(r.Context(), uuid); err != nil {
		if errors.Is(err, esm.ErrNotFound) {
			return errMappingNotFound()
		}
		return err
	}
	out := s.esmOut(mp, st)
	out.State = esm.StateDeleting
	return awsproto.WriteJSON(w, r, rt, http.StatusAccepted, out)
}

func (s *Service) listEventSourceMappings(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	q := r.URL.Query()
	limit := 100
	if m := q.Get("MaxItems"); m != "" {
		n, err := strconv.Atoi(m)
		if err != nil || n < 1 || n > 10000 {
			var v awsproto.Validation
			v.Add(m, "maxItems", "Member must have value between 1 and 10000")
			return errValidation(&v)
		}
		limit = min(n, 100)
	}
	fnARN := ""
	if f := q.Get("FunctionName"); f != "" {
		name, qualifier, err := splitFunctionName(f, "functionName")
		if err != nil {
			return err
		}
		fnARN = s.qualifiedARN(name, qualifier)
	}
	src := q.Get("EventSourceArn")
	var items []esmOutput
	for _, mp := range s.cfg.Mappings.List() {
		if (fnARN != "" && mp.FunctionARN != fnARN) || (src != "" && mp.EventSourceARN != src) {
			continue
		}
		got, st, ok := s.cfg.Mappings.Get(mp.UUID)
		if !ok {
			continue
		}
		items = append(items, s.esmOut(got, st))
	}
	page, next, err := paginate(items, func(o esmOutput) string { return o.UUID }, q.Get("Marker"), limit)
	if err != nil {
		return err
	}
	return awsproto.WriteJSON(w, r, rt, http.StatusOK, map[string]any{"EventSourceMappings": page, "NextMarker": omitEmpty(next)})
}

func omitEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
