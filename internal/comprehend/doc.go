// Package comprehend implements the PII operations of Amazon Comprehend over
// AWS JSON 1.1 (spec lambda-iam-pii.md §5.1): DetectPiiEntities and
// ContainsPiiEntities, both answered by internal/pii's Detector. Every other
// Comprehend operation answers UnknownOperationException.
//
// Requests are checked as AWS checks them: Text and LanguageCode are
// required, Text has at least one character and at most 100,000 UTF-8 bytes
// (TextSizeLimitExceededException, AWS's message), and LanguageCode must be
// one PII detection supports. AWS's model lists twelve language codes but
// its PII operations take only en and es (the API reference's valid values;
// other codes are refused with a ValidationException naming the accepted
// set). Tributary also accepts ko, since the detector knows Korean
// identifiers, phones, names and addresses.
//
// Offsets are code points (Python str indices), EndOffset exclusive, as
// Comprehend reports them, so `text[BeginOffset:EndOffset]` in a boto3
// program is the entity. The service is stateless: nothing is stored.
package comprehend
