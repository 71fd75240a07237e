package lambda

// operations is the op table: botocore operation name → handler. An
// operation missing here answers UnknownOperationException.
func (s *Service) operations() map[string]opFunc {
	ops := map[string]opFunc{
		// functions.go
		"CreateFunction":              s.createFunction,
		"GetFunction":                 s.getFunction,
		"GetFunctionConfiguration":    s.getFunctionConfiguration,
		"ListFunctions":               s.listFunctionsOp,
		"UpdateFunctionCode":          s.updateFunctionCode,
		"UpdateFunctionConfiguration": s.updateFunctionConfiguration,
		"DeleteFunction":              s.deleteFunction,
		// invoke.go
		"Invoke": s.invoke,
		// permissions.go
		"AddPermission":    s.addPermission,
		"RemovePermission": s.removePermission,
		"GetPolicy":        s.getPolicy,
		// versions.go
		"PublishVersion":            s.publishVersion,
		"ListVersionsByFunction":    s.listVersionsByFunction,
		"CreateAlias":               s.createAlias,
		"GetAlias":                  s.getAlias,
		"UpdateAlias":               s.updateAlias,
		"DeleteAlias":               s.deleteAlias,
		"ListAliases":               s.listAliases,
		"PutFunctionConcurrency":    s.putFunctionConcurrency,
		"GetFunctionConcurrency":    s.getFunctionConcurrency,
		"DeleteFunctionConcurrency": s.deleteFunctionConcurrency,
	}
	// esm_ops.go: only with a mapping manager (Kinesis wired in).
	if s.cfg.Mappings != nil {
		ops["CreateEventSourceMapping"] = s.createEventSourceMapping
		ops["GetEventSourceMapping"] = s.getEventSourceMapping
		ops["UpdateEventSourceMapping"] = s.updateEventSourceMapping
		ops["DeleteEventSourceMapping"] = s.deleteEventSourceMapping
		ops["ListEventSourceMappings"] = s.listEventSourceMappings
	}
	return ops
}
