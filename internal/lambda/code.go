package lambda

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/tributary-dev/tributary/internal/awsproto"
)

// Code limits (LDG quotas, spec §1.3).
const (
	maxZippedBytes   = 52428800  // 50 MB
	maxUnzippedBytes = 262144000 // 250 MB
)

// On disk, under Config.CodeDir:
//
//	fn/<function>/<sha256 hex>.zip   the zip as uploaded (fsynced before the metadata names it)
//	fn/<function>/<sha256 hex>/      its unpacked tree (rebuilt from the zip when missing)
//
// Code is per function, so deleting a function removes fn/<function>.

func (s *Service) functionDir(name string) string { return filepath.Join(s.cfg.CodeDir, "fn", name) }

// shaHex turns the API's base64 CodeSha256 into the file name form.
func shaHex(codeSha256 string) string {
	b, err := base64.StdEncoding.DecodeString(codeSha256)
	if err != nil {
		return ""
	}
	return hex.EncodeToString(b)
}

func (s *Service) zipPath(name, codeSha256 string) string {
	return filepath.Join(s.functionDir(name), shaHex(codeSha256)+".zip")
}

func (s *Service) codeDir(name, codeSha256 string) string {
	return filepath.Join(s.functionDir(name), shaHex(codeSha256))
}

// errNotZip is AWS's answer to bytes that are not a zip archive.
func errNotZip() *awsproto.Error {
	return errInvalidParam("Could not unzip uploaded file. Please check your file, then try to upload again.")
}

// checkZip validates a zip's size limits and entries before anything is
// stored, returning its CodeSha256.
func checkZip(data []byte) (string, error) {
	if len(data) > maxZippedBytes {
		return "", apiErrorf(http.StatusRequestEntityTooLarge, codeTooLarge,
			"Zipped size must be smaller than %d bytes", maxZippedBytes)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", errNotZip()
	}
	var total uint64
	for _, f := range zr.File {
		if _, ok := safeEntryPath(f.Name); !ok {
			return "", errNotZip()
		}
		total += f.UncompressedSize64
	}
	if total > maxUnzippedBytes {
		return "", errInvalidParam("Unzipped size must be smaller than %d bytes", maxUnzippedBytes)
	}
	sum := sha256.Sum256(data)
	return base64.StdEncoding.EncodeToString(sum[:]), nil
}

// safeEntryPath cleans a zip entry name; names that would leave the
// target directory (absolute, "..", drive letters) are refused (zip slip).
func safeEntryPath(name string) (string, bool) {
	name = strings.ReplaceAll(name, "\\", "/")
	if strings.HasPrefix(name, "/") || strings.Contains(name, ":") {
		return "", false
	}
	clean := filepath.Clean(filepath.FromSlash(name))
	if clean == ".." || strings.HasPrefix(clean, ".."+string(filepath.Separator)) || filepath.IsAbs(clean) {
		return "", false
	}
	return clean, true
}

// storeCode writes the zip durably and unpacks it, both under temporary
// names renamed into place, so a crash never leaves half a tree under the
// final name. Storing the same code twice is a no-op.
func (s *Service) storeCode(name, codeSha256 string, data []byte) error {
	dir := s.functionDir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	zp := s.zipPath(name, codeSha256)
	if _, err := os.Stat(zp); err != nil {
		tmp, err := os.CreateTemp(dir, ".zip-*")
		if err != nil {
			return err
		}
		_, werr := tmp.Write(data)
		if werr == nil {
			werr = tmp.Sync()
		}
		if cerr := tmp.Close(); werr == nil {
			werr = cerr
		}
		if werr == nil {
			werr = os.Rename(tmp.Name(), zp)
		}
		if werr != nil {
			os.Remove(tmp.Name())
			return fmt.Errorf("store code of %s: %w", name, werr)
		}
	}
	return s.unpack(name, codeSha256, data)
}

// ensureUnpacked rebuilds a revision's tree from its stored zip when the
// tree is missing (a crash between the zip and the tree, or a wiped dir).
func (s *Service) ensureUnpacked(name, codeSha256 string) (string, error) {
	dst := s.codeDir(name, codeSha256)
	if _, err := os.Stat(dst); err == nil {
		return dst, nil
	}
	data, err := os.ReadFile(s.zipPath(name, codeSha256))
	if err != nil {
		return "", fmt.Errorf("code of %s: %w", name, err)
	}
	if err := s.unpack(name, codeSha256, data); err != nil {
		return "", err
	}
	return dst, nil
}

func (s *Service) unpack(name, codeSha256 string, data []byte) error {
	dst := s.codeDir(name, codeSha256)
	if _, err := os.Stat(dst); err == nil {
		return nil
	}
	tmp, err := os.MkdirTemp(s.functionDir(name), ".unpack-*")
	if err != nil {
		return err
	}
	if err := extractZip(data, tmp); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.RemoveAll(tmp)
		if _, serr := os.Stat(dst); serr == nil { // a concurrent unpack won
			return nil
		}
		return fmt.Errorf("unpack code of %s: %w", name, err)
	}
	return nil
}

// extractZip writes every entry under dir, keeping the Unix mode bits the
// archive records (a Go bootstrap must stay executable). Zips made on
// systems that record no mode get 0644 files / 0755 dirs.
func extractZip(data []byte, dir string) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return errNotZip()
	}
	var written int64
	for _, f := range zr.File {
		rel, ok := safeEntryPath(f.Name)
		if !ok {
			return errNotZip()
		}
		target := filepath.Join(dir, rel)
		mode := f.Mode()
		if f.FileInfo().IsDir() || strings.HasSuffix(f.Name, "/") {
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
			continue
		}
		if mode&os.ModeSymlink != 0 {
			continue // symlinks could point outside the tree; AWS's runtimes rarely need them
		}
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		perm := mode.Perm()
		if perm == 0 {
			perm = 0o644
		}
		perm |= 0o400 // the function must be able to read its own code
		rc, err := f.Open()
		if err != nil {
			return errNotZip()
		}
		out, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, perm)
		if err != nil {
			rc.Close()
			return err
		}
		n, cerr := io.Copy(out, io.LimitReader(rc, maxUnzippedBytes-written+1))
		rc.Close()
		if err := out.Close(); cerr == nil {
			cerr = err
		}
		written += n
		if written > maxUnzippedBytes {
			return errInvalidParam("Unzipped size must be smaller than %d bytes", maxUnzippedBytes)
		}
		if cerr != nil {
			if errors.Is(cerr, zip.ErrChecksum) || errors.Is(cerr, zip.ErrFormat) || errors.Is(cerr, zip.ErrAlgorithm) {
				return errNotZip()
			}
			return cerr
		}
		if err := os.Chmod(target, perm); err != nil { // umask must not drop the x bits
			return err
		}
	}
	return nil
}

// removeUnreferencedCode deletes stored zips and trees no revision of the
// function names any more.
func (s *Service) removeUnreferencedCode(rec *functionRecord) {
	keep := map[string]bool{shaHex(rec.Latest.CodeSha256): true}
	for _, v := range rec.Versions {
		keep[shaHex(v.CodeSha256)] = true
	}
	entries, err := os.ReadDir(s.functionDir(rec.Name))
	if err != nil {
		return
	}
	for _, e := range entries {
		base := strings.TrimSuffix(e.Name(), ".zip")
		if strings.HasPrefix(base, ".") || keep[base] {
			continue
		}
		os.RemoveAll(filepath.Join(s.functionDir(rec.Name), e.Name()))
	}
}
