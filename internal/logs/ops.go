package logs

// operations is the op table: botocore operation name → handler. An
// operation missing here answers UnknownOperationException.
func (s *Service) operations() map[string]opFunc {
	return map[string]opFunc{
		// groups.go
		"CreateLogGroup":                op(s.createLogGroup),
		"DeleteLogGroup":                op(s.deleteLogGroup),
		"DescribeLogGroups":             op(s.describeLogGroups),
		"PutRetentionPolicy":            op(s.putRetentionPolicy),
		"DeleteRetentionPolicy":         op(s.deleteRetentionPolicy),
		"PutLogGroupDeletionProtection": op(s.putLogGroupDeletionProtection),
		// streams.go
		"CreateLogStream":    op(s.createLogStream),
		"DeleteLogStream":    op(s.deleteLogStream),
		"DescribeLogStreams": op(s.describeLogStreams),
		// put.go, get.go, filter.go
		"PutLogEvents":    s.putLogEventsOp,
		"GetLogEvents":    op(s.getLogEvents),
		"FilterLogEvents": op(s.filterLogEvents),
		// tags.go
		"TagLogGroup":         op(s.tagLogGroup),
		"UntagLogGroup":       op(s.untagLogGroup),
		"ListTagsLogGroup":    op(s.listTagsLogGroup),
		"TagResource":         op(s.tagResource),
		"UntagResource":       op(s.untagResource),
		"ListTagsForResource": op(s.listTagsForResource),
		// subscriptions.go, destinations.go
		"PutSubscriptionFilter":       op(s.putSubscriptionFilter),
		"DescribeSubscriptionFilters": op(s.describeSubscriptionFilters),
		"DeleteSubscriptionFilter":    op(s.deleteSubscriptionFilter),
		"PutDestination":              op(s.putDestination),
		"PutDestinationPolicy":        op(s.putDestinationPolicy),
		"DescribeDestinations":        op(s.describeDestinations),
		"DeleteDestination":           op(s.deleteDestination),
		// metricfilters.go
		"PutMetricFilter":       op(s.putMetricFilter),
		"DescribeMetricFilters": op(s.describeMetricFilters),
		"DeleteMetricFilter":    op(s.deleteMetricFilter),
		"TestMetricFilter":      op(s.testMetricFilter),
	}
}
