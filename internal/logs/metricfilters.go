package logs

import (
	"context"
	"strconv"
	"strings"

	"github.com/tributary-dev/tributary/internal/logs/filterpattern"
)

// Metric filters are stored and tested; Tributary has no CloudWatch
// metrics service, so no metric data is emitted.

const (
	maxMetricFilters     = 100
	maxMetricDimensions  = 3
	maxTestEventMessages = 50
	msgInvalidMetricPat  = "Invalid metric filter pattern"
)

var standardUnits = []string{"Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
	"Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
	"Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
	"Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None"}

type metricTransformation struct {
	MetricName      *string           `json:"metricName"`
	MetricNamespace *string           `json:"metricNamespace"`
	MetricValue     *string           `json:"metricValue"`
	DefaultValue    *float64          `json:"defaultValue,omitempty"`
	Dimensions      map[string]string `json:"dimensions,omitempty"`
	Unit            *string           `json:"unit,omitempty"`
}

// metricFilterMeta is a metric filter, kept in its group's metadata.
type metricFilterMeta struct {
	Name                      string                 `json:"name"`
	Pattern                   string                 `json:"pattern"`
	Transformations           []metricTransformation `json:"transformations"`
	Created                   int64                  `json:"created"`
	ApplyOnTransformedLogs    bool                   `json:"applyOnTransformedLogs,omitempty"`
	FieldSelectionCriteria    string                 `json:"fieldSelectionCriteria,omitempty"`
	EmitSystemFieldDimensions []string               `json:"emitSystemFieldDimensions,omitempty"`
}

type putMetricFilterInput struct {
	LogGroupName              *string                `json:"logGroupName"`
	FilterName                *string                `json:"filterName"`
	FilterPattern             *string                `json:"filterPattern"`
	MetricTransformations     []metricTransformation `json:"metricTransformations"`
	ApplyOnTransformedLogs    *bool                  `json:"applyOnTransformedLogs"`
	FieldSelectionCriteria    *string                `json:"fieldSelectionCriteria"`
	EmitSystemFieldDimensions []string               `json:"emitSystemFieldDimensions"`
}

type describeMetricFiltersInput struct {
	LogGroupName     *string `json:"logGroupName"`
	FilterNamePrefix *string `json:"filterNamePrefix"`
	NextToken        *string `json:"nextToken"`
	Limit            *int32  `json:"limit"`
	MetricName       *string `json:"metricName"`
	MetricNamespace  *string `json:"metricNamespace"`
}

type metricFilterOut struct {
	FilterName                string                 `json:"filterName"`
	FilterPattern             string                 `json:"filterPattern"`
	MetricTransformations     []metricTransformation `json:"metricTransformations"`
	CreationTime              int64                  `json:"creationTime"`
	LogGroupName              string                 `json:"logGroupName"`
	ApplyOnTransformedLogs    bool                   `json:"applyOnTransformedLogs"`
	FieldSelectionCriteria    string                 `json:"fieldSelectionCriteria,omitempty"`
	EmitSystemFieldDimensions []string               `json:"emitSystemFieldDimensions,omitempty"`
}

type describeMetricFiltersOutput struct {
	MetricFilters []metricFilterOut `json:"metricFilters"`
	NextToken     *string           `json:"nextToken,omitempty"`
}

type testMetricFilterInput struct {
	FilterPattern    *string  `json:"filterPattern"`
	LogEventMessages []string `json:"logEventMessages"`
}

type metricFilterMatch struct {
	EventNumber     int64             `json:"eventNumber"`
	EventMessage    string            `json:"eventMessage"`
	ExtractedValues map[string]string `json:"extractedValues"`
}

type testMetricFilterOutput struct {
	Matches []metricFilterMatch `json:"matches"`
}

