package lambda

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/tributary-dev/tributary/internal/awsproto"
	"github.com/tributary-dev/tributary/internal/storage/kv"
)

// lastModifiedLayout is FunctionConfiguration.LastModified's string form
// (2026-11-24T10:00:00.123+0000).
const lastModifiedLayout = "2006-01-02T15:04:05.000-0700"

// newUUID is a random (version 4) UUID for RevisionIds and request ids.
func newUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// configuration renders a revision; State Active / LastUpdateStatus
// Successful as every read after the mutating call shows them (spec §1.4).
func (s *Service) configuration(rec *functionRecord, v *versionRecord) FunctionConfiguration {
	arn := s.functionARN(rec.Name)
	if v.Version != latest {
		arn += ":" + v.Version
	}
	env := v.Env
	if env == nil {
		env = map[string]string{}
	}
	return FunctionConfiguration{
		FunctionName: rec.Name, FunctionArn: arn, Runtime: v.Runtime, Role: v.Role, Handler: v.Handler,
		CodeSize: v.CodeSize, Description: v.Description, Timeout: v.Timeout, MemorySize: v.MemorySize,
		LastModified: v.LastModified.UTC().Format(lastModifiedLayout), CodeSha256: v.CodeSha256,
		Version: v.Version, Environment: EnvironmentResponse{Variables: env},
		TracingConfig: TracingConfig{Mode: v.TracingMode}, RevisionId: v.RevisionId,
		State: "Active", LastUpdateStatus: "Successful", PackageType: "Zip",
		Architectures: v.Architectures, EphemeralStorage: EphemeralStorage{Size: v.EphemeralStorage},
		SnapStart:     snapStartResponse{ApplyOn: "None", OptimizationStatus: "Off"},
		LoggingConfig: LoggingConfig{LogFormat: v.LogFormat, LogGroup: v.LogGroup},
	}
}

// pendingConfiguration is the Create response: Pending, no LastUpdateStatus.
func (s *Service) pendingConfiguration(rec *functionRecord, v *versionRecord) FunctionConfiguration {
	c := s.configuration(rec, v)
	c.State, c.StateReason, c.StateReasonCode = "Pending", "The function is being created.", "Creating"
	c.LastUpdateStatus = ""
	return c
}

// inProgressConfiguration is the Update* response.
func (s *Service) inProgressConfiguration(rec *functionRecord, v *versionRecord) FunctionConfiguration {
	c := s.configuration(rec, v)
	c.LastUpdateStatus = "InProgress"
	c.LastUpdateStatusReason = "The function is being created."
	c.LastUpdateStatusReasonCode = "Creating"
	return c
}

// readCode returns the zip the request supplies, inline or from S3.
func (s *Service) readCode(ctx context.Context, zipFile []byte, bucket, key, version, image string) ([]byte, error) {
	switch {
	case image != "":
		return nil, errInvalidParam("Tributary runs Zip packages only; container images (ImageUri) are not supported")
	case len(zipFile) > 0:
		return zipFile, nil
	case bucket != "" || key != "":
		if bucket == "" || key == "" {
			return nil, errInvalidParam("Please provide a source for function code.")
		}
		if s.cfg.Objects == nil {
			return nil, errInvalidParam("Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist")
		}
		data, err := s.cfg.Objects.ReadObject(ctx, bucket, key, version, maxZippedBytes+1)
		if err != nil {
			if e := awsproto.As(err); e != nil && e.Status < 500 {
				return nil, errInvalidParam("Error occurred while GetObject. S3 Error Code: %s. S3 Error Message: %s", e.Code, e.Message)
			}
			return nil, err
		}
		return data, nil
	}
	return nil, errInvalidParam("Please provide a source for function code.")
}

