package s3

import "encoding/xml"

// XML documents of the multipart operations (shapes from the botocore s3 model).

type xmlInitiateMultipartUploadResult struct {
	XMLName  xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ InitiateMultipartUploadResult"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

// xmlCompleteMultipartUpload is the request document. The element name is
// matched in any namespace (botocore sends S3's, some clients none).
type xmlCompleteMultipartUpload struct {
	XMLName xml.Name           `xml:"CompleteMultipartUpload"`
	Parts   []xmlCompletedPart `xml:"Part"`
}

type xmlCompletedPart struct {
	PartNumber        *int   `xml:"PartNumber"`
	ETag              string `xml:"ETag"`
	ChecksumCRC32     string `xml:"ChecksumCRC32"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME"`
	ChecksumSHA1      string `xml:"ChecksumSHA1"`
	ChecksumSHA256    string `xml:"ChecksumSHA256"`
}

// checksums returns the part checksums the request gave, by algorithm.
func (p *xmlCompletedPart) checksums() map[string]string {
	m := map[string]string{}
	for alg, v := range map[string]string{
		algCRC32: p.ChecksumCRC32, algCRC32C: p.ChecksumCRC32C, algCRC64NVME: p.ChecksumCRC64NVME,
		algSHA1: p.ChecksumSHA1, algSHA256: p.ChecksumSHA256,
	} {
		if v != "" {
			m[alg] = v
		}
	}
	return m
}

// xmlMultipartChecksums are the Checksum<alg> elements results carry.
type xmlMultipartChecksums struct {
	ChecksumCRC32     string `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string `xml:"ChecksumSHA256,omitempty"`
}

func (c *xmlMultipartChecksums) set(alg, value string) {
	switch alg {
	case algCRC32:
		c.ChecksumCRC32 = value
	case algCRC32C:
		c.ChecksumCRC32C = value
	case algCRC64NVME:
		c.ChecksumCRC64NVME = value
	case algSHA1:
		c.ChecksumSHA1 = value
	case algSHA256:
		c.ChecksumSHA256 = value
	}
}

type xmlCompleteMultipartUploadResult struct {
	XMLName  xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CompleteMultipartUploadResult"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
	xmlMultipartChecksums
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

func (r *xmlCompleteMultipartUploadResult) setChecksum(ck checksumInfo) {
	r.set(ck.Algorithm, ck.Value)
	r.ChecksumType = ck.Type
}

type xmlCopyPartResult struct {
	XMLName      xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CopyPartResult"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
	xmlMultipartChecksums
}

type xmlListPartsResult struct {
	XMLName              xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListPartsResult"`
	Bucket               string   `xml:"Bucket"`
	Key                  string   `xml:"Key"`
	UploadID             string   `xml:"UploadId"`
	PartNumberMarker     int      `xml:"PartNumberMarker"`
	NextPartNumberMarker int      `xml:"NextPartNumberMarker"`
	MaxParts             int      `xml:"MaxParts"`
	IsTruncated          bool     `xml:"IsTruncated"`
	Parts                []xmlPart
	Initiator            xmlOwner `xml:"Initiator"`
	Owner                xmlOwner `xml:"Owner"`
	StorageClass         string   `xml:"StorageClass"`
	ChecksumAlgorithm    string   `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType         string   `xml:"ChecksumType,omitempty"`
}

type xmlPart struct {
	XMLName      xml.Name `xml:"Part"`
	PartNumber   int      `xml:"PartNumber"`
	LastModified string   `xml:"LastModified"`
	ETag         string   `xml:"ETag"`
	Size         int64    `xml:"Size"`
	xmlMultipartChecksums
}

type xmlListMultipartUploadsResult struct {
	XMLName            xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListMultipartUploadsResult"`
	Bucket             string   `xml:"Bucket"`
	KeyMarker          string   `xml:"KeyMarker"`
	UploadIDMarker     string   `xml:"UploadIdMarker"`
	NextKeyMarker      string   `xml:"NextKeyMarker,omitempty"`
	NextUploadIDMarker string   `xml:"NextUploadIdMarker,omitempty"`
	Delimiter          string   `xml:"Delimiter,omitempty"`
	Prefix             string   `xml:"Prefix"`
	MaxUploads         int      `xml:"MaxUploads"`
	IsTruncated        bool     `xml:"IsTruncated"`
	Uploads            []xmlMultipartUpload
	CommonPrefixes     []xmlUploadsCommonPrefix
	EncodingType       string `xml:"EncodingType,omitempty"`
}

type xmlMultipartUpload struct {
	XMLName           xml.Name `xml:"Upload"`
	Key               string   `xml:"Key"`
	UploadID          string   `xml:"UploadId"`
	Initiator         xmlOwner `xml:"Initiator"`
	Owner             xmlOwner `xml:"Owner"`
	StorageClass      string   `xml:"StorageClass"`
	Initiated         string   `xml:"Initiated"`
	ChecksumAlgorithm string   `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string   `xml:"ChecksumType,omitempty"`
}

type xmlUploadsCommonPrefix struct {
	XMLName xml.Name `xml:"CommonPrefixes"`
	Prefix  string   `xml:"Prefix"`
}
