//go:build !linux

package fsblob

import (
	"errors"
	"os"
)

// Anonymous temp files are Linux-only; elsewhere the store uses named ones.
func openAnonymous(string) (*os.File, error) { return nil, errors.ErrUnsupported }
func linkAnonymous(*os.File, string) error   { return errors.ErrUnsupported }
