package s3

import "encoding/xml"

// XML documents of the bucket, object, copy and tagging operations, in S3's
// element names and order.

type xmlListAllMyBucketsResult struct {
	XMLName           xml.Name        `xml:"ListAllMyBucketsResult"`
	Xmlns             string          `xml:"xmlns,attr"`
	Owner             xmlOwner        `xml:"Owner"`
	Buckets           []xmlBucketItem `xml:"Buckets>Bucket"`
	ContinuationToken string          `xml:"ContinuationToken,omitempty"`
	Prefix            string          `xml:"Prefix,omitempty"`
}

type xmlBucketItem struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion,omitempty"`
}

// xmlCreateBucketConfiguration is CreateBucket's optional body.
type xmlCreateBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint *string  `xml:"LocationConstraint"`
	Tags               *struct {
		Tags []xmlTagIn `xml:"Tag"`
	} `xml:"Tags"`
}

type xmlLocationConstraint struct {
	XMLName xml.Name `xml:"LocationConstraint"`
	Xmlns   string   `xml:"xmlns,attr"`
	Region  string   `xml:",chardata"`
}

// xmlDeleteRequest is DeleteObjects' body.
type xmlDeleteRequest struct {
	XMLName xml.Name `xml:"Delete"`
	Objects []struct {
		Key       *string `xml:"Key"`
		VersionID string  `xml:"VersionId"`
		ETag      string  `xml:"ETag"`
	} `xml:"Object"`
	Quiet bool `xml:"Quiet"`
}

type xmlDeleteResult struct {
	XMLName xml.Name         `xml:"DeleteResult"`
	Xmlns   string           `xml:"xmlns,attr"`
	Deleted []xmlDeletedItem `xml:"Deleted"`
	Errors  []xmlDeleteError `xml:"Error"`
}

type xmlDeletedItem struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
}

type xmlDeleteError struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
}

type xmlCopyObjectResult struct {
	XMLName           xml.Name `xml:"CopyObjectResult"`
	Xmlns             string   `xml:"xmlns,attr"`
	ETag              string   `xml:"ETag"`
	LastModified      string   `xml:"LastModified"`
	ChecksumType      string   `xml:"ChecksumType,omitempty"`
	ChecksumCRC32     string   `xml:"ChecksumCRC32,omitempty"`
	ChecksumCRC32C    string   `xml:"ChecksumCRC32C,omitempty"`
	ChecksumCRC64NVME string   `xml:"ChecksumCRC64NVME,omitempty"`
	ChecksumSHA1      string   `xml:"ChecksumSHA1,omitempty"`
	ChecksumSHA256    string   `xml:"ChecksumSHA256,omitempty"`
}

// setChecksum fills the Checksum<ALG> element matching ck.
func (c *xmlCopyObjectResult) setChecksum(ck checksumInfo) {
	if ck.Value == "" {
		return
	}
	switch ck.Algorithm {
	case algCRC32:
		c.ChecksumCRC32 = ck.Value
	case algCRC32C:
		c.ChecksumCRC32C = ck.Value
	case algCRC64NVME:
		c.ChecksumCRC64NVME = ck.Value
	case algSHA1:
		c.ChecksumSHA1 = ck.Value
	case algSHA256:
		c.ChecksumSHA256 = ck.Value
	default:
		return
	}
	c.ChecksumType = ck.Type
}

// xmlTagging is the Tagging document of Get/PutObjectTagging and
// Get/PutBucketTagging.
type xmlTagging struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr"`
	TagSet  []xmlTag `xml:"TagSet>Tag"`
}

type xmlTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// xmlTaggingIn decodes a Tagging body keeping track of missing elements.
type xmlTaggingIn struct {
	XMLName xml.Name `xml:"Tagging"`
	TagSet  *struct {
		Tags []xmlTagIn `xml:"Tag"`
	} `xml:"TagSet"`
}

type xmlTagIn struct {
	Key   *string `xml:"Key"`
	Value *string `xml:"Value"`
}