func (s *Service) createFunction(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	var in CreateFunctionInput
	if err := awsproto.DecodeJSON(r, &in); err != nil {
		return err
	}
	var v awsproto.Validation
	switch {
	case in.FunctionName == nil:
		v.AddNull("functionName")
	case len(*in.FunctionName) > 140:
		v.Add(*in.FunctionName, "functionName", awsproto.ConstraintMaxLength(140))
	case !createNameRE.MatchString(*in.FunctionName):
		v.Add(*in.FunctionName, "functionName", awsproto.ConstraintPattern(createNamePattern))
	}
	if in.Role == nil {
		v.AddNull("role")
	}
	if in.Code == nil {
		v.AddNull("code")
	}
	checkConfig(in.Role, in.Handler, in.Description, in.Timeout, in.MemorySize, &v)
	if err := errValidation(&v); err != nil {
		return err
	}
	name, qualifier, err := splitFunctionName(*in.FunctionName, "functionName")
	if err != nil {
		return err
	}
	if qualifier != "" {
		return errInvalidParam("Unsupported function name: %s", *in.FunctionName)
	}
	if in.PackageType != nil && *in.PackageType == "Image" {
		return errInvalidParam("Tributary runs Zip packages only; container images (PackageType Image) are not supported")
	}
	if in.Runtime == nil || in.Handler == nil || *in.Handler == "" {
		return errInvalidParam("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	if err := checkRuntime(*in.Runtime); err != nil {
		return err
	}
	var env map[string]string
	if in.Environment != nil {
		env = in.Environment.Variables
		if err := checkEnv(env); err != nil {
			return err
		}
	}
	if len(in.Layers) > 0 {
		return errInvalidParam("Tributary does not support Lambda layers")
	}
	arch := []string{"x86_64"}
	if len(in.Architectures) == 1 && (in.Architectures[0] == "x86_64" || in.Architectures[0] == "arm64") {
		arch = in.Architectures
	} else if len(in.Architectures) > 0 {
		return errInvalidParam("Value %v at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1 and satisfy enum value set: [x86_64, arm64]", in.Architectures)
	}
	data, err := s.readCode(r.Context(), in.Code.ZipFile, in.Code.S3Bucket, in.Code.S3Key, in.Code.S3ObjectVersion, in.Code.ImageUri)
	if err != nil {
		return err
	}
	sha, err := checkZip(data)
	if err != nil {
		return err
	}

	now := s.cfg.Now()
	ver := versionRecord{
		Version: latest, Runtime: *in.Runtime, Role: *in.Role, Handler: *in.Handler,
		Description: deref(in.Description), Timeout: 3, MemorySize: 128, Env: env,
		CodeSha256: sha, CodeSize: int64(len(data)), LastModified: now, RevisionId: newUUID(),
		Architectures: arch, EphemeralStorage: 512, TracingMode: "PassThrough",
		LogFormat: "Text", LogGroup: "/aws/lambda/" + name,
	}
	if in.Timeout != nil {
		ver.Timeout = int(*in.Timeout)
	}
	if in.MemorySize != nil {
		ver.MemorySize = int(*in.MemorySize)
	}
	if in.EphemeralStorage != nil && in.EphemeralStorage.Size >= 512 && in.EphemeralStorage.Size <= 10240 {
		ver.EphemeralStorage = in.EphemeralStorage.Size
	}
	if in.TracingConfig != nil && in.TracingConfig.Mode != "" {
		ver.TracingMode = in.TracingConfig.Mode
	}
	if in.LoggingConfig != nil {
		if in.LoggingConfig.LogFormat != "" {
			ver.LogFormat = in.LoggingConfig.LogFormat
		}
		if in.LoggingConfig.LogGroup != "" {
			ver.LogGroup = in.LoggingConfig.LogGroup
		}
	}
	rec := &functionRecord{Name: name, Latest: ver, NextVersion: 1, Tags: in.Tags}

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.loadFunction(name); err == nil {
		return errConflict("Function already exist: %s", name)
	} else if err != errNoFunction {
		return err
	}
	// A directory left by a function deleted mid-way (or a crash before its
	// record was written) holds nothing this new function may reuse.
	os.RemoveAll(s.functionDir(name))
	if err := s.storeCode(name, sha, data); err != nil {
		return awsproto.Internal(err)
	}
	resp := &rec.Latest
	if in.Publish {
		resp = rec.publish(rec.Latest.Description, now)
	}
	if err := s.saveFunction(rec); err != nil {
		os.RemoveAll(s.functionDir(name))
		return err
	}
	return awsproto.WriteJSON(w, r, rt, http.StatusCreated, s.pendingConfiguration(rec, resp))
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func (s *Service) getFunction(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	t, err := s.resolve(rt.PathParams["FunctionName"], r.URL.Query().Get("Qualifier"))
	if err != nil {
		return err
	}
	out := GetFunctionOutput{Configuration: s.configuration(t.rec, t.ver),
		Code: FunctionCodeLocation{RepositoryType: "S3"}, Tags: t.rec.Tags}
	if t.rec.Reserved != nil {
		out.Concurrency = &Concurrency{ReservedConcurrentExecutions: t.rec.Reserved}
	}
	return awsproto.WriteJSON(w, r, rt, http.StatusOK, out)
}

func (s *Service) getFunctionConfiguration(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	t, err := s.resolve(rt.PathParams["FunctionName"], r.URL.Query().Get("Qualifier"))
	if err != nil {
		return err
	}
	return awsproto.WriteJSON(w, r, rt, http.StatusOK, s.configuration(t.rec, t.ver))
}

// listPageSize is the most ListFunctions answers per page whatever
// MaxItems asks (AWS-recorded).
const listPageSize = 50

// pageLimit parses MaxItems (1–10000) and caps it at the page size.
func pageLimit(q string) (int, error) {
	if q == "" {
		return listPageSize, nil
	}
	n, err := strconv.Atoi(q)
	if err != nil || n < 1 || n > 10000 {
		var v awsproto.Validation
		if err == nil && n < 1 {
			v.Add(q, "maxItems", awsproto.ConstraintMinValue(1))
		} else {
			v.Add(q, "maxItems", awsproto.ConstraintMaxValue(10000))
		}
		return 0, errValidation(&v)
	}
	return min(n, listPageSize), nil
}

func (s *Service) listFunctionsOp(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	q := r.URL.Query()
	limit, err := pageLimit(q.Get("MaxItems"))
	if err != nil {
		return err
	}
	all := false
	switch fv := q.Get("FunctionVersion"); fv {
	case "":
	case "ALL":
		all = true
	default:
		var v awsproto.Validation
		v.Add(fv, "functionVersion", awsproto.ConstraintEnum("ALL"))
		return errValidation(&v)
	}
	recs, err := s.listFunctions()
	if err != nil {
		return err
	}
	var items []FunctionConfiguration
	for _, rec := range recs {
		items = append(items, s.configuration(rec, &rec.Latest))
		if all {
			for i := range rec.Versions {
				items = append(items, s.configuration(rec, &rec.Versions[i]))
			}
		}
	}
	page, next, err := paginate(items, configKey, q.Get("Marker"), limit)
	if err != nil {
		return err
	}
	return awsproto.WriteJSON(w, r, rt, http.StatusOK, ListFunctionsOutput{Functions: page, NextMarker: next})
}

// paginate cuts one page out of items, which are in ascending key order.
// The marker is the (opaque) key of the next page's first item, so a page
// boundary survives creates and deletes between calls.
func paginate[T any](items []T, key func(T) string, marker string, limit int) ([]T, string, error) {
	start := 0
	if marker != "" {
		b, err := base64.RawURLEncoding.DecodeString(marker)
		if err != nil {
			return nil, "", errInvalidParam("Invalid marker: %s", marker)
		}
		from := string(b)
		start = sort.Search(len(items), func(i int) bool { return key(items[i]) >= from })
	}
	end := min(start+limit, len(items))
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte(key(items[end])))
	}
	page := items[start:end]
	if page == nil {
		page = []T{}
	}
	return page, next, nil
}

