package server

import (
	"context"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// AccessPointLookup tells the classifier whether an S3 access point exists,
// so that a host label "{name}-{12 digits}" signed for s3 can be told apart
// from a bucket of that name. The S3 service implements it once access
// points exist; until then the classifier treats such labels as buckets
// unless the request is signed for s3-object-lambda.
type AccessPointLookup interface {
	AccessPointExists(ctx context.Context, accountID, name string) (bool, error)
}

// ClassifierOptions configures a Classifier.
type ClassifierOptions struct {
	// BaseHosts are the endpoint's host names (no port). localhost,
	// 127.0.0.1 and ::1 are always included. A request to a base host is
	// path-style; to "{label}.{base}" virtual-host style.
	BaseHosts []string
	// AccessPoints may be nil.
	AccessPoints AccessPointLookup
}

// Classifier maps a request to its (service, operation) and addressing
// facts by an explicit, ordered chain: X-Amz-Target (awsjson), Lambda's
// REST-JSON paths, S3 Control (/v20180820/), WriteGetObjectResponse, the
// Query protocol (Action=), and otherwise S3 by host and path. The tables
// come from the botocore models (routes_*_gen.go).
type Classifier struct {
	bases        []string // longest first, so "{label}.{base}" takes the most specific base
	baseSet      map[string]bool
	accessPoints AccessPointLookup
	json         map[string]*jsonTable // by X-Amz-Target prefix
	query        map[string]*queryTable
	lambda       *restTable
	s3control    *restTable
	s3           *s3Table
}

type jsonTable struct {
	service  jsonService
	opByName map[string]bool
}

type queryTable struct {
	service  queryService
	opByName map[string]bool
}

// NewClassifier compiles the generated route tables.
func NewClassifier(opts ClassifierOptions) *Classifier {
	c := &Classifier{
		baseSet:      map[string]bool{},
		accessPoints: opts.AccessPoints,
		json:         map[string]*jsonTable{},
		query:        map[string]*queryTable{},
	}
	for _, h := range append([]string{"localhost", "127.0.0.1", "::1"}, opts.BaseHosts...) {
		h = normalizeHost(h)
		if h == "" || h == "0.0.0.0" || h == "::" || c.baseSet[h] {
			continue
		}
		c.baseSet[h] = true
		c.bases = append(c.bases, h)
	}
	sort.SliceStable(c.bases, func(i, j int) bool { return len(c.bases[i]) > len(c.bases[j]) })

	for _, js := range []jsonService{kinesisRoutes(), firehoseRoutes(), logsRoutes(), glueRoutes(), comprehendRoutes()} {
		c.json[js.TargetPrefix] = &jsonTable{service: js, opByName: setOf(js.Operations)}
	}
	for _, qs := range []queryService{stsRoutes(), iamRoutes()} {
		c.query[qs.Service] = &queryTable{service: qs, opByName: setOf(qs.Operations)}
	}
	c.lambda = newRestTable(lambdaRoutes())
	c.s3control = newRestTable(s3controlRoutes())
	c.s3 = newS3Table(s3Routes())
	return c
}

// Services lists the service names the classifier routes to, sorted.
func (c *Classifier) Services() []string {
	names := []string{"s3", "s3control", "lambda"}
	for _, t := range c.json {
		names = append(names, t.service.Service)
	}
	for _, t := range c.query {
		names = append(names, t.service.Service)
	}
	sort.Strings(names)
	return names
}

func setOf(names []string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// request is what the classifier works out once and every step reads.
type request struct {
	r       *http.Request
	host    hostInfo
	path    string // raw (still percent-encoded) path
	query   url.Values
	signing string // SigV4 scope service ("s3" for SigV2), "" when unsigned
	region  string
}

// Classify returns the request's route. On error the route still carries
// the service and protocol the error must be rendered in.
func (c *Classifier) Classify(r *http.Request) (awsproto.Route, error) {
	path, rawQuery := rawTarget(r)
	query, _ := url.ParseQuery(rawQuery) // keep what parses; S3 ignores what it does not know
	req := &request{r: r, host: c.analyzeHost(requestHost(r)), path: path, query: query}
	req.signing, req.region = signingScope(r.Header.Get("Authorization"), query)
	rt := awsproto.Route{SigningService: req.signing, Region: req.region}

	if target := r.Header.Get("X-Amz-Target"); target != "" {
		return c.classifyJSON(rt, r, target)
	}
	if c.isLambda(req) {
		return c.classifyLambda(rt, req)
	}
	if c.isS3Control(req) {
		return c.classifyS3Control(rt, req)
	}
	if r.Method == http.MethodPost && path == "/WriteGetObjectResponse" {
		return classifyWriteGetObjectResponse(rt, req)
	}
	if rt, ok, err := c.classifyQuery(rt, req); ok || err != nil {
		return rt, err
	}
	return c.classifyS3(rt, req)
}

// classifyJSON routes an awsjson request by X-Amz-Target "{prefix}.{op}".
func (c *Classifier) classifyJSON(rt awsproto.Route, r *http.Request, target string) (awsproto.Route, error) {
	rt.Protocol = jsonProtocolOf(r)
	dot := strings.LastIndexByte(target, '.')
	if dot < 0 {
		return rt, awsproto.UnknownOperation(rt, target)
	}
	prefix, op := target[:dot], target[dot+1:]
	t := c.json[prefix]
	if t == nil {
		return rt, awsproto.UnknownOperation(rt, target)
	}
	rt.Service, rt.Protocol, rt.JSONPrefix = t.service.Service, t.service.Protocol, prefix
	if !t.opByName[op] {
		return rt, awsproto.UnknownOperation(rt, op)
	}
	rt.Operation = op
	return rt, nil
}

// jsonProtocolOf picks the awsjson version from Content-Type, for requests
// whose target names no known service.
func jsonProtocolOf(r *http.Request) awsproto.Protocol {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/x-amz-json-1.0" {
		return awsproto.ProtocolJSON10
	}
	return awsproto.ProtocolJSON11
}

// isLambda: Lambda's paths start with a dated root (/2015-03-31/functions,
// /2018-10-31/layers, ...). A path-style bucket may carry the same name, so
// a request signed for S3 is never Lambda and one signed for lambda always is.
func (c *Classifier) isLambda(req *request) bool {
	switch req.signing {
	case "lambda":
		return true
	case "":
		return req.host.label == "" && c.lambda.hasRoot(req.path)
	}
	return false
}

func (c *Classifier) classifyLambda(rt awsproto.Route, req *request) (awsproto.Route, error) {
	rt.Service, rt.Protocol = "lambda", awsproto.ProtocolRESTJSON
	op, params, err := c.lambda.match(req.r.Method, req.path, req.query)
	if err != nil {
		return rt, err
	}
	if op == nil {
		return rt, awsproto.UnknownOperation(rt, "")
	}
	rt.Operation, rt.PathParams = op.Name, params
	return rt, nil
}

// s3ControlRoot is the path prefix of every S3 Control operation.
const s3ControlRoot = "/v20180820"

// isS3Control: the path starts with /v20180820/ and the request is not
// plainly for a virtual-hosted bucket of that name (a host label that is
// not an account id, and no x-amz-account-id).
func (c *Classifier) isS3Control(req *request) bool {
	if req.path != s3ControlRoot && !strings.HasPrefix(req.path, s3ControlRoot+"/") {
		return false
	}
	return req.host.label == "" || isAccountID(req.host.label) || req.r.Header.Get("X-Amz-Account-Id") != ""
}

func (c *Classifier) classifyS3Control(rt awsproto.Route, req *request) (awsproto.Route, error) {
	rt.Service, rt.Protocol = "s3control", awsproto.ProtocolS3Control
	op, params, err := c.s3control.match(req.r.Method, req.path, req.query)
	if err != nil {
		return rt, err
	}
	if op == nil {
		return rt, awsproto.UnknownOperation(rt, "")
	}
	rt.Operation, rt.PathParams = op.Name, params
	account := req.r.Header.Get("X-Amz-Account-Id")
	if account == "" && requires(op.RequiredHeaders, "x-amz-account-id") {
		return rt, errMissingHeader("x-amz-account-id")
	}
	if label := req.host.label; label != "" && isAccountID(label) && account != "" && label != account {
		return rt, awsproto.Errorf(http.StatusBadRequest, "InvalidRequest",
			"The account id %s in the host does not match the x-amz-account-id header %s", label, account)
	}
	rt.AccountID = account
	return rt, nil
}

func requires(list []string, name string) bool {
	for _, s := range list {
		if s == name {
			return true
		}
	}
	return false
}

func errMissingHeader(name string) *awsproto.Error {
	return awsproto.Errorf(http.StatusBadRequest, "InvalidRequest", "Missing required header for this request: %s", name)
}

// classifyWriteGetObjectResponse: POST /WriteGetObjectResponse, addressed
// by x-amz-request-route (the host label "{route}.", when present, must agree).
func classifyWriteGetObjectResponse(rt awsproto.Route, req *request) (awsproto.Route, error) {
	rt.Service, rt.Protocol, rt.Operation = "s3", awsproto.ProtocolRESTXML, "WriteGetObjectResponse"
	route := req.r.Header.Get("X-Amz-Request-Route")
	if route == "" {
		return rt, errMissingHeader("x-amz-request-route")
	}
	if label := req.host.label; label != "" && label != route {
		return rt, awsproto.Errorf(http.StatusBadRequest, "InvalidRequest",
			"The host prefix %s does not match the x-amz-request-route header %s", label, route)
	}
	rt.RequestRoute = route
	return rt, nil
}

// classifyQuery recognises the Query protocol: POST / with a form body or
// GET /?Action=..., for STS or IAM (told apart by the signing service, else
// by Version). ok is false when the request is not a Query request.
func (c *Classifier) classifyQuery(rt awsproto.Route, req *request) (_ awsproto.Route, ok bool, _ error) {
	if req.path != "/" || req.signing == "s3" || req.signing == "s3-object-lambda" {
		return rt, false, nil
	}
	action, version := req.query.Get("Action"), req.query.Get("Version")
	if action == "" && req.r.Method == http.MethodPost && awsproto.IsFormBody(req.r) {
		body, complete, err := awsproto.ReadFormBody(req.r)
		if err != nil {
			return rt, false, err
		}
		if complete {
			form, _ := url.ParseQuery(string(body))
			action, version = form.Get("Action"), form.Get("Version")
		}
	}
	if action == "" {
		return rt, false, nil
	}
	rt.Protocol = awsproto.ProtocolQuery
	var t *queryTable
	for _, qt := range c.query {
		if req.signing == qt.service.SigningService || (req.signing == "" && version == qt.service.Version) {
			t = qt
		}
	}
	if t == nil {
		return rt, true, awsproto.UnknownOperation(rt, action)
	}
	rt.Service = t.service.Service
	if !t.opByName[action] {
		return rt, true, awsproto.UnknownOperation(rt, action)
	}
	rt.Operation = action
	return rt, true, nil
}

// hostInfo is the request host seen against the base hosts.
type hostInfo struct {
	name string
	// label is set for "{label}.{base}" (virtual-host style). It is empty for
	// a base host and for hosts that are neither, which are served
	// path-style (an IP the server listens on, a name nobody configured).
	label string
}

func (c *Classifier) analyzeHost(host string) hostInfo {
	host = normalizeHost(host)
	hi := hostInfo{name: host}
	if host == "" || c.baseSet[host] {
		return hi
	}
	for _, base := range c.bases {
		if label, ok := strings.CutSuffix(host, "."+base); ok && label != "" {
			hi.label = label
			return hi
		}
	}
	return hi
}

// requestHost is the host of an absolute-form request target (sent through
// HTTP_PROXY), else the Host header.
func requestHost(r *http.Request) string {
	if r.URL != nil && r.URL.Host != "" {
		return r.URL.Host
	}
	return r.Host
}

// normalizeHost strips the port and IPv6 brackets and lowercases.
func normalizeHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	if host, _, err := net.SplitHostPort(h); err == nil {
		h = host
	}
	return strings.TrimSuffix(strings.TrimPrefix(h, "["), "]")
}

