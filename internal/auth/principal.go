// Package auth verifies AWS request signatures (SigV4 header and presigned,
// SigV2 header and presigned, aws-chunked streaming payloads) and names the
// principal that signed. Errors are *awsproto.Error values with S3's codes
// (InvalidAccessKeyId, SignatureDoesNotMatch, RequestTimeTooSkewed, AccessDenied, ...);
// other protocols get the same codes, which the AWS SDKs understand.
package auth

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
)

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

// Principal returns the principal c stands for. A credential named "" or
// "root" is the account root (arn:aws:iam::{acct}:root, UserID = account
// id); any other name is an IAM user (arn:aws:iam::{acct}:user/{name}) whose
// UserID is "AIDA" + 16 upper-case letters and digits derived from account
// and name, so it is stable across restarts. An empty AccountID means
// defaultAccountID.
func (c Credential) Principal(defaultAccountID string) Principal {
	account := c.AccountID
	if account == "" {
		account = defaultAccountID
	}
	p := Principal{AccessKeyID: c.AccessKeyID, AccountID: account, Name: c.Name}
	if c.Name == "" || c.Name == "root" {
		p.Name = "root"
		p.ARN = "arn:aws:iam::" + account + ":root"
		p.UserID = account
		return p
	}
	p.ARN = "arn:aws:iam::" + account + ":user/" + c.Name
	sum := sha256.Sum256([]byte(account + "/" + c.Name))
	// Base32's alphabet is A-Z and 2-7: upper-case alphanumerics only.
	p.UserID = "AIDA" + base32.StdEncoding.EncodeToString(sum[:])[:16]
	return p
}