// configKey orders configurations by name, then $LATEST, then versions
// numerically.
func configKey(c FunctionConfiguration) string {
	v := "0"
	if c.Version != latest {
		n, _ := strconv.Atoi(c.Version)
		v = fmt.Sprintf("1%010d", n)
	}
	return c.FunctionName + "\x00" + v
}

func (s *Service) updateFunctionCode(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	var in UpdateFunctionCodeInput
	if err := awsproto.DecodeJSON(r, &in); err != nil {
		return err
	}
	name, _, err := splitFunctionName(rt.PathParams["FunctionName"], "functionName")
	if err != nil {
		return err
	}
	data, err := s.readCode(r.Context(), in.ZipFile, deref(in.S3Bucket), deref(in.S3Key), deref(in.S3ObjectVersion), deref(in.ImageUri))
	if err != nil {
		return err
	}
	sha, err := checkZip(data)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.loadFunction(name)
	if err == errNoFunction {
		return errFunctionNotFound(s.functionARN(name))
	} else if err != nil {
		return err
	}
	if in.RevisionId != nil && *in.RevisionId != rec.Latest.RevisionId {
		return errRevision()
	}
	if in.DryRun {
		v := rec.Latest
		v.CodeSha256, v.CodeSize = sha, int64(len(data))
		return awsproto.WriteJSON(w, r, rt, http.StatusOK, s.configuration(rec, &v))
	}
	if err := s.storeCode(name, sha, data); err != nil {
		return awsproto.Internal(err)
	}
	now := s.cfg.Now()
	rec.Latest.CodeSha256, rec.Latest.CodeSize = sha, int64(len(data))
	rec.Latest.LastModified, rec.Latest.RevisionId = now, newUUID()
	resp := &rec.Latest
	if in.Publish {
		resp = rec.publish(rec.Latest.Description, now)
	}
	if err := s.saveFunction(rec); err != nil {
		return err
	}
	s.cfg.Exec.Evict(name)
	s.removeUnreferencedCode(rec)
	return awsproto.WriteJSON(w, r, rt, http.StatusOK, s.inProgressConfiguration(rec, resp))
}