// rawTarget returns the request target's path exactly as sent (still
// percent-encoded) and its raw query. Go's URL.EscapedPath may re-encode,
// so the request line is used when the server recorded it.
func rawTarget(r *http.Request) (path, query string) {
	uri := r.RequestURI
	if uri == "" || uri == "*" {
		return r.URL.EscapedPath(), r.URL.RawQuery
	}
	if !strings.HasPrefix(uri, "/") { // absolute form: scheme://host/path?query
		if i := strings.Index(uri, "://"); i >= 0 {
			rest := uri[i+3:]
			j := strings.IndexAny(rest, "/?")
			if j < 0 {
				return "/", ""
			}
			uri = rest[j:]
			if uri[0] == '?' {
				uri = "/" + uri
			}
		}
	}
	path, query, _ = strings.Cut(uri, "?")
	if path == "" {
		path = "/"
	}
	return path, query
}

// signingScope reads the service and region of a SigV4 credential scope
// from the Authorization header or X-Amz-Credential; SigV2 ("AWS key:sig",
// AWSAccessKeyId=) is S3's. It only routes; internal/auth verifies.
func signingScope(authorization string, query url.Values) (service, region string) {
	var credential string
	switch {
	case strings.HasPrefix(authorization, "AWS4-"):
		if i := strings.Index(authorization, "Credential="); i >= 0 {
			credential = authorization[i+len("Credential="):]
			if j := strings.IndexAny(credential, ", "); j >= 0 {
				credential = credential[:j]
			}
		}
	case strings.HasPrefix(authorization, "AWS "):
		return "s3", ""
	case query.Get("X-Amz-Credential") != "":
		credential = query.Get("X-Amz-Credential")
	case query.Get("AWSAccessKeyId") != "":
		return "s3", ""
	}
	parts := strings.Split(credential, "/")
	if n := len(parts); n >= 5 && parts[n-1] == "aws4_request" {
		return parts[n-2], parts[n-3]
	}
	return "", ""
}