func (s *Service) putMetricFilter(ctx context.Context, in *putMetricFilterInput) (*none, error) {
	c := s.check()
	c.requiredGroupName(in.LogGroupName)
	if c.Required(in.FilterName != nil, "filterName") {
		c.Str(in.FilterName, "filterName", 1, 512, patternStreamName)
	}
	if c.Required(in.FilterPattern != nil, "filterPattern") {
		c.Str(in.FilterPattern, "filterPattern", 0, filterpattern.MaxLength, "")
	}
	if c.Required(in.MetricTransformations != nil, "metricTransformations") && len(in.MetricTransformations) != 1 {
		c.Add("["+strconv.Itoa(len(in.MetricTransformations))+" transformations]", "metricTransformations",
			lengthConstraint(len(in.MetricTransformations), 1, 1))
	}
	for i := range in.MetricTransformations {
		t := &in.MetricTransformations[i]
		member := "metricTransformations." + strconv.Itoa(i+1) + ".member."
		if c.Required(t.MetricName != nil, member+"metricName") {
			c.Str(t.MetricName, member+"metricName", 0, 255, patternMetricName)
		}
		if c.Required(t.MetricNamespace != nil, member+"metricNamespace") {
			c.Str(t.MetricNamespace, member+"metricNamespace", 0, 255, patternMetricName)
		}
		if c.Required(t.MetricValue != nil, member+"metricValue") {
			c.Str(t.MetricValue, member+"metricValue", 0, 100, "")
		}
		c.Enum(t.Unit, member+"unit", standardUnits...)
	}
	c.Str(in.FieldSelectionCriteria, "fieldSelectionCriteria", 0, 2000, "")
	if err := c.Err(); err != nil {
		return nil, err
	}
	p, err := filterpattern.Compile(*in.FilterPattern)
	if err != nil {
		return nil, errInvalidParameter(msgInvalidMetricPat)
	}
	t := in.MetricTransformations[0]
	if err := checkMetricTransformation(p, &t); err != nil {
		return nil, err
	}
	m := metricFilterMeta{Name: *in.FilterName, Pattern: *in.FilterPattern, Transformations: []metricTransformation{t},
		Created: s.nowMs(), EmitSystemFieldDimensions: in.EmitSystemFieldDimensions}
	if in.ApplyOnTransformedLogs != nil {
		m.ApplyOnTransformedLogs = *in.ApplyOnTransformedLogs
	}
	if in.FieldSelectionCriteria != nil {
		m.FieldSelectionCriteria = *in.FieldSelectionCriteria
	}
	return nil, s.writeGroup(*in.LogGroupName, func(g *group) error {
		meta := g.meta.clone()
		if err := meta.checkRegexQuota(p, "metric", m.Name); err != nil {
			return err
		}
		for i := range meta.MetricFilters {
			if meta.MetricFilters[i].Name == m.Name {
				m.Created = meta.MetricFilters[i].Created
				meta.MetricFilters[i] = m
				return s.commitGroup(g, meta, nil)
			}
		}
		if len(meta.MetricFilters) >= maxMetricFilters {
			return errLimitExceeded()
		}
		meta.MetricFilters = append(meta.MetricFilters, m)
		return s.commitGroup(g, meta, nil)
	})
}

