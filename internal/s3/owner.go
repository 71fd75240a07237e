package s3

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/tributary-dev/tributary/internal/auth"
)

// xmlOwner is S3's <Owner> (ListBuckets, ListObjects fetch-owner, ListParts...).
type xmlOwner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName,omitempty"`
}

// callerAccount is the account of the principal that signed the request,
// or the service's configured account when the request carries none.
func (s *Service) callerAccount(ctx context.Context) string {
	if p, ok := auth.PrincipalFrom(ctx); ok && p.AccountID != "" {
		return p.AccountID
	}
	if s.cfg.AccountID != "" {
		return s.cfg.AccountID
	}
	return "000000000000"
}

// canonicalUserID is the 64-hex-digit canonical user id S3 shows for an
// account. AWS's is opaque; a stable hash of the account id serves the same
// purpose (equal for the same account, different across accounts).
func canonicalUserID(accountID string) string {
	sum := sha256.Sum256([]byte("tributary/s3/canonical-user/" + accountID))
	return hex.EncodeToString(sum[:])
}

// ownerOf returns the <Owner> element for an account.
func ownerOf(accountID string) xmlOwner {
	return xmlOwner{ID: canonicalUserID(accountID), DisplayName: accountID}
}
