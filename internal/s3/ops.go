package s3

// operations is the S3 op table: botocore operation name → handler. The
// server's classifier produces the names; an operation missing here answers
// NotImplemented. Add a row when you add a handler.
func (s *Service) operations() map[string]opFunc {
	return map[string]opFunc{
		// buckets (bucket.go)
		"ListBuckets":       s.listBuckets,
		"CreateBucket":      s.createBucket,
		"DeleteBucket":      s.deleteBucket,
		"HeadBucket":        s.headBucket,
		"GetBucketLocation": s.getBucketLocation,
		// objects (object.go, copy.go)
		"PutObject":     s.putObject,
		"GetObject":     s.getObject,
		"HeadObject":    s.headObject,
		"DeleteObject":  s.deleteObject,
		"DeleteObjects": s.deleteObjects,
		"CopyObject":    s.copyObject,
		// tagging (tagging.go)
		"GetObjectTagging":    s.getObjectTagging,
		"PutObjectTagging":    s.putObjectTagging,
		"DeleteObjectTagging": s.deleteObjectTagging,
		"GetBucketTagging":    s.getBucketTagging,
		"PutBucketTagging":    s.putBucketTagging,
		"DeleteBucketTagging": s.deleteBucketTagging,
		// listing (list.go)
		"ListObjects":   s.listObjects,
		"ListObjectsV2": s.listObjectsV2,
		// multipart (multipart.go)
		"CreateMultipartUpload":   s.createMultipartUpload,
		"UploadPart":              s.uploadPart,
		"UploadPartCopy":          s.uploadPartCopy,
		"CompleteMultipartUpload": s.completeMultipartUpload,
		"AbortMultipartUpload":    s.abortMultipartUpload,
		"ListParts":               s.listParts,
		"ListMultipartUploads":    s.listMultipartUploads,
	}
}
