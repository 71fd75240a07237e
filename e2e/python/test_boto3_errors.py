"""boto3 against bad input: the AWS error code and HTTP status, and no
half-written state afterwards (head_object 404, absent from listings)."""

import base64
import datetime
import os
import time
import unittest
import zlib
from unittest import mock

from botocore.exceptions import ClientError

import common

MIB = 1024 * 1024


def skewed_now(delta):
    real = datetime.datetime.now(datetime.timezone.utc)

    def now(remove_tzinfo=True):
        value = real + delta + (datetime.datetime.now(datetime.timezone.utc) - real)
        return value.replace(tzinfo=None) if remove_tzinfo else value
    return now


class Boto3Errors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s3 = common.no_retry_client()
        cls.bucket = common.unique_bucket("py-err")
        cls.s3.create_bucket(Bucket=cls.bucket)
        cls.s3.put_object(Bucket=cls.bucket, Key="exists", Body=b"x" * 100)

    def assertError(self, call, code, status, **kwargs):
        with self.assertRaises(ClientError) as ctx:
            call(**kwargs)
        self.assertEqual(common.error_of(ctx.exception), (code, status))
        return ctx.exception

    def assertAbsent(self, key):
        with self.assertRaises(ClientError) as ctx:
            self.s3.head_object(Bucket=self.bucket, Key=key)
        self.assertEqual(common.error_of(ctx.exception)[1], 404)
        listed = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=key)
        self.assertNotIn(key, [o["Key"] for o in listed.get("Contents", [])])

    def test_wrong_secret(self):
        bad = common.no_retry_client(secret_key="not-the-secret")
        self.assertError(bad.put_object, "SignatureDoesNotMatch", 403, Bucket=self.bucket, Key="wrong-secret", Body=b"x")
        self.assertAbsent("wrong-secret")

    def test_unknown_access_key(self):
        bad = common.no_retry_client(access_key="AKIDNOBODY000000")
        self.assertError(bad.put_object, "InvalidAccessKeyId", 403, Bucket=self.bucket, Key="unknown-key", Body=b"x")
        self.assertAbsent("unknown-key")

    def test_skewed_clock(self):
        for delta in (datetime.timedelta(minutes=-20), datetime.timedelta(minutes=20)):
            with self.subTest(delta=str(delta)):
                with mock.patch("botocore.auth.get_current_datetime", skewed_now(delta)):
                    skewed = common.no_retry_client()
                    self.assertError(skewed.put_object, "RequestTimeTooSkewed", 403, Bucket=self.bucket, Key="skewed", Body=b"x")
        self.assertAbsent("skewed")

    def test_no_such_bucket_and_key(self):
        missing = common.unique_bucket("py-missing")
        self.assertError(self.s3.get_object, "NoSuchBucket", 404, Bucket=missing, Key="k")
        self.assertError(self.s3.list_objects_v2, "NoSuchBucket", 404, Bucket=missing)
        self.assertError(self.s3.put_object, "NoSuchBucket", 404, Bucket=missing, Key="k", Body=b"x")
        self.assertError(self.s3.get_object, "NoSuchKey", 404, Bucket=self.bucket, Key="no/such/key")
        self.assertError(self.s3.head_object, "404", 404, Bucket=self.bucket, Key="no/such/key")
        self.assertError(self.s3.head_bucket, "404", 404, Bucket=missing)

    def test_invalid_bucket_name(self):
        for name in ("ab", "bad..name", "Invalid_Name", "192.168.5.4", "-dash"):
            with self.subTest(name=name):
                self.assertError(self.s3.create_bucket, "InvalidBucketName", 400, Bucket=name)
        names = [b["Name"] for b in self.s3.list_buckets()["Buckets"]]
        self.assertFalse({"ab", "bad..name", "Invalid_Name", "192.168.5.4", "-dash"} & set(names))

    def test_bad_digest(self):
        """A CRC32 that does not match the body, signed like a real one."""
        s3 = common.no_retry_client()

        def corrupt(request, **_):
            # HTTPHeaders appends on assignment; replace the header instead
            del request.headers["x-amz-checksum-crc32"]
            request.headers["x-amz-checksum-crc32"] = "AAAAAA=="
        s3.meta.events.register("before-sign.s3.PutObject", corrupt)
        self.assertError(s3.put_object, "BadDigest", 400, Bucket=self.bucket, Key="bad-digest", Body=os.urandom(5000))
        self.assertAbsent("bad-digest")

    def test_malformed_xml(self):
        key = "malformed"
        up = self.s3.create_multipart_upload(Bucket=self.bucket, Key=key)
        part = self.s3.upload_part(Bucket=self.bucket, Key=key, UploadId=up["UploadId"], PartNumber=1, Body=b"p" * 1000)
        s3 = common.no_retry_client()

        def malform(request, **_):
            request.data = b"<CompleteMultipartUpload><Part><PartNumber>1"
            for name in list(request.headers.keys()):
                if name.lower().startswith("x-amz-checksum-") or name.lower() in ("content-md5", "content-length"):
                    del request.headers[name]
        s3.meta.events.register("before-sign.s3.CompleteMultipartUpload", malform)
        self.assertError(s3.complete_multipart_upload, "MalformedXML", 400, Bucket=self.bucket, Key=key, UploadId=up["UploadId"],
                         MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
        self.assertAbsent(key)
        self.assertEqual(len(self.s3.list_parts(Bucket=self.bucket, Key=key, UploadId=up["UploadId"])["Parts"]), 1)

        def malform_delete(request, **_):
            body = b"<Delete><Object><Key>exists</Key>"
            request.data = body
            for name in list(request.headers.keys()):
                if name.lower().startswith("x-amz-checksum-") or name.lower() in ("content-md5", "content-length"):
                    del request.headers[name]
            request.headers["x-amz-checksum-crc32"] = base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
        s3.meta.events.register("before-sign.s3.DeleteObjects", malform_delete)
        self.assertError(s3.delete_objects, "MalformedXML", 400, Bucket=self.bucket, Delete={"Objects": [{"Key": "exists"}]})
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="exists")["Body"].read(), b"x" * 100)

    def test_wrong_part_order_and_etag(self):
        key = "bad-parts"
        up = self.s3.create_multipart_upload(Bucket=self.bucket, Key=key)
        p1 = self.s3.upload_part(Bucket=self.bucket, Key=key, UploadId=up["UploadId"], PartNumber=1, Body=os.urandom(5 * MIB))
        p2 = self.s3.upload_part(Bucket=self.bucket, Key=key, UploadId=up["UploadId"], PartNumber=2, Body=os.urandom(5 * MIB))
        complete = self.s3.complete_multipart_upload
        self.assertError(complete, "InvalidPartOrder", 400, Bucket=self.bucket, Key=key, UploadId=up["UploadId"],
                         MultipartUpload={"Parts": [{"PartNumber": 2, "ETag": p2["ETag"]}, {"PartNumber": 1, "ETag": p1["ETag"]}]})
        self.assertError(complete, "InvalidPart", 400, Bucket=self.bucket, Key=key, UploadId=up["UploadId"],
                         MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": common.etag(b"nope")}, {"PartNumber": 2, "ETag": p2["ETag"]}]})
        self.assertAbsent(key)
        self.s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=up["UploadId"])
        self.assertError(self.s3.list_parts, "NoSuchUpload", 404, Bucket=self.bucket, Key=key, UploadId=up["UploadId"])

    def test_invalid_range(self):
        self.assertError(self.s3.get_object, "InvalidRange", 416, Bucket=self.bucket, Key="exists", Range="bytes=500-600")

    def test_bucket_not_empty(self):
        self.assertError(self.s3.delete_bucket, "BucketNotEmpty", 409, Bucket=self.bucket)
        self.s3.head_bucket(Bucket=self.bucket)

    def test_expired_presigned_urls(self):
        with mock.patch("botocore.auth.get_current_datetime", skewed_now(datetime.timedelta(hours=-2))):
            v4 = common.client(signature_version="s3v4")
            url = v4.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": "exists"}, ExpiresIn=3600)
        status, body = common.fetch(url)
        self.assertEqual(status, 403, body)
        self.assertIn(b"<Code>AccessDenied</Code>", body)
        v2_url = self.s3.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": "exists"}, ExpiresIn=1)
        time.sleep(2.2)
        status, body = common.fetch(v2_url)
        self.assertEqual(status, 403, body)
        self.assertIn(b"<Code>AccessDenied</Code>", body)


if __name__ == "__main__":
    unittest.main()