// isAccountID reports whether s is a 12-digit AWS account id.
func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// accessPointLabel splits a host label "{name}-{12 digits}" into an access
// point name and account id, with the name following access point naming
// (3-50 of a-z 0-9 -, starting and ending with a letter or digit).
func accessPointLabel(label string) (name, account string, ok bool) {
	if len(label) < 3+1+12 || label[len(label)-13] != '-' {
		return "", "", false
	}
	name, account = label[:len(label)-13], label[len(label)-12:]
	if !isAccountID(account) || len(name) > 50 {
		return "", "", false
	}
	for i := 0; i < len(name); i++ {
		ch := name[i]
		alnum := ch >= 'a' && ch <= 'z' || ch >= '0' && ch <= '9'
		if !alnum && (ch != '-' || i == 0 || i == len(name)-1) {
			return "", "", false
		}
	}
	return name, account, true
}

// decodePath percent-decodes a raw path piece exactly once; '+' stays a
// literal plus (paths are not form-encoded).
func decodePath(raw string) (string, error) {
	s, err := url.PathUnescape(raw)
	if err != nil {
		return "", awsproto.NewError(http.StatusBadRequest, "InvalidURI", "Couldn't parse the specified URI.").
			WithCause(fmt.Errorf("decode path %q: %w", raw, err))
	}
	return s, nil
}
