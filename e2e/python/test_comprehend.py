"""boto3 against Tributary's Comprehend PII operations: DetectPiiEntities and
ContainsPiiEntities, read the way AWS's PII-redacting Object Lambda sample
(aws-samples/amazon-comprehend-s3-object-lambda-functions) reads them, and
AWS's errors for bad input.

Run from Go by TestBoto3 (e2e/python_test.go), or by hand:
``TRIBUTARY_ENDPOINT=http://127.0.0.1:4566 python3 -m unittest -v test_comprehend``.
"""

import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import common


def comprehend_client():
    cfg = Config(read_timeout=30, connect_timeout=5, retries={"total_max_attempts": 1})
    return boto3.session.Session().client(
        "comprehend", endpoint_url=common.ENDPOINT, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test", config=cfg)


TEXT = ("Hello Paulo Santos. Ünïcode first: your card 4111 1111 1111 1111 expires 09/27, "
        "email paulo.santos@example.com, phone +1 206-555-0199, from 2001:db8::7 "
        "with key AKIAIOSFODNN7EXAMPLE.")


class ComprehendCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.comprehend = comprehend_client()

    def assertError(self, code, call, message_part, **kwargs):
        with self.assertRaises(ClientError) as ctx:
            call(**kwargs)
        got = common.error_of(ctx.exception)
        self.assertEqual(got, (code, 400), str(ctx.exception))
        self.assertIn(message_part, ctx.exception.response["Error"]["Message"])

    def test_detect_offsets_slice_python_strings(self):
        resp = self.comprehend.detect_pii_entities(Text=TEXT, LanguageCode="en")
        found = [(e["Type"], TEXT[e["BeginOffset"]:e["EndOffset"]]) for e in resp["Entities"]]
        for want in [("CREDIT_DEBIT_NUMBER", "4111 1111 1111 1111"),
                     ("EMAIL", "paulo.santos@example.com"),
                     ("PHONE", "+1 206-555-0199"),
                     ("IP_ADDRESS", "2001:db8::7"),
                     ("AWS_ACCESS_KEY", "AKIAIOSFODNN7EXAMPLE")]:
            self.assertIn(want, found)
        ends = [(e["BeginOffset"], e["EndOffset"]) for e in resp["Entities"]]
        self.assertEqual(ends, sorted(ends))
        for (_, end), (begin, _) in zip(ends, ends[1:]):
            self.assertLessEqual(end, begin, "entities overlap")
        for e in resp["Entities"]:
            self.assertIsInstance(e["Score"], float)
            self.assertTrue(0 < e["Score"] <= 1)

    def test_object_lambda_sample_redaction(self):
        # The sample signs an extra session header on every Comprehend call.
        client = comprehend_client()
        client.meta.events.register(
            "before-sign.comprehend.*",
            lambda request, **kwargs: request.headers.add_header("x-amzn-session-id", "E2ESESSION1"))
        # What the sample does with the answer: classification from the
        # entities' best scores, then redaction by slicing offsets.
        resp = client.detect_pii_entities(Text=TEXT, LanguageCode="en")
        self.assertEqual(resp["ResponseMetadata"]["RetryAttempts"], 0)
        classification = {}
        for e in resp["Entities"]:
            classification[e["Type"]] = max(e["Score"], classification.get(e["Type"], 0))
        redacted = TEXT
        for e in sorted(resp["Entities"], key=lambda e: e["BeginOffset"], reverse=True):
            redacted = redacted[:e["BeginOffset"]] + "*" * (e["EndOffset"] - e["BeginOffset"]) + redacted[e["EndOffset"]:]
        self.assertEqual(len(redacted), len(TEXT))
        for secret in ["4111 1111 1111 1111", "paulo.santos@example.com", "AKIAIOSFODNN7EXAMPLE"]:
            self.assertNotIn(secret, redacted)
        labels = client.contains_pii_entities(Text=TEXT, LanguageCode="en")["Labels"]
        by_name = {l["Name"]: l["Score"] for l in labels}
        self.assertEqual(set(by_name), set(classification))
        for name, score in classification.items():
            self.assertAlmostEqual(by_name[name], score)

    def test_korean_extension(self):
        text = "주문자 연락처 010-9876-5432, 주민등록번호 800101-1234560"
        resp = self.comprehend.detect_pii_entities(Text=text, LanguageCode="ko")
        found = [(e["Type"], text[e["BeginOffset"]:e["EndOffset"]]) for e in resp["Entities"]]
        self.assertIn(("PHONE", "010-9876-5432"), found)
        self.assertIn(("KR_RESIDENT_REGISTRATION_NUMBER", "800101-1234560"), found)

    def test_clean_text(self):
        self.assertEqual(self.comprehend.detect_pii_entities(Text="Nothing here.", LanguageCode="en")["Entities"], [])
        self.assertEqual(self.comprehend.contains_pii_entities(Text="Nothing here.", LanguageCode="es")["Labels"], [])

    def test_bad_input(self):
        for call in (self.comprehend.detect_pii_entities, self.comprehend.contains_pii_entities):
            self.assertError("TextSizeLimitExceededException", call,
                             "Max length of request text allowed is 100000 bytes while in this request the text size is 100002 bytes",
                             Text="é" * 50001, LanguageCode="en")
            self.assertError("ValidationException", call,
                             "Value 'de' at 'languageCode' failed to satisfy constraint: Member must satisfy enum value set: [en, es, ko]",
                             Text="Hallo", LanguageCode="de")


if __name__ == "__main__":
    unittest.main()
