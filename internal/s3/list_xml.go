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

// listContents renders the <Contents> elements of one page.
type listContents struct {
	lq       *listQuery
	buf      bytes.Buffer
	ownerXML string // "" when the listing shows no owner
	obj      listedObject
}

func newListContents(lq *listQuery, ownerAccount string, withOwner bool) *listContents {
	c := &listContents{lq: lq}
	if withOwner {
		o := ownerOf(ownerAccount)
		var b bytes.Buffer
		b.WriteString("<Owner>")
		listElem(&b, "ID", o.ID)
		listElem(&b, "DisplayName", o.DisplayName)
		b.WriteString("</Owner>")
		c.ownerXML = b.String()
	}
	return c
}

// add renders the object stored under key with record val (an objectMeta).
func (c *listContents) add(key, val []byte) error {
	if err := decodeListedObject(val, &c.obj); err != nil {
		return err
	}
	o, b := &c.obj, &c.buf
	first := b.Len() == 0
	b.WriteString("<Contents><Key>")
	if c.lq.urlEncode {
		b.WriteString(listURLEncode(string(key)))
	} else {
		listEscape(b, key)
	}
	b.WriteString("</Key><LastModified>")
	var tbuf [32]byte
	b.Write(o.LastModified.UTC().AppendFormat(tbuf[:0], s3TimeLayout))
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
	b.Write(strconv.AppendInt(tbuf[:0], o.Size, 10))
	b.WriteString("</Size>")
	b.WriteString(c.ownerXML)
	b.WriteString("<StorageClass>")
	if len(o.StorageClass) == 0 {
		b.WriteString("STANDARD")
	} else {
		listEscape(b, o.StorageClass)
	}
	b.WriteString("</StorageClass></Contents>")
	if first {
		// Size the buffer once for the whole page from the first entry.
		b.Grow(min(c.lq.maxKeys, listMaxKeys) * (b.Len() + 32))
	}
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

// listTail renders the page's CommonPrefixes and closes the document.
func listTail(lq *listQuery, page *listPage) []byte {
	var b bytes.Buffer
	for _, p := range page.prefixes {
		b.WriteString("<CommonPrefixes>")
		listElem(&b, "Prefix", lq.encode(p))
		b.WriteString("</CommonPrefixes>")
	}
	b.WriteString("</ListBucketResult>")
	return b.Bytes()
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

// writeListXML sends the document: head (up to IsTruncated and tokens), the
// Contents, then the tail, without copying the Contents once more.
func writeListXML(w http.ResponseWriter, head *bytes.Buffer, lq *listQuery, page *listPage) error {
	tail := listTail(lq, page)
	h := w.Header()
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(head.Len()+page.contents.buf.Len()+len(tail)))
	w.WriteHeader(http.StatusOK)
	// The client going away is not an operation error.
	_, _ = w.Write(head.Bytes())
	_, _ = w.Write(page.contents.buf.Bytes())
	_, _ = w.Write(tail)
	return nil
}

// listedObject holds the objectMeta fields a listing shows. Its byte slices
// point into the record being decoded and are valid only while it is.
type listedObject struct {
	Size         int64
	ETag         []byte
	LastModified time.Time
	StorageClass []byte
	Checksum     struct{ Algorithm, Type []byte }
}
