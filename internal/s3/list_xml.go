package s3

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"
)

// ListBucketResult documents are written by hand rather than through
// encoding/xml's reflection, and each <Contents> is rendered straight from
// the stored record while the lister walks the kv: a page holds up to 1000
// entries and listing throughput is dominated by this work.

// listFlushSize is how much rendered XML the listWriter gathers before it
// sends it. A page smaller than this goes out in one piece with a
// Content-Length (and an error before then is still a clean error
// response); a larger one is streamed.
const listFlushSize = 32 << 10

// listEntryBytes is about what one <Contents> takes with an owner, to size
// the buffer of a short page.
const listEntryBytes = 512

// listStreamTimeout bounds how long a streamed listing may take to send.
// The kv snapshot stays open while it streams, and a client that stops
// reading must not hold it (bolt, for one, cannot grow its file meanwhile).
const listStreamTimeout = time.Minute

// listWriter renders a listing's <Contents> elements and streams the document.
type listWriter struct {
	w        http.ResponseWriter
	lq       *listQuery
	head     []byte // the document up to the first <Contents>
	buf      bytes.Buffer
	started  bool   // the status line and head have been sent
	ownerXML string // "" when the listing shows no owner
	obj      listedObject
}

func newListWriter(w http.ResponseWriter, lq *listQuery, head []byte, ownerAccount string, withOwner bool) *listWriter {
	lw := &listWriter{w: w, lq: lq, head: head}
	// Sized once rather than grown by doubling, which allocated three times
	// over what a full page's buffer holds.
	lw.buf.Grow(min(listFlushSize+listFlushSize/4, listEntryBytes*(lq.maxKeys+1)))
	if withOwner {
		o := ownerOf(ownerAccount)
		var b bytes.Buffer
		b.WriteString("<Owner>")
		listElem(&b, "ID", o.ID)
		listElem(&b, "DisplayName", o.DisplayName)
		b.WriteString("</Owner>")
		lw.ownerXML = b.String()
	}
	return lw
}

// add renders the object stored under key with record val (an objectMeta).
func (lw *listWriter) add(key, val []byte) error {
	if err := decodeListedObject(val, &lw.obj); err != nil {
		return err
	}
	o, b := &lw.obj, &lw.buf
	b.WriteString("<Contents><Key>")
	if lw.lq.urlEncode {
		b.WriteString(listURLEncode(string(key)))
	} else {
		listEscape(b, key)
	}
	b.WriteString("</Key><LastModified>")
	b.Write(o.LastModified)
	// Quotes need no escaping in character data; writing them plainly
	// spares every client's XML decoder two entity lookups per object.
	b.WriteString(`</LastModified><ETag>"`)
	listEscape(b, o.ETag)
	b.WriteString(`"</ETag>`)
	if len(o.Checksum.Algorithm) > 0 {
		b.WriteString("<ChecksumAlgorithm>")
		listEscape(b, o.Checksum.Algorithm)
		b.WriteString("</ChecksumAlgorithm>")
		if len(o.Checksum.Type) > 0 {
			b.WriteString("<ChecksumType>")
			listEscape(b, o.Checksum.Type)
			b.WriteString("</ChecksumType>")
		}
	}
	b.WriteString("<Size>")
	var nbuf [20]byte
	b.Write(strconv.AppendInt(nbuf[:0], o.Size, 10))
	b.WriteString("</Size>")
	b.WriteString(lw.ownerXML)
	b.WriteString("<StorageClass>")
	if len(o.StorageClass) == 0 {
		b.WriteString("STANDARD")
	} else {
		listEscape(b, o.StorageClass)
	}
	b.WriteString("</StorageClass></Contents>")
	if b.Len() >= listFlushSize {
		return lw.flush()
	}
	return nil
}

// flush sends what is rendered, starting the response if need be. A write
// error (the client went away) stops the walk; the server then drops the
// connection.
func (lw *listWriter) flush() error {
	if !lw.started {
		// Not every ResponseWriter supports deadlines (test recorders); the
		// bound is a safeguard, not a requirement.
		_ = http.NewResponseController(lw.w).SetWriteDeadline(time.Now().Add(listStreamTimeout))
		lw.w.Header().Set("Content-Type", "application/xml")
		lw.w.WriteHeader(http.StatusOK)
		lw.started = true
		if _, err := lw.w.Write(lw.head); err != nil {
			return err
		}
	}
	_, err := lw.w.Write(lw.buf.Bytes())
	lw.buf.Reset()
	return err
}

// finish writes the common prefixes, tail's elements and the end of the document.
func (lw *listWriter) finish(page *listPage, tail func(*bytes.Buffer, *listPage)) error {
	b := &lw.buf
	for _, p := range page.prefixes {
		b.WriteString("<CommonPrefixes>")
		listElem(b, "Prefix", lw.lq.encode(p))
		b.WriteString("</CommonPrefixes>")
	}
	tail(b, page)
	b.WriteString("</ListBucketResult>")
	if !lw.started {
		lw.w.Header().Set("Content-Length", strconv.Itoa(len(lw.head)+b.Len()))
		return lw.flush()
	}
	if err := lw.flush(); err != nil {
		return err
	}
	// The connection may serve further requests: lift the stream's deadline.
	_ = http.NewResponseController(lw.w).SetWriteDeadline(time.Time{})
	return nil
}

// listResultStart begins a ListBucketResult with Name and Prefix.
func listResultStart(lq *listQuery, bucket string) *bytes.Buffer {
	b := bytes.NewBuffer(make([]byte, 0, 1024))
	b.WriteString(xml.Header)
	b.WriteString(`<ListBucketResult xmlns="` + s3XMLNS + `">`)
	listElem(b, "Name", bucket)
	listElem(b, "Prefix", lq.encode(lq.prefix))
	return b
}

// listCommonFields writes MaxKeys, Delimiter and EncodingType.
func listCommonFields(b *bytes.Buffer, lq *listQuery) {
	listElem(b, "MaxKeys", strconv.Itoa(lq.maxKeys))
	if lq.delimiter != "" {
		listElem(b, "Delimiter", lq.encode(lq.delimiter))
	}
	if lq.urlEncode {
		listElem(b, "EncodingType", "url")
	}
}

// listElem writes <name>escaped value</name>.
func listElem(b *bytes.Buffer, name, value string) {
	b.WriteByte('<')
	b.WriteString(name)
	b.WriteByte('>')
	listEscape(b, value)
	b.WriteString("</")
	b.WriteString(name)
	b.WriteByte('>')
}

// listEscape writes s as XML character data. Printable ASCII without markup
// characters, by far the common case, is copied as is (quotes need no
// escaping in character data); anything else goes through xml.EscapeText,
// which also replaces characters XML 1.0 cannot carry.
func listEscape[T string | []byte](b *bytes.Buffer, s T) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= utf8.RuneSelf || c == '<' || c == '>' || c == '&' {
			xml.EscapeText(b, []byte(s))
			return
		}
	}
	b.Write([]byte(s))
}

// listedObject holds the objectMeta fields a listing shows. Its byte slices
// other than LastModified point into the record being decoded and are valid
// only while it is.
type listedObject struct {
	Size int64
	ETag []byte
	// LastModified is the time as a listing shows it (s3TimeLayout, UTC).
	LastModified []byte
	StorageClass []byte
	Checksum     struct{ Algorithm, Type []byte }
	lastModified [32]byte // LastModified's storage, with room for time.AppendFormat's working
}
