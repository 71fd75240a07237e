package lambda

// Wire shapes of the Lambda API (botocore lambda/2015-03-31). Only the
// members Tributary reads or fills are declared; unknown request members
// are ignored as AWS ignores what a feature it does not apply to sends.

// FunctionCode is CreateFunction's Code.
type FunctionCode struct {
	ZipFile         []byte `json:"ZipFile,omitempty"`
	S3Bucket        string `json:"S3Bucket,omitempty"`
	S3Key           string `json:"S3Key,omitempty"`
	S3ObjectVersion string `json:"S3ObjectVersion,omitempty"`
	ImageUri        string `json:"ImageUri,omitempty"`
}

// Environment is the request form of a function's environment.
type Environment struct {
	Variables map[string]string `json:"Variables"`
}

// LoggingConfig is the function's log format and group.
type LoggingConfig struct {
	LogFormat string `json:"LogFormat,omitempty"`
	LogGroup  string `json:"LogGroup,omitempty"`
}

// TracingConfig is the X-Ray mode (stored and echoed only).
type TracingConfig struct {
	Mode string `json:"Mode,omitempty"`
}

// EphemeralStorage is /tmp's size in MB (stored and echoed only).
type EphemeralStorage struct {
	Size int `json:"Size"`
}

// CreateFunctionInput is CreateFunctionRequest.
type CreateFunctionInput struct {
	FunctionName     *string           `json:"FunctionName"`
	Runtime          *string           `json:"Runtime"`
	Role             *string           `json:"Role"`
	Handler          *string           `json:"Handler"`
	Code             *FunctionCode     `json:"Code"`
	Description      *string           `json:"Description"`
	Timeout          *int64            `json:"Timeout"`
	MemorySize       *int64            `json:"MemorySize"`
	Publish          bool              `json:"Publish"`
	PackageType      *string           `json:"PackageType"`
	Environment      *Environment      `json:"Environment"`
	TracingConfig    *TracingConfig    `json:"TracingConfig"`
	Tags             map[string]string `json:"Tags"`
	Architectures    []string          `json:"Architectures"`
	EphemeralStorage *EphemeralStorage `json:"EphemeralStorage"`
	LoggingConfig    *LoggingConfig    `json:"LoggingConfig"`
	Layers           []string          `json:"Layers"`
}

// UpdateFunctionConfigurationInput is UpdateFunctionConfigurationRequest.
type UpdateFunctionConfigurationInput struct {
	Role             *string           `json:"Role"`
	Handler          *string           `json:"Handler"`
	Description      *string           `json:"Description"`
	Timeout          *int64            `json:"Timeout"`
	MemorySize       *int64            `json:"MemorySize"`
	Environment      *Environment      `json:"Environment"`
	Runtime          *string           `json:"Runtime"`
	TracingConfig    *TracingConfig    `json:"TracingConfig"`
	RevisionId       *string           `json:"RevisionId"`
	EphemeralStorage *EphemeralStorage `json:"EphemeralStorage"`
	LoggingConfig    *LoggingConfig    `json:"LoggingConfig"`
	Layers           []string          `json:"Layers"`
}

// UpdateFunctionCodeInput is UpdateFunctionCodeRequest.
type UpdateFunctionCodeInput struct {
	ZipFile         []byte   `json:"ZipFile"`
	S3Bucket        *string  `json:"S3Bucket"`
	S3Key           *string  `json:"S3Key"`
	S3ObjectVersion *string  `json:"S3ObjectVersion"`
	ImageUri        *string  `json:"ImageUri"`
	Publish         bool     `json:"Publish"`
	DryRun          bool     `json:"DryRun"`
	RevisionId      *string  `json:"RevisionId"`
	Architectures   []string `json:"Architectures"`
}

// EnvironmentResponse is the response form of a function's environment.
type EnvironmentResponse struct {
	Variables map[string]string `json:"Variables"`
}