// checkMetricTransformation applies the rules the model cannot express:
// what a metric value and dimensions may name for the pattern's form.
func checkMetricTransformation(p *filterpattern.Pattern, t *metricTransformation) error {
	checkRef := func(what, v string) error {
		switch {
		case strings.HasPrefix(v, "$."):
			if p.Kind() != filterpattern.JSON {
				return errInvalidParameter("Invalid %s: %s. A JSON selector needs a JSON filter pattern.", what, v)
			}
			if _, err := filterpattern.ParseSelector(v); err != nil {
				return errInvalidParameter("Invalid %s: %s", what, v)
			}
		case strings.HasPrefix(v, "$"):
			if p.Kind() != filterpattern.SpaceDelimited {
				return errInvalidParameter("Invalid %s: %s. A field reference needs a space-delimited filter pattern.", what, v)
			}
		default:
			return errInvalidParameter("Invalid %s: %s", what, v)
		}
		return nil
	}
	if v := *t.MetricValue; !isNumber(v) {
		if err := checkRef("metric value", v); err != nil {
			return err
		}
	}
	if len(t.Dimensions) > 0 {
		if k := p.Kind(); k != filterpattern.JSON && k != filterpattern.SpaceDelimited {
			return errInvalidParameter("Dimensions are supported only for JSON and space-delimited filter patterns.")
		}
		if len(t.Dimensions) > maxMetricDimensions {
			return errInvalidParameter("A metric filter can have at most %d dimensions.", maxMetricDimensions)
		}
		if t.DefaultValue != nil {
			return errInvalidParameter("A metric filter with dimensions cannot have a default value.")
		}
		for _, k := range sortedKeys(t.Dimensions) {
			if err := checkRef("dimension value", t.Dimensions[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

func isNumber(v string) bool {
	_, err := strconv.ParseFloat(v, 64)
	return err == nil
}

func (s *Service) describeMetricFilters(ctx context.Context, in *describeMetricFiltersInput) (*describeMetricFiltersOutput, error) {
	c := s.check()
	c.groupName(in.LogGroupName, "logGroupName")
	c.Str(in.FilterNamePrefix, "filterNamePrefix", 1, 512, patternStreamName)
	c.nextToken(in.NextToken)
	c.limit(in.Limit, describePageMax)
	c.Str(in.MetricName, "metricName", 0, 255, patternMetricName)
	c.Str(in.MetricNamespace, "metricNamespace", 0, 255, patternMetricName)
	if err := c.Err(); err != nil {
		return nil, err
	}
	if in.FilterNamePrefix != nil && in.LogGroupName == nil {
		return nil, errInvalidParameter("If you specify a filterNamePrefix, you must also specify a logGroupName.")
	}
	if (in.MetricName == nil) != (in.MetricNamespace == nil) {
		return nil, errInvalidParameter("metricName and metricNamespace must be specified together.")
	}
	after, err := decodePageToken("metricfilters", in.NextToken)
	if err != nil {
		return nil, err
	}
	limit := describePageDefault
	if in.Limit != nil {
		limit = int(*in.Limit)
	}
	var groups []string
	if in.LogGroupName != nil {
		if s.lookupGroup(*in.LogGroupName) == nil {
			return nil, errNotFound(msgGroupNotFound)
		}
		groups = []string{*in.LogGroupName}
	} else {
		s.mu.RLock()
		groups = sortedKeys(s.groups)
		s.mu.RUnlock()
	}
	out := &describeMetricFiltersOutput{MetricFilters: []metricFilterOut{}}
	lastKey := ""
	for _, gn := range groups {
		full := false
		err := s.readGroup(gn, func(g *group) error {
			filters := append([]metricFilterMeta(nil), g.meta.MetricFilters...)
			sortByName(filters, func(m metricFilterMeta) string { return m.Name })
			for _, m := range filters {
				key := gn + "\x00" + m.Name
				if (in.NextToken != nil && key <= after) ||
					(in.FilterNamePrefix != nil && !strings.HasPrefix(m.Name, *in.FilterNamePrefix)) {
					continue
				}
				if in.MetricName != nil {
					t := m.Transformations[0]
					if *t.MetricName != *in.MetricName || *t.MetricNamespace != *in.MetricNamespace {
						continue
					}
				}
				if len(out.MetricFilters) == limit {
					full = true
					return nil
				}
				out.MetricFilters = append(out.MetricFilters, metricFilterOut{FilterName: m.Name, FilterPattern: m.Pattern,
					MetricTransformations: m.Transformations, CreationTime: m.Created, LogGroupName: gn,
					ApplyOnTransformedLogs: m.ApplyOnTransformedLogs, FieldSelectionCriteria: m.FieldSelectionCriteria,
					EmitSystemFieldDimensions: m.EmitSystemFieldDimensions})
				lastKey = key
			}
			return nil
		})
		if err != nil && !isNotFound(err) {
			return nil, err
		}
		if full {
			out.NextToken = encodePageToken("metricfilters", lastKey)
			break
		}
	}
	return out, nil
}

func (s *Service) deleteMetricFilter(ctx context.Context, in *filterNameInput) (*none, error) {
	c := s.check()
	c.requiredGroupName(in.LogGroupName)
	if c.Required(in.FilterName != nil, "filterName") {
		c.Str(in.FilterName, "filterName", 1, 512, patternStreamName)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return nil, s.writeGroup(*in.LogGroupName, func(g *group) error {
		meta := g.meta.clone()
		for i := range meta.MetricFilters {
			if meta.MetricFilters[i].Name == *in.FilterName {
				meta.MetricFilters = append(meta.MetricFilters[:i], meta.MetricFilters[i+1:]...)
				return s.commitGroup(g, meta, nil)
			}
		}
		return errNotFound(msgFilterNotFound)
	})
}

func (s *Service) testMetricFilter(ctx context.Context, in *testMetricFilterInput) (*testMetricFilterOutput, error) {
	c := s.check()
	if c.Required(in.FilterPattern != nil, "filterPattern") {
		c.Str(in.FilterPattern, "filterPattern", 0, filterpattern.MaxLength, "")
	}
	if c.Required(in.LogEventMessages != nil, "logEventMessages") &&
		(len(in.LogEventMessages) < 1 || len(in.LogEventMessages) > maxTestEventMessages) {
		c.Add("["+strings.Join(in.LogEventMessages, ", ")+"]", "logEventMessages",
			lengthConstraint(len(in.LogEventMessages), 1, maxTestEventMessages))
	}
	for i := range in.LogEventMessages {
		c.Str(&in.LogEventMessages[i], "logEventMessages."+strconv.Itoa(i+1)+".member", 1, 0, "")
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	p, err := filterpattern.Compile(*in.FilterPattern)
	if err != nil {
		return nil, errInvalidParameter(msgInvalidMetricPat)
	}
	out := &testMetricFilterOutput{Matches: []metricFilterMatch{}}
	for i, msg := range in.LogEventMessages {
		ok, extracted := p.MatchExtract(msg)
		if !ok {
			continue
		}
		out.Matches = append(out.Matches, metricFilterMatch{EventNumber: int64(i + 1), EventMessage: msg, ExtractedValues: extracted})
	}
	return out, nil
}