func (s *Service) updateFunctionConfiguration(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	var in UpdateFunctionConfigurationInput
	if err := awsproto.DecodeJSON(r, &in); err != nil {
		return err
	}
	name, _, err := splitFunctionName(rt.PathParams["FunctionName"], "functionName")
	if err != nil {
		return err
	}
	var v awsproto.Validation
	checkConfig(in.Role, in.Handler, in.Description, in.Timeout, in.MemorySize, &v)
	if err := errValidation(&v); err != nil {
		return err
	}
	if in.Runtime != nil {
		if err := checkRuntime(*in.Runtime); err != nil {
			return err
		}
	}
	if in.Environment != nil {
		if err := checkEnv(in.Environment.Variables); err != nil {
			return err
		}
	}
	if len(in.Layers) > 0 {
		return errInvalidParam("Tributary does not support Lambda layers")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.loadFunction(name)
	if err == errNoFunction {
		return errFunctionNotFound(s.functionARN(name))
	} else if err != nil {
		return err
	}
	if in.RevisionId != nil && *in.RevisionId != rec.Latest.RevisionId {
		return errRevision()
	}
	l := &rec.Latest
	if in.Role != nil {
		l.Role = *in.Role
	}
	if in.Handler != nil {
		l.Handler = *in.Handler
	}
	if in.Description != nil {
		l.Description = *in.Description
	}
	if in.Timeout != nil {
		l.Timeout = int(*in.Timeout)
	}
	if in.MemorySize != nil {
		l.MemorySize = int(*in.MemorySize)
	}
	if in.Runtime != nil {
		l.Runtime = *in.Runtime
	}
	if in.Environment != nil {
		l.Env = in.Environment.Variables
	}
	if in.TracingConfig != nil && in.TracingConfig.Mode != "" {
		l.TracingMode = in.TracingConfig.Mode
	}
	if in.EphemeralStorage != nil && in.EphemeralStorage.Size >= 512 && in.EphemeralStorage.Size <= 10240 {
		l.EphemeralStorage = in.EphemeralStorage.Size
	}
	if in.LoggingConfig != nil {
		if in.LoggingConfig.LogFormat != "" {
			l.LogFormat = in.LoggingConfig.LogFormat
		}
		if in.LoggingConfig.LogGroup != "" {
			l.LogGroup = in.LoggingConfig.LogGroup
		}
	}
	l.LastModified, l.RevisionId = s.cfg.Now(), newUUID()
	if err := s.saveFunction(rec); err != nil {
		return err
	}
	s.cfg.Exec.Evict(name)
	return awsproto.WriteJSON(w, r, rt, http.StatusOK, s.inProgressConfiguration(rec, l))
}

func (s *Service) deleteFunction(w http.ResponseWriter, r *http.Request, rt awsproto.Route) error {
	name, qualifier, err := splitFunctionName(rt.PathParams["FunctionName"], "functionName")
	if err != nil {
		return err
	}
	if q := r.URL.Query().Get("Qualifier"); q != "" {
		qualifier = q
	}
	if qualifier == latest {
		return errInvalidParam("$LATEST version cannot be deleted without deleting the function.")
	}
	if qualifier != "" {
		if err := s.deleteVersion(name, qualifier); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	s.mu.Lock()
	_, err = s.loadFunction(name)
	s.mu.Unlock()
	if err == errNoFunction {
		return errFunctionNotFound(s.functionARN(name))
	} else if err != nil {
		return err
	}
	if err := s.deleteWhole(name); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// deleteWhole removes a function: its record and queued invocations in one
// transaction, then its running instances and its code on disk.
func (s *Service) deleteWhole(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	qstart := []byte(prefixQueue + name + "/")
	qend := []byte(prefixQueue + name + "/\xff")
	err := s.kv.Update(func(tx kv.Writer) error {
		var keys [][]byte
		if err := tx.Iterate(qstart, qend, func(k, _ []byte) (bool, error) {
			keys = append(keys, append([]byte(nil), k...))
			return true, nil
		}); err != nil {
			return err
		}
		for _, k := range keys {
			if err := tx.Delete(k); err != nil {
				return err
			}
		}
		return tx.Delete(functionKey(name))
	})
	if err != nil {
		return err
	}
	s.cfg.Exec.Evict(name)
	if err := os.RemoveAll(s.functionDir(name)); err != nil {
		s.cfg.Logger.Warn("lambda: removing code", "function", name, "err", err)
	}
	return nil
}

// publish appends a version made from $LATEST and returns it.
func (rec *functionRecord) publish(description string, now time.Time) *versionRecord {
	if n := len(rec.Versions); n > 0 && rec.Versions[n-1].From == rec.Latest.RevisionId {
		return &rec.Versions[n-1]
	}
	v := rec.Latest
	v.From = rec.Latest.RevisionId
	v.Version = strconv.Itoa(rec.NextVersion)
	v.Description = description
	v.LastModified = now
	v.RevisionId = newUUID()
	if v.Env != nil {
		env := make(map[string]string, len(v.Env))
		for k, val := range v.Env {
			env[k] = val
		}
		v.Env = env
	}
	rec.NextVersion++
	rec.Versions = append(rec.Versions, v)
	return &rec.Versions[len(rec.Versions)-1]
}
