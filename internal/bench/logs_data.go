package bench

import (
	"fmt"
	"strings"
)

// The filter group's events are generated, so the benchmark knows exactly how many each pattern
// must match without trusting any server: event i is a compact JSON application log line when i is
// even and a VPC flow log record (version 2, 14 space-separated fields) when i is odd.

// The three FilterLogEvents patterns, and what makes an event match each (see the predicates).
const (
	logsTermPattern      = `ERROR`
	logsJSONPattern      = `{ $.level = "ERROR" && $.latency > 500 }`
	logsDelimitedPattern = `[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, bytes, windowstart, windowend, action="REJECT", flowlogstatus]`
)

// logsJSONPad fills JSON lines to about 200 bytes, the size of the put workload's events.
var logsJSONPad = strings.Repeat("x", 64)

func logsIsJSON(i int) bool { return i%2 == 0 }

// logsIsError: one JSON line in 50 has level ERROR (1% of all events); no other line holds "ERROR".
func logsIsError(i int) bool { return logsIsJSON(i) && (i/2)%50 == 7 }

func logsLatency(i int) int { return (i * 7919) % 1000 }

func logsDestPort(i int) int {
	if (i/2)%10 == 3 {
		return 22
	}
	return 443
}

func logsAction(i int) string {
	if (i/2)%3 == 0 {
		return "REJECT"
	}
	return "ACCEPT"
}

// logsFilterLine is the message of event i of the filter group.
func logsFilterLine(i int) string {
	if logsIsJSON(i) {
		level := "INFO"
		if logsIsError(i) {
			level = "ERROR"
		}
		return fmt.Sprintf(`{"level":"%s","latency":%d,"request":"req-%010d","path":"/api/v1/items/%d","user":{"id":%d},"pad":"%s"}`,
			level, logsLatency(i), i, i%1000, i%97, logsJSONPad)
	}
	return fmt.Sprintf("2 123456789012 eni-%08x 10.0.%d.%d 10.1.%d.%d %d %d 6 %d %d 1700000000 1700000060 %s OK",
		i%64, (i/256)%256, i%256, (i/7)%256, i%251, 1024+i%50000, logsDestPort(i), 1+i%20, 40+i%9000, logsAction(i))
}

// logsExpected counts, from the generator's own predicates, the events among the first n that the
// term, JSON and space-delimited patterns match, and the bytes of their messages in all.
type logsExpected struct {
	Events, Bytes         int64
	Term, JSON, Delimited int64
}

func expectLogs(n int) logsExpected {
	var e logsExpected
	for i := range n {
		e.Events++
		e.Bytes += int64(len(logsFilterLine(i)))
		if logsIsError(i) {
			e.Term++
			if logsLatency(i) > 500 {
				e.JSON++
			}
		}
		if !logsIsJSON(i) && logsDestPort(i) == 22 && logsAction(i) == "REJECT" {
			e.Delimited++
		}
	}
	return e
}

// want is the match count of a filter workload.
func (e logsExpected) want(pattern string) int64 {
	switch pattern {
	case logsTermPattern:
		return e.Term
	case logsJSONPattern:
		return e.JSON
	case logsDelimitedPattern:
		return e.Delimited
	}
	return e.Events
}

// logsPutMessage is a put-workload event message of exactly size bytes (size >= 32).
func logsPutMessage(worker, i, size int) string {
	head := fmt.Sprintf("w%03d e%08d INFO put ", worker, i)
	if len(head) >= size {
		return head[:size]
	}
	return head + strings.Repeat("p", size-len(head))
}
