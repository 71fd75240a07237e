package kinesis

import "context"

func (s *Service) describeLimits(ctx context.Context, in *none) (*describeLimitsOutput, error) {
	out := &describeLimitsOutput{ShardLimit: shardLimit, OnDemandStreamCountLimit: onDemandStreamCountLimit,
		OpenShardCount: s.openShards()}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, st := range s.streams {
		st.mu.RLock()
		if st.meta.Mode == modeOnDemand {
			out.OnDemandStreamCount++
		}
		st.mu.RUnlock()
	}
	return out, nil
}
