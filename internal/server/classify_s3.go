package server

import (
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// s3Level is what an S3 request addresses: the service (ListBuckets), a
// bucket (or access point), or an object.
type s3Level int

const (
	levelService s3Level = iota
	levelBucket
	levelObject
)

// s3SubresourcePrecedence decides between operations whose sub-resources
// are all present and equally specific (GET /b?acl&tagging): the earlier
// sub-resource wins. The models cannot express this; every literal
// sub-resource in the S3 model must be listed (a test checks).
func s3SubresourcePrecedence() []string {
	return []string{
		// multipart and batch forms first: they change what the body means
		"uploads", "delete", "select", "select-type", "restore", "renameObject", "attributes",
		// listings
		"versions", "list-type", "session",
		// configuration sub-resources
		"acl", "tagging", "policy", "policyStatus", "location", "versioning", "cors", "lifecycle",
		"encryption", "website", "logging", "notification", "replication", "requestPayment",
		"accelerate", "analytics", "intelligent-tiering", "inventory", "metrics", "ownershipControls",
		"publicAccessBlock", "object-lock", "legal-hold", "retention", "torrent", "abac",
		"metadataConfiguration", "metadataTable", "metadataInventoryTable", "metadataJournalTable",
	}
}

// s3PreferredTwins names, for operations that are identical on the wire,
// the one a request gets when x-id does not pick another: the model marks
// the legacy lifecycle/notification twins deprecated, and ListDirectoryBuckets
// only differs from ListBuckets by endpoint.
func s3PreferredTwins() []string { return []string{"ListBuckets"} }

// s3Table resolves an S3 operation from method, level, sub-resources and
// discriminating headers.
type s3Table struct {
	byKey      map[s3Key][]*s3Operation
	precedence map[string]int
	preferred  map[string]bool
}

type s3Key struct {
	method string
	level  s3Level
}

type s3Operation struct {
	op       *restOperation
	level    s3Level
	literals []queryLiteral
	// headers are required headers that select the operation: only for
	// operations without a sub-resource (x-amz-copy-source makes a PUT a
	// CopyObject); with a sub-resource a missing header is the handler's
	// validation error, not another operation.
	headers []string
	rank    int // precedence of the first-ranked sub-resource
}

func newS3Table(ops []restOperation) *s3Table {
	t := &s3Table{byKey: map[s3Key][]*s3Operation{}, precedence: map[string]int{}, preferred: setOf(s3PreferredTwins())}
	for i, name := range s3SubresourcePrecedence() {
		t.precedence[name] = i
	}
	for i := range ops {
		op := &ops[i]
		var level s3Level
		switch op.Path {
		case "/":
			level = levelService
		case "/{Bucket}":
			level = levelBucket
		case "/{Bucket}/{Key+}":
			level = levelObject
		default:
			continue // WriteGetObjectResponse has its own path; classified before S3
		}
		so := &s3Operation{op: op, level: level, literals: parseQueryLiterals(op.Query), rank: len(t.precedence)}
		for _, l := range so.literals {
			if r, ok := t.precedence[l.name]; ok && r < so.rank {
				so.rank = r
			}
		}
		if len(so.literals) == 0 {
			so.headers = op.RequiredHeaders
		}
		key := s3Key{op.Method, level}
		t.byKey[key] = append(t.byKey[key], so)
	}
	return t
}

func (o *s3Operation) matches(q url.Values, h http.Header) bool {
	for _, l := range o.literals {
		if !l.matches(q) {
			return false
		}
	}
	for _, name := range o.op.RequiredQuery {
		if !q.Has(name) {
			return false
		}
	}
	for _, name := range o.headers {
		if h.Get(name) == "" {
			return false
		}
	}
	return true
}

// compare orders by specificity: more sub-resources, then more required
// query parameters, then more selecting headers; 0 when equal.
func (o *s3Operation) compare(p *s3Operation) int {
	for _, d := range [...]int{
		len(o.literals) - len(p.literals),
		len(o.op.RequiredQuery) - len(p.op.RequiredQuery),
		len(o.headers) - len(p.headers),
	} {
		if d != 0 {
			return d
		}
	}
	return 0
}

// resolve picks the operation; "" when none fits.
func (t *s3Table) resolve(method string, level s3Level, q url.Values, h http.Header) string {
	var best []*s3Operation
	for _, o := range t.byKey[s3Key{method, level}] {
		if !o.matches(q, h) {
			continue
		}
		switch {
		case len(best) == 0:
			best = []*s3Operation{o}
		case o.compare(best[0]) > 0:
			best = []*s3Operation{o}
		case o.compare(best[0]) == 0:
			best = append(best, o)
		}
	}
	if len(best) == 0 {
		if method == http.MethodPost && level == levelBucket && isMultipartForm(h) {
			return "PostObject" // browser form upload; not in the SDK model
		}
		return ""
	}
	if len(best) == 1 {
		return best[0].op.Name
	}
	return t.breakTie(best, q.Get("x-id"))
}

// breakTie: the highest-precedence sub-resource wins; among wire-identical
// twins, x-id (sent by the Go SDK) may name one, else the non-deprecated or
// preferred one.
func (t *s3Table) breakTie(ops []*s3Operation, xid string) string {
	minRank := ops[0].rank
	for _, o := range ops[1:] {
		minRank = min(minRank, o.rank)
	}
	var twins []*s3Operation
	for _, o := range ops {
		if o.rank == minRank {
			twins = append(twins, o)
		}
	}
	for _, o := range twins {
		if o.op.Name == xid {
			return o.op.Name
		}
	}
	var current []*s3Operation
	for _, o := range twins {
		if !o.op.Deprecated {
			current = append(current, o)
		}
	}
	if len(current) == 0 {
		current = twins
	}
	for _, o := range current {
		if t.preferred[o.op.Name] {
			return o.op.Name
		}
	}
	return current[0].op.Name
}

func isMultipartForm(h http.Header) bool {
	mt, _, err := mime.ParseMediaType(h.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

// classifyS3 addresses an S3 request by host and path, then resolves the
// operation by method and sub-resources (x-id is ignored except to pick
// between wire-identical twins).
func (c *Classifier) classifyS3(rt awsproto.Route, req *request) (awsproto.Route, error) {
	rt.Service, rt.Protocol = "s3", awsproto.ProtocolRESTXML
	rawKey := ""
	if label := req.host.label; label != "" {
		if err := c.addressByHost(&rt, req, label); err != nil {
			return rt, err
		}
		rawKey = strings.TrimPrefix(req.path, "/")
	} else {
		rawBucket, rest, _ := strings.Cut(strings.TrimPrefix(req.path, "/"), "/")
		bucket, err := decodePath(rawBucket)
		if err != nil {
			return rt, err
		}
		rt.Bucket, rawKey = bucket, rest
	}
	key, err := decodePath(rawKey)
	if err != nil {
		return rt, err
	}
	rt.Key = key
	markAlias(&rt)

	level := levelService
	switch {
	case rt.Bucket == "" && rt.AccessPoint == "":
	case rt.Key == "":
		level = levelBucket
	default:
		level = levelObject
	}
	rt.Operation = c.s3.resolve(req.r.Method, level, req.query, req.r.Header)
	if rt.Operation == "" {
		return rt, awsproto.UnknownOperation(rt, "")
	}
	return rt, nil
}

// addressByHost handles "{label}.{base}": an access point
// "{name}-{account}" when signed for s3-object-lambda (Object Lambda) or when
// such an access point exists, otherwise a bucket (or alias) named label.
func (c *Classifier) addressByHost(rt *awsproto.Route, req *request, label string) error {
	if name, account, ok := accessPointLabel(label); ok {
		if req.signing == "s3-object-lambda" {
			rt.AccessPoint, rt.AccountID, rt.ObjectLambda = name, account, true
			return nil
		}
		if c.accessPoints != nil {
			exists, err := c.accessPoints.AccessPointExists(req.r.Context(), account, name)
			if err != nil {
				return err
			}
			if exists {
				rt.AccessPoint, rt.AccountID = name, account
				return nil
			}
		}
	}
	rt.Bucket, rt.VirtualHost = label, true
	return nil
}

// markAlias flags access point aliases used as bucket names.
func markAlias(rt *awsproto.Route) {
	switch {
	case strings.HasSuffix(rt.Bucket, "--ol-s3"):
		rt.AccessPointAlias, rt.ObjectLambda = rt.Bucket, true
	case strings.HasSuffix(rt.Bucket, "-s3alias"):
		rt.AccessPointAlias = rt.Bucket
	}
}
