package lambda

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// permission is one AddPermission statement as stored; the policy JSON
// is rendered from it.
type permission struct {
	Sid           string `json:"sid"`
	Action        string `json:"action"`
	Principal     string `json:"principal"`
	SourceArn     string `json:"sourceArn,omitempty"`
	SourceAccount string `json:"sourceAccount,omitempty"`
	Qualifier     string `json:"qualifier,omitempty"`
}

// policyStatement is a statement as GetPolicy shows it (spec §1.6).
type policyStatement struct {
	Sid       string                       `json:"Sid"`
	Effect    string                       `json:"Effect"`
	Principal any                          `json:"Principal"`
	Action    string                       `json:"Action"`
	Resource  string                       `json:"Resource"`
	Condition map[string]map[string]string `json:"Condition,omitempty"`
}

type policyDocument struct {
	Version   string            `json:"Version"`
	Id        string            `json:"Id"`
	Statement []policyStatement `json:"Statement"`
}

func (s *Service) statement(name string, p permission) policyStatement {
	st := policyStatement{Sid: p.Sid, Effect: "Allow", Action: p.Action, Resource: s.qualifiedARN(name, p.Qualifier)}
	switch {
	case p.Principal == "*":
		st.Principal = "*"
	case strings.HasSuffix(p.Principal, ".amazonaws.com"):
		st.Principal = map[string]string{"Service": p.Principal}
	case isDigits(p.Principal) && len(p.Principal) == 12:
		st.Principal = map[string]string{"AWS": "arn:aws:iam::" + p.Principal + ":root"}
	default:
		st.Principal = map[string]string{"AWS": p.Principal}
	}
	if p.SourceArn != "" || p.SourceAccount != "" {
		st.Condition = map[string]map[string]string{}
		if p.SourceArn != "" {
			st.Condition["ArnLike"] = map[string]string{"AWS:SourceArn": p.SourceArn}
		}
		if p.SourceAccount != "" {
			st.Condition["StringEquals"] = map[string]string{"AWS:SourceAccount": p.SourceAccount}
		}
	}
	return st
}

const (
	statementIDPattern = `([a-zA-Z0-9-_]+)`
	actionPattern      = `(lambda:[*]|lambda:[a-zA-Z]+|[*])`
)

var (
	statementIDRE = regexp.MustCompile(`^` + statementIDPattern + `$`)
	actionRE      = regexp.MustCompile(`^` + actionPattern + `$`)
)

