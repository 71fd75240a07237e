// Package auth verifies AWS request signatures (SigV4 header and presigned,
// SigV2 presigned, aws-chunked streaming payloads) and names the principal
// that signed. Errors are *awsproto.Error values with S3's codes
// (InvalidAccessKeyId, SignatureDoesNotMatch, RequestTimeTooSkewed, AccessDenied, ...);
// other protocols get the same codes, which the AWS SDKs understand.
package auth

import "context"

// Credential is one configured access key pair and the principal it stands for.
type Credential struct {
	AccessKeyID     string
	SecretAccessKey string
	// Name is the IAM user name the key belongs to ("root" for the account root).
	Name string
	// AccountID is the 12-digit account the principal lives in.
	AccountID string
}

// Principal is who signed a request.
type Principal struct {
	AccessKeyID string
	AccountID   string
	// ARN is arn:aws:iam::{account}:user/{name}, or arn:aws:iam::{account}:root.
	ARN string
	// UserID is the stable unique id (AIDA... for users, the account id for root).
	UserID string
	Name   string
	// Anonymous is true when the request carried no signature and anonymous access is allowed.
	Anonymous bool
}

type principalKey struct{}

// WithPrincipal stores p in ctx.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal stored in ctx.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}
