package logs

import (
	"fmt"
	"sort"
	"sync"
	"testing"

	cwl "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
)

// TestConcurrentPutsDeliverOnce: parallel puts to shared streams while a
// subscription delivers; every event is stored and delivered exactly once
// (no failures, so at-least-once is exactly once here).
func TestConcurrentPutsDeliverOnce(t *testing.T) {
	e := newEnv(t)
	e.createGroup("g")
	e.createStream("g", "s0")
	e.createStream("g", "s1")
	d := e.dests.add(kinesisARN, 64<<10)
	if err := e.subscribe("f", "", kinesisARN, ""); err != nil {
		t.Fatal(err)
	}
	const writers, calls, perCall = 6, 10, 50
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := 0; c < calls; c++ {
				msgs := make([]string, perCall)
				for i := range msgs {
					msgs[i] = fmt.Sprintf("w%d-c%d-e%d", w, c, i)
				}
				e.put("g", fmt.Sprintf("s%d", w%2), e.clock.Ms(), msgs...)
			}
		}()
	}
	wg.Wait()
	const total = writers * calls * perCall
	waitFor(t, "delivery", func() bool { return len(deliveredMessages(t, d)) >= total })
	got := deliveredMessages(t, d)
	stored, _ := e.filterAll(cwl.FilterLogEventsInput{})
	if len(got) != total || len(stored) != total {
		t.Fatalf("delivered %d, stored %d, want %d", len(got), len(stored), total)
	}
	sort.Strings(got)
	for i := 1; i < len(got); i++ {
		if got[i] == got[i-1] {
			t.Fatalf("delivered twice: %s", got[i])
		}
	}
}