func (s *Service) addPermission(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	var in AddPermissionInput
	if err := awsproto.DecodeJSON(r, &in); err != nil {
		return err
	}
	var v awsproto.Validation
	switch {
	case in.StatementId == nil:
		v.AddNull("statementId")
	case len(*in.StatementId) > 100:
		v.Add(*in.StatementId, "statementId", awsproto.ConstraintMaxLength(100))
	case !statementIDRE.MatchString(*in.StatementId):
		v.Add(*in.StatementId, "statementId", awsproto.ConstraintPattern(statementIDPattern))
	}
	switch {
	case in.Action == nil:
		v.AddNull("action")
	case !actionRE.MatchString(*in.Action):
		v.Add(*in.Action, "action", awsproto.ConstraintPattern(actionPattern))
	}
	if in.Principal == nil {
		v.AddNull("principal")
	} else if *in.Principal == "" || strings.ContainsAny(*in.Principal, " \t\n") {
		v.Add(*in.Principal, "principal", awsproto.ConstraintPattern(`[^\s]+`))
	}
	if err := errValidation(&v); err != nil {
		return err
	}
	name, qualifier, err := splitFunctionName(rt.PathParams["FunctionName"], "functionName")
	if err != nil {
		return err
	}
	if q := r.URL.Query().Get("Qualifier"); q != "" {
		qualifier = q
	}
	if qualifier == latest {
		qualifier = ""
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.loadFunction(name)
	if err == errNoFunction {
		return errFunctionNotFound(s.qualifiedARN(name, qualifier))
	} else if err != nil {
		return err
	}
	if _, ok := rec.version(qualifier); !ok {
		return errFunctionNotFound(s.qualifiedARN(name, qualifier))
	}
	if in.RevisionId != nil && *in.RevisionId != rec.Latest.RevisionId {
		return errRevision()
	}
	for _, p := range rec.Policy {
		if p.Sid == *in.StatementId && p.Qualifier == qualifier {
			return errConflict("The statement id (%s) provided already exists. Please provide a new statement id, or remove the existing statement.", p.Sid)
		}
	}
	p := permission{Sid: *in.StatementId, Action: *in.Action, Principal: *in.Principal,
		SourceArn: deref(in.SourceArn), SourceAccount: deref(in.SourceAccount), Qualifier: qualifier}
	rec.Policy = append(rec.Policy, p)
	rec.PolicyRev = newUUID()
	if err := s.saveFunction(rec); err != nil {
		return err
	}
	b, err := json.Marshal(s.statement(name, p))
	if err != nil {
		return err
	}
	return awsproto.WriteJSON(w, r, rt, http.StatusCreated, map[string]string{"Statement": string(b)})
}

func errNoPolicy() error {
	return apiError(http.StatusNotFound, codeNotFound, "No policy is associated with the given resource.")
}

func (s *Service) removePermission(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	name, qualifier, err := splitFunctionName(rt.PathParams["FunctionName"], "functionName")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if v := q.Get("Qualifier"); v != "" {
		qualifier = v
	}
	if qualifier == latest {
		qualifier = ""
	}
	sid := rt.PathParams["StatementId"]
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.loadFunction(name)
	if err == errNoFunction {
		return errFunctionNotFound(s.qualifiedARN(name, qualifier))
	} else if err != nil {
		return err
	}
	if rev := q.Get("RevisionId"); rev != "" && rev != rec.Latest.RevisionId {
		return errRevision()
	}
	idx, any := -1, false
	for i, p := range rec.Policy {
		if p.Qualifier == qualifier {
			any = true
			if p.Sid == sid {
				idx = i
			}
		}
	}
	if !any {
		return errNoPolicy()
	}
	if idx < 0 {
		return apiErrorf(http.StatusNotFound, codeNotFound, "Statement %s is not found in resource policy.", sid)
	}
	rec.Policy = append(rec.Policy[:idx], rec.Policy[idx+1:]...)
	rec.PolicyRev = newUUID()
	if err := s.saveFunction(rec); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) getPolicy(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	name, qualifier, err := splitFunctionName(rt.PathParams["FunctionName"], "functionName")
	if err != nil {
		return err
	}
	if v := r.URL.Query().Get("Qualifier"); v != "" {
		qualifier = v
	}
	if qualifier == latest {
		qualifier = ""
	}
	t, err := s.resolve(name, qualifier)
	if err != nil {
		return err
	}
	doc := policyDocument{Version: "2012-10-17", Id: "default"}
	for _, p := range t.rec.Policy {
		if p.Qualifier == qualifier {
			doc.Statement = append(doc.Statement, s.statement(name, p))
		}
	}
	if len(doc.Statement) == 0 {
		return errNoPolicy()
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return awsproto.WriteJSON(w, r, rt, http.StatusOK, map[string]string{"Policy": string(b), "RevisionId": t.rec.PolicyRev})
}

// allows reports whether the function's policy (for the qualifier as
// invoked) lets an AWS service principal invoke it on behalf of
// sourceARN/sourceAccount. Tributary services call functions only through
// this check, as AWS's services do. A caller that cannot tell its source
// ARN passes "" and the SourceArn condition is not checked.
func (rec *functionRecord) allows(qualifier, service, sourceARN, sourceAccount string) bool {
	if qualifier == latest {
		qualifier = ""
	}
	for _, p := range rec.Policy {
		if p.Qualifier != qualifier {
			continue
		}
		if p.Action != "lambda:InvokeFunction" && p.Action != "lambda:*" && p.Action != "*" {
			continue
		}
		if p.Principal != "*" && p.Principal != service {
			continue
		}
		if p.SourceArn != "" && sourceARN != "" && !wildcardMatch(p.SourceArn, sourceARN) {
			continue
		}
		if p.SourceAccount != "" && p.SourceAccount != sourceAccount {
			continue
		}
		return true
	}
	return false
}

// wildcardMatch is IAM's ArnLike: '*' any run, '?' one character.
func wildcardMatch(pattern, s string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for i := len(s); i >= 0; i-- {
				if wildcardMatch(pattern[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
			pattern, s = pattern[1:], s[1:]
		default:
			if s == "" || s[0] != pattern[0] {
				return false
			}
			pattern, s = pattern[1:], s[1:]
		}
	}
	return s == ""
}
