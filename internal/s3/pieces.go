package s3

import (
	"bytes"
	"fmt"
	"io"

	"github.com/tributary-dev/tributary/internal/storage/blob"
)

// eagerOpenLimit is how many pieces a read opens before it starts: opening
// them up front means an overwrite that deletes the blobs afterwards cannot
// cut the response short (open files stay readable). Objects with more
// pieces open the rest as the stream reaches them, to bound open files.
const eagerOpenLimit = 64

// spanReader streams an object's byte range across its pieces.
type spanReader struct {
	blobs   blob.Store
	spans   []pieceSpan
	readers []blob.Reader // nil = not opened yet
}

// openSpans opens the blobs behind spans (the first eagerOpenLimit now). An
// error wrapping blob.ErrNotFound means the object was replaced meanwhile.
func (s *Service) openSpans(spans []pieceSpan) (*spanReader, error) {
	sr := &spanReader{blobs: s.blobs, spans: spans, readers: make([]blob.Reader, len(spans))}
	for i := range spans {
		if i == eagerOpenLimit {
			break
		}
		if err := sr.open(i); err != nil {
			sr.Close()
			return nil, err
		}
	}
	return sr, nil
}

func (sr *spanReader) open(i int) error {
	if sr.spans[i].piece.BlobID == "" {
		sr.readers[i] = inlineReader{bytes.NewReader(sr.spans[i].piece.Data)}
		return nil
	}
	rd, err := sr.blobs.Open(sr.spans[i].piece.BlobID)
	if err != nil {
		return fmt.Errorf("opening piece %s: %w", sr.spans[i].piece.BlobID, err)
	}
	sr.readers[i] = rd
	return nil
}

// WriteTo copies every span to w in order. A span covering a whole blob is
// copied from the blob reader itself, so io.Copy can use the reader's own
// fast path (WriterTo, sendfile).
func (sr *spanReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for i, sp := range sr.spans {
		if sr.readers[i] == nil {
			if err := sr.open(i); err != nil {
				return total, err
			}
		}
		rd := sr.readers[i]
		var src io.Reader
		if sp.offset == 0 && sp.length == rd.Size() {
			src = rd
		} else {
			src = io.NewSectionReader(rd, sp.offset, sp.length)
		}
		n, err := io.Copy(w, src)
		total += n
		if err == nil && n != sp.length {
			err = fmt.Errorf("piece %s: copied %d of %d bytes: %w", sp.piece.BlobID, n, sp.length, io.ErrUnexpectedEOF)
		}
		if err != nil {
			return total, err
		}
		// Done with this piece: release its file now rather than at the end.
		rd.Close()
		sr.readers[i] = nil
	}
	return total, nil
}

// Close releases every reader still open.
func (sr *spanReader) Close() {
	for i, rd := range sr.readers {
		if rd != nil {
			rd.Close()
			sr.readers[i] = nil
		}
	}
}

// inlineReader reads a body kept inline in its object record.
type inlineReader struct{ *bytes.Reader }

func (inlineReader) Close() error { return nil }
