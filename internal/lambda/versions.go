package lambda

import (
	"net/http"
	"regexp"
	"sort"
	"strconv"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

const aliasPattern = `(?!^[0-9]+$)([a-zA-Z0-9-_]+)`

// aliasRE is aliasPattern without the look-ahead (Go's regexp has none);
// all-digit names are refused separately.
var aliasRE = regexp.MustCompile(`^[a-zA-Z0-9-_]+$`)

func checkAliasName(name, member string) error {
	var v awsproto.Validation
	switch {
	case len(name) > 128:
		v.Add(name, member, awsproto.ConstraintMaxLength(128))
	case !aliasRE.MatchString(name) || isDigits(name):
		v.Add(name, member, awsproto.ConstraintPattern(aliasPattern))
	}
	return errValidation(&v)
}

// lockedFunction loads a function for a change; the caller holds s.mu.
func (s *Service) lockedFunction(param string) (*functionRecord, error) {
	name, _, err := splitFunctionName(param, "functionName")
	if err != nil {
		return nil, err
	}
	rec, err := s.loadFunction(name)
	if err == errNoFunction {
		return nil, errFunctionNotFound(s.functionARN(name))
	}
	return rec, err
}

func (s *Service) publishVersion(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	var in PublishVersionInput
	if err := awsproto.DecodeJSON(r, &in); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.lockedFunction(rt.PathParams["FunctionName"])
	if err != nil {
		return err
	}
	if in.RevisionId != nil && *in.RevisionId != rec.Latest.RevisionId {
		return errRevision()
	}
	if in.CodeSha256 != nil && *in.CodeSha256 != rec.Latest.CodeSha256 {
		return errInvalidParam("CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again with the CodeSHA256 in $LATEST.",
			*in.CodeSha256, rec.Latest.CodeSha256)
	}
	desc := rec.Latest.Description
	if in.Description != nil {
		desc = *in.Description
	}
	v := rec.publish(desc, s.cfg.Now())
	if err := s.saveFunction(rec); err != nil {
		return err
	}
	return awsproto.WriteJSON(w, r, rt, http.StatusCreated, s.configuration(rec, v))
}

func (s *Service) listVersionsByFunction(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	limit, err := pageLimit(r.URL.Query().Get("MaxItems"))
	if err != nil {
		return err
	}
	t, err := s.resolve(rt.PathParams["FunctionName"], "")
	if err != nil {
		return err
	}
	items := []FunctionConfiguration{s.configuration(t.rec, &t.rec.Latest)}
	for i := range t.rec.Versions {
		items = append(items, s.configuration(t.rec, &t.rec.Versions[i]))
	}
	page, next, err := paginate(items, configKey, r.URL.Query().Get("Marker"), limit)
	if err != nil {
		return err
	}
	return awsproto.WriteJSON(w, r, rt, http.StatusOK, ListVersionsOutput{Versions: page, NextMarker: next})
}

// deleteVersion removes a published version no alias points to.
func (s *Service) deleteVersion(name, version string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.loadFunction(name)
	if err == errNoFunction {
		return errFunctionNotFound(s.qualifiedARN(name, version))
	} else if err != nil {
		return err
	}
	if !isDigits(version) {
		return errInvalidParam("Deletion of aliases is not supported by DeleteFunction. Use DeleteAlias.")
	}
	idx := -1
	for i, v := range rec.Versions {
		if v.Version == version {
			idx = i
		}
	}
	if idx < 0 {
		return errFunctionNotFound(s.qualifiedARN(name, version))
	}
	var refs []string
	for _, a := range rec.Aliases {
		if a.FunctionVersion == version {
			refs = append(refs, a.Name)
		}
	}
	if len(refs) > 0 {
		sort.Strings(refs)
		return errConflict("Unable to delete version because the following aliases reference it: %v", refs)
	}
	rec.Versions = append(rec.Versions[:idx], rec.Versions[idx+1:]...)
	if err := s.saveFunction(rec); err != nil {
		return err
	}
	s.cfg.Exec.Evict(name)
	s.removeUnreferencedCode(rec)
	return nil
}

func (s *Service) aliasConfiguration(rec *functionRecord, a aliasRecord) AliasConfiguration {
	return AliasConfiguration{AliasArn: s.qualifiedARN(rec.Name, a.Name), Name: a.Name,
		FunctionVersion: a.FunctionVersion, Description: a.Description, RevisionId: a.RevisionId}
}

func (s *Service) createAlias(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	var in AliasInput
	if err := awsproto.DecodeJSON(r, &in); err != nil {
		return err
	}
	var v awsproto.Validation
	if in.Name == nil {
		v.AddNull("name")
	}
	if in.FunctionVersion == nil {
		v.AddNull("functionVersion")
	}
	if err := errValidation(&v); err != nil {
		return err
	}
	if err := checkAliasName(*in.Name, "name"); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.lockedFunction(rt.PathParams["FunctionName"])
	if err != nil {
		return err
	}
	if _, ok := rec.version(*in.FunctionVersion); !ok || !(isDigits(*in.FunctionVersion) || *in.FunctionVersion == latest) {
		return errFunctionNotFound(s.qualifiedARN(rec.Name, *in.FunctionVersion))
	}
	if _, ok := rec.Aliases[*in.Name]; ok {
		return errConflict("Alias already exists: %s", s.qualifiedARN(rec.Name, *in.Name))
	}
	a := aliasRecord{Name: *in.Name, FunctionVersion: *in.FunctionVersion, Description: deref(in.Description), RevisionId: newUUID()}
	if rec.Aliases == nil {
		rec.Aliases = map[string]aliasRecord{}
	}
	rec.Aliases[a.Name] = a
	if err := s.saveFunction(rec); err != nil {
		return err
	}
	return awsproto.WriteJSON(w, r, rt, http.StatusCreated, s.aliasConfiguration(rec, a))
}

func (s *Service) errAliasNotFound(rec *functionRecord, name string) error {
	return apiError(http.StatusNotFound, codeNotFound, "Alias not found: "+s.qualifiedARN(rec.Name, name))
}

func (s *Service) getAlias(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	t, err := s.resolve(rt.PathParams["FunctionName"], "")
	if err != nil {
		return err
	}
	a, ok := t.rec.Aliases[rt.PathParams["Name"]]
	if !ok {
		return s.errAliasNotFound(t.rec, rt.PathParams["Name"])
	}
	return awsproto.WriteJSON(w, r, rt, http.StatusOK, s.aliasConfiguration(t.rec, a))
}

func (s *Service) updateAlias(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	var in AliasInput
	if err := awsproto.DecodeJSON(r, &in); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.lockedFunction(rt.PathParams["FunctionName"])
	if err != nil {
		return err
	}
	a, ok := rec.Aliases[rt.PathParams["Name"]]
	if !ok {
		return s.errAliasNotFound(rec, rt.PathParams["Name"])
	}
	if in.RevisionId != nil && *in.RevisionId != a.RevisionId {
		return errRevision()
	}
	if in.FunctionVersion != nil {
		if _, ok := rec.version(*in.FunctionVersion); !ok || !(isDigits(*in.FunctionVersion) || *in.FunctionVersion == latest) {
			return errFunctionNotFound(s.qualifiedARN(rec.Name, *in.FunctionVersion))
		}
		a.FunctionVersion = *in.FunctionVersion
	}
	if in.Description != nil {
		a.Description = *in.Description
	}
	a.RevisionId = newUUID()
	rec.Aliases[a.Name] = a
	if err := s.saveFunction(rec); err != nil {
		return err
	}
	return awsproto.WriteJSON(w, r, rt, http.StatusOK, s.aliasConfiguration(rec, a))
}

func (s *Service) deleteAlias(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.lockedFunction(rt.PathParams["FunctionName"])
	if err != nil {
		return err
	}
	// AWS answers 204 for an alias that does not exist.
	if _, ok := rec.Aliases[rt.PathParams["Name"]]; ok {
		delete(rec.Aliases, rt.PathParams["Name"])
		if err := s.saveFunction(rec); err != nil {
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Service) listAliases(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	q := r.URL.Query()
	limit, err := pageLimit(q.Get("MaxItems"))
	if err != nil {
		return err
	}
	t, err := s.resolve(rt.PathParams["FunctionName"], "")
	if err != nil {
		return err
	}
	names := make([]string, 0, len(t.rec.Aliases))
	for n := range t.rec.Aliases {
		names = append(names, n)
	}
	sort.Strings(names)
	var items []AliasConfiguration
	for _, n := range names {
		a := t.rec.Aliases[n]
		if fv := q.Get("FunctionVersion"); fv != "" && a.FunctionVersion != fv {
			continue
		}
		items = append(items, s.aliasConfiguration(t.rec, a))
	}
	page, next, err := paginate(items, func(a AliasConfiguration) string { return a.Name }, q.Get("Marker"), limit)
	if err != nil {
		return err
	}
	return awsproto.WriteJSON(w, r, rt, http.StatusOK, ListAliasesOutput{Aliases: page, NextMarker: next})
}

// accountConcurrency is the account's concurrency limit, and
// minUnreserved what reservations must leave to every other function
// (LDG/lambda-concurrency.html).
const (
	accountConcurrency = 1000
	minUnreserved      = 100
)

func (s *Service) putFunctionConcurrency(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	var in PutConcurrencyInput
	if err := awsproto.DecodeJSON(r, &in); err != nil {
		return err
	}
	var v awsproto.Validation
	if in.ReservedConcurrentExecutions == nil {
		v.AddNull("reservedConcurrentExecutions")
	} else if *in.ReservedConcurrentExecutions < 0 {
		v.Add(strconv.FormatInt(*in.ReservedConcurrentExecutions, 10), "reservedConcurrentExecutions", awsproto.ConstraintMinValue(0))
	}
	if err := errValidation(&v); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.lockedFunction(rt.PathParams["FunctionName"])
	if err != nil {
		return err
	}
	all, err := s.listFunctions()
	if err != nil {
		return err
	}
	reserved := *in.ReservedConcurrentExecutions
	for _, o := range all {
		if o.Name != rec.Name && o.Reserved != nil {
			reserved += *o.Reserved
		}
	}
	if accountConcurrency-reserved < minUnreserved {
		return errInvalidParam("Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [%d].", minUnreserved)
	}
	n := *in.ReservedConcurrentExecutions
	rec.Reserved = &n
	if err := s.saveFunction(rec); err != nil {
		return err
	}
	return awsproto.WriteJSON(w, r, rt, http.StatusOK, Concurrency{ReservedConcurrentExecutions: &n})
}

func (s *Service) getFunctionConcurrency(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	t, err := s.resolve(rt.PathParams["FunctionName"], "")
	if err != nil {
		return err
	}
	return awsproto.WriteJSON(w, r, rt, http.StatusOK, Concurrency{ReservedConcurrentExecutions: t.rec.Reserved})
}

func (s *Service) deleteFunctionConcurrency(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.lockedFunction(rt.PathParams["FunctionName"])
	if err != nil {
		return err
	}
	rec.Reserved = nil
	if err := s.saveFunction(rec); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
