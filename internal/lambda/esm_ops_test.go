package lambda

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tributary-dev/tributary/internal/lambda/esm"
)

// fakeMappings stands in for *esm.Manager.
type fakeMappings struct {
	mu      sync.Mutex
	m       map[string]esm.Mapping
	streams map[string]bool
}

func (f *fakeMappings) Put(_ context.Context, mp esm.Mapping) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.m[mp.UUID]; !ok && !f.streams[mp.EventSourceARN] {
		return fmt.Errorf("%w: %s", esm.ErrStreamNotFound, mp.EventSourceARN)
	}
	f.m[mp.UUID] = mp
	return nil
}

func (f *fakeMappings) Remove(_ context.Context, uuid string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.m, uuid)
	return nil
}

func (f *fakeMappings) Get(uuid string) (esm.Mapping, esm.Status, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	mp, ok := f.m[uuid]
	state := esm.StateEnabled
	if !mp.Enabled {
		state = esm.StateDisabled
	}
	return mp, esm.Status{State: state, LastModified: time.Unix(1764000000, 0)}, ok
}

func (f *fakeMappings) List() []esm.Mapping {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []esm.Mapping
	for _, mp := range f.m {
		out = append(out, mp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UUID < out[j].UUID })
	return out
}

func TestEventSourceMappingOps(t *testing.T) {
	stream := "arn:aws:kinesis:us-east-1:123456789012:stream/orders"
	fm := &fakeMappings{m: map[string]esm.Mapping{}, streams: map[string]bool{stream: true}}
	e := newTestEnv(t, func(c *Config) { c.Mappings = fm })
	e.create("f", nil)
	create := func(body string) resp { return e.call("POST", "CreateEventSourceMapping", nil, nil, nil, []byte(body)) }

	wantErr(t, create(`{"FunctionName":"f","EventSourceArn":"`+stream+`"}`), 400, codeInvalidParameter,
		"1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.")
	wantErr(t, create(`{"FunctionName":"f","EventSourceArn":"arn:aws:kinesis:us-east-1:123456789012:stream/nope","StartingPosition":"LATEST"}`),
		400, codeInvalidParameter, "Stream not found: arn:aws:kinesis:us-east-1:123456789012:stream/nope")
	wantErr(t, create(`{"FunctionName":"nope","EventSourceArn":"`+stream+`","StartingPosition":"LATEST"}`), 404, codeNotFound, "function:nope")
	wantErr(t, create(`{"FunctionName":"f","EventSourceArn":"`+stream+`","StartingPosition":"LATEST","BatchSize":10001}`), 400, codeValidation,
		"Value '10001' at 'batchSize' failed to satisfy constraint: Member must have value less than or equal to 10000")

	r := create(`{"FunctionName":"f","EventSourceArn":"` + stream + `","StartingPosition":"TRIM_HORIZON","FunctionResponseTypes":["ReportBatchItemFailures"]}`)
	if r.status != 202 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	m := r.json(t)
	uuid, _ := m["UUID"].(string)
	if m["BatchSize"] != 100.0 || m["MaximumRetryAttempts"] != -1.0 || m["MaximumRecordAgeInSeconds"] != -1.0 ||
		m["ParallelizationFactor"] != 1.0 || m["LastModified"] != 1764000000.0 || m["StateTransitionReason"] != "User action" ||
		m["LastProcessingResult"] != "No records processed" || m["FunctionArn"] != "arn:aws:lambda:us-east-1:123456789012:function:f" ||
		!strings.HasSuffix(m["EventSourceMappingArn"].(string), ":event-source-mapping:"+uuid) {
		t.Fatalf("create response: %v", m)
	}
	if !fm.m[uuid].ReportBatchItemFailures || fm.m[uuid].RoleARN != testRole {
		t.Fatalf("stored mapping: %+v", fm.m[uuid])
	}
	upd := e.call("PUT", "UpdateEventSourceMapping", map[string]string{"UUID": uuid}, nil, nil, []byte(`{"Enabled":false,"BatchSize":5}`))
	if um := upd.json(t); upd.status != 202 || um["State"] != "Disabled" || um["BatchSize"] != 5.0 {
		t.Fatalf("update: %d %v", upd.status, um)
	}
	list := e.call("GET", "ListEventSourceMappings", nil, url.Values{"FunctionName": {"f"}}, nil, nil).json(t)
	if l := list["EventSourceMappings"].([]any); len(l) != 1 {
		t.Fatalf("list: %v", list)
	}
	if l := e.call("GET", "ListEventSourceMappings", nil, url.Values{"EventSourceArn": {stream + "x"}}, nil, nil).json(t); len(l["EventSourceMappings"].([]any)) != 0 {
		t.Fatalf("list other source: %v", l)
	}
	del := e.call("DELETE", "DeleteEventSourceMapping", map[string]string{"UUID": uuid}, nil, nil, nil)
	if dm := del.json(t); del.status != 202 || dm["State"] != "Deleting" {
		t.Fatalf("delete: %d %v", del.status, dm)
	}
	wantErr(t, e.call("GET", "GetEventSourceMapping", map[string]string{"UUID": uuid}, nil, nil, nil), 404, codeNotFound,
		"The resource you requested does not exist.")
}
