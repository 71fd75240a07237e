package server

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's Prometheus collectors, on a registry of their
// own (never the global one, so tests and embedders can run many servers).
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	bytesIn  *prometheus.CounterVec
	bytesOut *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tributary_requests_total",
			Help: "AWS API requests by service, operation and HTTP status code.",
		}, []string{"service", "operation", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "tributary_request_duration_seconds",
			Help: "Time from receiving a request to finishing its response, by service and operation.",
			// 250µs .. ~65s: local requests are fast, large transfers are not.
			Buckets: prometheus.ExponentialBuckets(0.00025, 4, 10),
		}, []string{"service", "operation"}),
		bytesIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tributary_request_bytes_total",
			Help: "Request body bytes read, by service.",
		}, []string{"service"}),
		bytesOut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tributary_response_bytes_total",
			Help: "Response body bytes written, by service.",
		}, []string{"service"}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.bytesIn, m.bytesOut,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// observe records one request. Service and operation come from the
// classifier's tables only (never from client input), so their label
// cardinality is bounded; unclassified requests count as "unknown".
func (m *metrics) observe(service, operation string, status int, d time.Duration, in, out int64) {
	if service == "" {
		service = "unknown"
	}
	if operation == "" {
		operation = "unknown"
	}
	m.requests.WithLabelValues(service, operation, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(service, operation).Observe(d.Seconds())
	m.bytesIn.WithLabelValues(service).Add(float64(in))
	m.bytesOut.WithLabelValues(service).Add(float64(out))
}
