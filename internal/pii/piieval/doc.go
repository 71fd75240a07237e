// Package piieval is Tributary's own evaluation set for the PII engine (issue 6, item 5): a seeded generator
// of realistic documents with every personal value labelled, and a scorer that runs them through the
// redaction API (pii.Redactor) and reports recall per entity type, the share of hard negatives left intact
// and whether structured documents keep their shape.
//
// Document kinds (docs.go, docs_text.go, docs_kyc.go): e-commerce orders as JSON in English and Korean,
// clickstream NDJSON, CSV/TSV customer, payment and Korean member exports, a Korean payroll export,
// identity-verification (KYC) records, support tickets and chats in English and Korean, nginx access logs
// and application logs. Values (values.go) vary the way real data does: names in English (accents,
// apostrophes, hyphens, initials) and Korean (two-syllable surnames too); US, UK and Korean addresses
// (road-name and lot forms, apartment units); NANP, E.164 (+1, +44, +49, +33, +81, +82) and Korean
// mobile, landline and VoIP numbers in several spellings; cards of seven brands, plain, spaced or dashed,
// with valid Luhn digits; IBANs of seven countries with valid mod-97 (and French RIB) check digits;
// Korean RRNs with valid check digits and business numbers; US SSNs in valid ranges; ABA routing numbers;
// emails, also percent-encoded in query strings; IPv4 and IPv6; MAC addresses; AWS key pairs; dates of
// birth in several forms; passports and driver's licences.
//
// Hard negatives (negatives.go) are what a careless detector takes for personal data: order numbers
// (including 16-digit Korean ones), SKUs, ASINs and EAN-13 barcodes, UUIDs, hashes, epoch and ISO
// timestamps, prices in several currencies, card-shaped voucher codes failing Luhn, tracking numbers of
// several carriers, version and build strings.
//
// Scoring (score.go): a labelled value is found when no copy of it is left in the redacted output and a
// finding of its type covers its whole span; a negative is intact when no finding overlaps it and it is
// still in the output. JSON and NDJSON must come out with the same keys, nesting and array lengths, CSV
// with the same rows and columns, and none may fall back to text. Thresholds are issue 6's: recall ≥ 0.98
// for checksum- and pattern-based types, ≥ 0.90 for NAME and ADDRESS in structured documents, ≥ 0.99 of
// negatives intact, every structured document preserved. Context-only types (dates of birth, CVVs,
// expiry dates, usernames, secrets, passports, licences, bank accounts) and names and addresses in free
// text are reported without a threshold.
//
// The generator is written from how such data looks, not from what the detector finds: when the
// evaluation shows a miss, the detector is fixed (with a table test in internal/pii), never the labels.
package piieval