// FunctionConfiguration is what most function operations answer.
type FunctionConfiguration struct {
	FunctionName               string              `json:"FunctionName"`
	FunctionArn                string              `json:"FunctionArn"`
	Runtime                    string              `json:"Runtime,omitempty"`
	Role                       string              `json:"Role"`
	Handler                    string              `json:"Handler,omitempty"`
	CodeSize                   int64               `json:"CodeSize"`
	Description                string              `json:"Description"`
	Timeout                    int                 `json:"Timeout"`
	MemorySize                 int                 `json:"MemorySize"`
	LastModified               string              `json:"LastModified"`
	CodeSha256                 string              `json:"CodeSha256"`
	Version                    string              `json:"Version"`
	Environment                EnvironmentResponse `json:"Environment"`
	TracingConfig              TracingConfig       `json:"TracingConfig"`
	RevisionId                 string              `json:"RevisionId"`
	State                      string              `json:"State,omitempty"`
	StateReason                string              `json:"StateReason,omitempty"`
	StateReasonCode            string              `json:"StateReasonCode,omitempty"`
	LastUpdateStatus           string              `json:"LastUpdateStatus,omitempty"`
	LastUpdateStatusReason     string              `json:"LastUpdateStatusReason,omitempty"`
	LastUpdateStatusReasonCode string              `json:"LastUpdateStatusReasonCode,omitempty"`
	PackageType                string              `json:"PackageType"`
	Architectures              []string            `json:"Architectures"`
	EphemeralStorage           EphemeralStorage    `json:"EphemeralStorage"`
	SnapStart                  snapStartResponse   `json:"SnapStart"`
	RuntimeVersionConfig       *runtimeVersion     `json:"RuntimeVersionConfig,omitempty"`
	LoggingConfig              LoggingConfig       `json:"LoggingConfig"`
}

type snapStartResponse struct {
	ApplyOn            string `json:"ApplyOn"`
	OptimizationStatus string `json:"OptimizationStatus"`
}

type runtimeVersion struct {
	RuntimeVersionArn string `json:"RuntimeVersionArn"`
}

// FunctionCodeLocation is GetFunction's Code.
type FunctionCodeLocation struct {
	RepositoryType string `json:"RepositoryType"`
	Location       string `json:"Location,omitempty"`
}

// Concurrency is a function's reserved concurrency.
type Concurrency struct {
	ReservedConcurrentExecutions *int64 `json:"ReservedConcurrentExecutions,omitempty"`
}

// GetFunctionOutput is GetFunctionResponse.
type GetFunctionOutput struct {
	Configuration FunctionConfiguration `json:"Configuration"`
	Code          FunctionCodeLocation  `json:"Code"`
	Tags          map[string]string     `json:"Tags,omitempty"`
	Concurrency   *Concurrency          `json:"Concurrency,omitempty"`
}

// ListFunctionsOutput is ListFunctionsResponse.
type ListFunctionsOutput struct {
	Functions  []FunctionConfiguration `json:"Functions"`
	NextMarker string                  `json:"NextMarker,omitempty"`
}

// ListVersionsOutput is ListVersionsByFunctionResponse.
type ListVersionsOutput struct {
	Versions   []FunctionConfiguration `json:"Versions"`
	NextMarker string                  `json:"NextMarker,omitempty"`
}

// AddPermissionInput is AddPermissionRequest (FunctionName and Qualifier
// come from the path and query).
type AddPermissionInput struct {
	StatementId      *string `json:"StatementId"`
	Action           *string `json:"Action"`
	Principal        *string `json:"Principal"`
	SourceArn        *string `json:"SourceArn"`
	SourceAccount    *string `json:"SourceAccount"`
	EventSourceToken *string `json:"EventSourceToken"`
	RevisionId       *string `json:"RevisionId"`
	PrincipalOrgID   *string `json:"PrincipalOrgID"`
}

// PublishVersionInput is PublishVersionRequest.
type PublishVersionInput struct {
	CodeSha256  *string `json:"CodeSha256"`
	Description *string `json:"Description"`
	RevisionId  *string `json:"RevisionId"`
}

// AliasInput is CreateAliasRequest and UpdateAliasRequest.
type AliasInput struct {
	Name            *string `json:"Name"`
	FunctionVersion *string `json:"FunctionVersion"`
	Description     *string `json:"Description"`
	RevisionId      *string `json:"RevisionId"`
}

// AliasConfiguration is an alias as the API answers it.
type AliasConfiguration struct {
	AliasArn        string `json:"AliasArn"`
	Name            string `json:"Name"`
	FunctionVersion string `json:"FunctionVersion"`
	Description     string `json:"Description"`
	RevisionId      string `json:"RevisionId"`
}

// ListAliasesOutput is ListAliasesResponse.
type ListAliasesOutput struct {
	Aliases    []AliasConfiguration `json:"Aliases"`
	NextMarker string               `json:"NextMarker,omitempty"`
}

// PutConcurrencyInput is PutFunctionConcurrencyRequest.
type PutConcurrencyInput struct {
	ReservedConcurrentExecutions *int64 `json:"ReservedConcurrentExecutions"`
}
