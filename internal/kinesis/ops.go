package kinesis

// operations is the op table: botocore operation name → handler. An
// operation missing here answers UnknownOperationException.
func (s *Service) operations() map[string]opFunc {
	return map[string]opFunc{
		// streams.go
		"CreateStream":                  op(s.createStream),
		"DeleteStream":                  op(s.deleteStream),
		"DescribeStream":                op(s.describeStream),
		"DescribeStreamSummary":         op(s.describeStreamSummary),
		"ListStreams":                   op(s.listStreams),
		"IncreaseStreamRetentionPeriod": op(s.increaseRetention),
		"DecreaseStreamRetentionPeriod": op(s.decreaseRetention),
		"EnableEnhancedMonitoring":      op(s.enableMonitoring),
		"DisableEnhancedMonitoring":     op(s.disableMonitoring),
		"StartStreamEncryption":         op(s.startEncryption),
		"StopStreamEncryption":          op(s.stopEncryption),
		"UpdateMaxRecordSize":           op(s.updateMaxRecordSize),
		// shards.go
		"ListShards": op(s.listShards),
		// records.go, getrecords.go, iterators.go
		"PutRecord":        op(s.putRecord),
		"PutRecords":       s.putRecordsOp,
		"GetShardIterator": op(s.getShardIterator),
		"GetRecords":       s.getRecords,
		// reshard.go
		"SplitShard":       op(s.splitShard),
		"MergeShards":      op(s.mergeShards),
		"UpdateShardCount": op(s.updateShardCount),
		"UpdateStreamMode": op(s.updateStreamMode),
		// consumers.go
		"RegisterStreamConsumer":   op(s.registerStreamConsumer),
		"DescribeStreamConsumer":   op(s.describeStreamConsumer),
		"ListStreamConsumers":      op(s.listStreamConsumers),
		"DeregisterStreamConsumer": op(s.deregisterStreamConsumer),
		// subscribe.go
		"SubscribeToShard": s.subscribeToShard,
		// tags.go
		"AddTagsToStream":      op(s.addTagsToStream),
		"RemoveTagsFromStream": op(s.removeTagsFromStream),
		"ListTagsForStream":    op(s.listTagsForStream),
		"TagResource":          op(s.tagResource),
		"UntagResource":        op(s.untagResource),
		"ListTagsForResource":  op(s.listTagsForResource),
		// limits.go
		"DescribeLimits": op(s.describeLimits),
	}
}
