package lambda

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// runtimes is the model's Runtime enum, in the model's order (AWS lists
// it in this order in its enum error).
var runtimes = []string{"nodejs", "nodejs4.3", "nodejs6.10", "nodejs8.10", "nodejs10.x", "nodejs12.x",
	"nodejs14.x", "nodejs16.x", "java8", "java8.al2", "java11", "python2.7", "python3.6", "python3.7",
	"python3.8", "python3.9", "dotnetcore1.0", "dotnetcore2.0", "dotnetcore2.1", "dotnetcore3.1", "dotnet6",
	"dotnet8", "nodejs4.3-edge", "go1.x", "ruby2.5", "ruby2.7", "provided", "provided.al2", "nodejs18.x",
	"python3.10", "java17", "ruby3.2", "ruby3.3", "ruby3.4", "python3.11", "nodejs20.x", "provided.al2023",
	"python3.12", "java21", "python3.13", "nodejs22.x", "nodejs24.x", "python3.14", "java25", "dotnet10", "ruby4.0"}

// deprecatedRuntimes are refused for create and update, with the runtime
// AWS's message recommends instead (LDG/lambda-runtimes.html, "Deprecated
// runtimes": those past their "block function create" date; runtimes whose
// block date is still announced as future stay accepted).
var deprecatedRuntimes = map[string]string{
	"nodejs": "nodejs22.x", "nodejs4.3": "nodejs22.x", "nodejs4.3-edge": "nodejs22.x", "nodejs6.10": "nodejs22.x",
	"nodejs8.10": "nodejs22.x", "nodejs10.x": "nodejs22.x", "nodejs12.x": "nodejs22.x", "nodejs14.x": "nodejs22.x",
	"nodejs16.x": "nodejs22.x", "python2.7": "python3.13", "python3.6": "python3.13", "python3.7": "python3.13",
	"python3.8": "python3.13", "java8": "java21", "dotnetcore1.0": "dotnet8", "dotnetcore2.0": "dotnet8",
	"dotnetcore2.1": "dotnet8", "dotnetcore3.1": "dotnet8", "dotnet6": "dotnet8", "ruby2.5": "ruby3.3",
	"ruby2.7": "ruby3.3", "go1.x": "provided.al2023", "provided": "provided.al2023",
}

// reservedEnvKeys may not be set in Environment (spec §2.5).
var reservedEnvKeys = map[string]bool{
	"_HANDLER": true, "_X_AMZN_TRACE_ID": true, "AWS_REGION": true, "AWS_DEFAULT_REGION": true,
	"AWS_EXECUTION_ENV": true, "AWS_LAMBDA_FUNCTION_NAME": true, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION": true, "AWS_LAMBDA_INITIALIZATION_TYPE": true, "AWS_LAMBDA_LOG_GROUP_NAME": true,
	"AWS_LAMBDA_LOG_STREAM_NAME": true, "AWS_ACCESS_KEY": true, "AWS_ACCESS_KEY_ID": true,
	"AWS_SECRET_ACCESS_KEY": true, "AWS_SESSION_TOKEN": true, "AWS_LAMBDA_RUNTIME_API": true,
	"LAMBDA_TASK_ROOT": true, "LAMBDA_RUNTIME_DIR": true,
}

const (
	createNamePattern = `(arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:)?(\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\$LATEST|[a-zA-Z0-9-_]+))?`
	rolePattern       = `arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+`
	envKeyPattern     = `[a-zA-Z]([a-zA-Z0-9_])+`
	maxTimeout        = 900
	minMemory         = 128
	maxMemory         = 10240
	maxEnvBytes       = 4096
)

var (
	createNameRE = regexp.MustCompile(`^` + createNamePattern + `$`)
	roleRE       = regexp.MustCompile(`^` + rolePattern + `$`)
	envKeyRE     = regexp.MustCompile(`^` + envKeyPattern + `$`)
	handlerRE    = regexp.MustCompile(`^[^\s]+$`)
)

// checkRuntime: unknown → the enum error, deprecated → AWS's refusal.
func checkRuntime(rt string) error {
	for _, r := range runtimes {
		if r == rt {
			if rec, ok := deprecatedRuntimes[rt]; ok {
				return errInvalidParam("The runtime parameter of %s is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (%s) while creating or updating functions.", rt, rec)
			}
			return nil
		}
	}
	return errInvalidParam("Value %s at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: [%s] or be a valid ARN",
		rt, strings.Join(runtimes, ", "))
}

// checkConfig validates the configuration members Create and
// UpdateFunctionConfiguration share. Model constraints are collected into
// one ValidationException; Lambda's own rules answer
// InvalidParameterValueException.
func checkConfig(role, handler, description *string, timeout, memory *int64, v *awsproto.Validation) {
	if role != nil && !roleRE.MatchString(*role) {
		v.Add(*role, "role", awsproto.ConstraintPattern(rolePattern))
	}
	if handler != nil {
		if len(*handler) > 128 {
			v.Add(*handler, "handler", awsproto.ConstraintMaxLength(128))
		} else if *handler != "" && !handlerRE.MatchString(*handler) {
			v.Add(*handler, "handler", awsproto.ConstraintPattern(`[^\s]+`))
		}
	}
	if description != nil && len(*description) > 256 {
		v.Add(*description, "description", awsproto.ConstraintMaxLength(256))
	}
	if timeout != nil {
		if *timeout < 1 {
			v.Add(strconv.FormatInt(*timeout, 10), "timeout", awsproto.ConstraintMinValue(1))
		} else if *timeout > maxTimeout {
			v.Add(strconv.FormatInt(*timeout, 10), "timeout", awsproto.ConstraintMaxValue(maxTimeout))
		}
	}
	if memory != nil {
		if *memory < minMemory {
			v.Add(strconv.FormatInt(*memory, 10), "memorySize", awsproto.ConstraintMinValue(minMemory))
		} else if *memory > maxMemory {
			v.Add(strconv.FormatInt(*memory, 10), "memorySize", awsproto.ConstraintMaxValue(maxMemory))
		}
	}
}

// checkEnv validates Environment.Variables: key pattern, reserved keys,
// and the 4 KB limit measured over the JSON of the map, as AWS measures it.
func checkEnv(env map[string]string) error {
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !envKeyRE.MatchString(k) {
			return apiError(400, codeValidation, fmt.Sprintf(
				"1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: %s]", envKeyPattern))
		}
	}
	var reserved []string
	for _, k := range keys {
		if reservedEnvKeys[k] {
			reserved = append(reserved, k)
		}
	}
	if len(reserved) > 0 {
		return errInvalidParam("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s",
			strings.Join(reserved, ", "))
	}
	b, _ := json.Marshal(env) // a map of strings always marshals
	if len(b) > maxEnvBytes {
		return errInvalidParam("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: %s", b)
	}
	return nil
}
