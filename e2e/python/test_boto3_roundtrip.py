"""boto3 round trips with default settings over plain http: byte-exact
bodies, checksums on (botocore sends CRC32 and asks for checksums on GET)."""

import io
import os
import unittest

from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

import common

MIB = 1024 * 1024


class Boto3RoundTrip(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s3 = common.client()
        cls.bucket = common.unique_bucket("py-rt")
        cls.s3.create_bucket(Bucket=cls.bucket)
        cls.data = os.urandom(MIB + 3)

    def test_put_get_head(self):
        put = self.s3.put_object(
            Bucket=self.bucket, Key="obj/one", Body=self.data,
            ContentType="application/x-one", Metadata={"purpose": "e2e"},
            ContentLanguage="de", CacheControl="max-age=5",
        )
        self.assertEqual(put["ETag"], common.etag(self.data))
        self.assertEqual(put.get("ChecksumCRC32"), common.crc32_b64(self.data),
                         "botocore sends CRC32 by default; the response echoes it")
        got = self.s3.get_object(Bucket=self.bucket, Key="obj/one")
        self.assertEqual(got["Body"].read(), self.data)
        self.assertEqual(got["ContentType"], "application/x-one")
        head = self.s3.head_object(Bucket=self.bucket, Key="obj/one")
        self.assertEqual(head["ContentLength"], len(self.data))
        self.assertEqual(head["ETag"], common.etag(self.data))
        self.assertEqual(head["Metadata"], {"purpose": "e2e"})
        self.assertEqual(head["ContentLanguage"], "de")
        self.assertEqual(head["CacheControl"], "max-age=5")

    def test_checksum_algorithms(self):
        expected = {
            "CRC32": common.crc32_b64(self.data),
            "SHA1": common.b64digest("sha1", self.data),
            "SHA256": common.b64digest("sha256", self.data),
        }
        for algorithm, value in expected.items():
            with self.subTest(algorithm=algorithm):
                key = f"ck/{algorithm}"
                put = self.s3.put_object(Bucket=self.bucket, Key=key, Body=self.data, ChecksumAlgorithm=algorithm)
                self.assertEqual(put.get(f"Checksum{algorithm}"), value)
                got = self.s3.get_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
                self.assertEqual(got["Body"].read(), self.data)  # botocore validates at EOF
                self.assertEqual(got.get(f"Checksum{algorithm}"), value)
                head = self.s3.head_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
                self.assertEqual(head.get(f"Checksum{algorithm}"), value)

    def test_range_with_default_checksum_mode(self):
        self.s3.put_object(Bucket=self.bucket, Key="obj/range", Body=self.data)
        got = self.s3.get_object(Bucket=self.bucket, Key="obj/range", Range="bytes=1000-1999")
        self.assertEqual(got["Body"].read(), self.data[1000:2000])
        self.assertEqual(got["ContentRange"], f"bytes 1000-1999/{len(self.data)}")
        self.assertEqual(got["ResponseMetadata"]["HTTPStatusCode"], 206)

    def test_list_with_special_keys(self):
        keys = ["lst/a", "lst/b b", "lst/c+d", "lst/100%", "lst/Z", "lst/été", "lst/日本", "lst/dir/x", "lst/dir/y", "lst/~t"]
        for k in keys:
            self.s3.put_object(Bucket=self.bucket, Key=k, Body=k.encode())
        want = sorted(keys, key=lambda k: k.encode())
        pages = self.s3.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix="lst/", PaginationConfig={"PageSize": 3})
        got = [o["Key"] for page in pages for o in page.get("Contents", [])]
        self.assertEqual(got, want)
        delim = self.s3.list_objects_v2(Bucket=self.bucket, Prefix="lst/", Delimiter="/")
        self.assertEqual([p["Prefix"] for p in delim.get("CommonPrefixes", [])], ["lst/dir/"])
        self.assertEqual(len(delim["Contents"]), len(keys) - 2)
        self.assertEqual(delim["KeyCount"], len(keys) - 1)
        v1 = self.s3.list_objects(Bucket=self.bucket, Prefix="lst/", Marker="lst/c+d")
        self.assertEqual([o["Key"] for o in v1["Contents"]], [k for k in want if k.encode() > b"lst/c+d"])
        for k in ("lst/c+d", "lst/100%", "lst/日本"):
            self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key=k)["Body"].read(), k.encode())

    def test_copy(self):
        src = "copy/src été+1 (x).bin"
        self.s3.put_object(Bucket=self.bucket, Key=src, Body=self.data[:5000], Metadata={"m": "1"})
        out = self.s3.copy_object(Bucket=self.bucket, Key="copy/dst", CopySource={"Bucket": self.bucket, "Key": src})
        self.assertEqual(out["CopyObjectResult"]["ETag"], common.etag(self.data[:5000]))
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="copy/dst")["Body"].read(), self.data[:5000])
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key="copy/dst")["Metadata"], {"m": "1"})
        self.s3.copy_object(Bucket=self.bucket, Key="copy/dst", CopySource={"Bucket": self.bucket, "Key": src},
                            MetadataDirective="REPLACE", Metadata={"m": "2"})
        self.assertEqual(self.s3.head_object(Bucket=self.bucket, Key="copy/dst")["Metadata"], {"m": "2"})

    def test_multipart_low_level(self):
        key = "mpu/low level"
        parts = [os.urandom(5 * MIB), os.urandom(100)]
        up = self.s3.create_multipart_upload(Bucket=self.bucket, Key=key, ContentType="application/x-mpu")
        done = []
        for n, body in enumerate(parts, start=1):
            out = self.s3.upload_part(Bucket=self.bucket, Key=key, UploadId=up["UploadId"], PartNumber=n, Body=body)
            self.assertEqual(out["ETag"], common.etag(body))
            done.append({"PartNumber": n, "ETag": out["ETag"]})
        listed = self.s3.list_parts(Bucket=self.bucket, Key=key, UploadId=up["UploadId"])
        self.assertEqual([p["Size"] for p in listed["Parts"]], [len(p) for p in parts])
        uploads = self.s3.list_multipart_uploads(Bucket=self.bucket)
        self.assertIn(up["UploadId"], [u["UploadId"] for u in uploads.get("Uploads", [])])
        out = self.s3.complete_multipart_upload(Bucket=self.bucket, Key=key, UploadId=up["UploadId"],
                                                MultipartUpload={"Parts": done})
        self.assertEqual(out["ETag"], common.multipart_etag(*parts))
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read(), b"".join(parts))
        part1 = self.s3.get_object(Bucket=self.bucket, Key=key, PartNumber=1)
        self.assertEqual(part1["ContentLength"], 5 * MIB)
        self.assertEqual(part1["PartsCount"], 2)
        self.assertEqual(part1["Body"].read(), parts[0])

    def test_transfer_manager(self):
        body = os.urandom(11 * MIB + 5)
        cfg = TransferConfig(multipart_threshold=5 * MIB, multipart_chunksize=5 * MIB, max_concurrency=4)
        self.s3.upload_fileobj(io.BytesIO(body), self.bucket, "tm/big", Config=cfg)
        head = self.s3.head_object(Bucket=self.bucket, Key="tm/big")
        self.assertEqual(head["ETag"], common.multipart_etag(body[:5 * MIB], body[5 * MIB:10 * MIB], body[10 * MIB:]))
        out = io.BytesIO()
        self.s3.download_fileobj(self.bucket, "tm/big", out, Config=cfg)
        self.assertEqual(out.getvalue(), body)

    def test_presign_sigv2_default(self):
        self.s3.put_object(Bucket=self.bucket, Key="pre/v2 key+1", Body=self.data[:333])
        url = self.s3.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": "pre/v2 key+1"})
        self.assertIn("AWSAccessKeyId=", url, "boto3 presigns S3 with SigV2 by default")
        status, body = common.fetch(url)
        self.assertEqual((status, body), (200, self.data[:333]))
        # response-* parameters are sub-resources inside the SigV2 string to sign
        url = self.s3.generate_presigned_url("get_object", Params={
            "Bucket": self.bucket, "Key": "pre/v2 key+1",
            "ResponseContentType": "text/x-presigned", "ResponseContentDisposition": "attachment; filename=x.bin"})
        status, body, headers = common.fetch_with_headers(url)
        self.assertEqual((status, body), (200, self.data[:333]), body[:300])
        self.assertEqual(headers.get("Content-Type"), "text/x-presigned")
        self.assertEqual(headers.get("Content-Disposition"), "attachment; filename=x.bin")

    def test_presign_sigv4(self):
        v4 = common.client(signature_version="s3v4")
        self.s3.put_object(Bucket=self.bucket, Key="pre/v4 key", Body=self.data[:444])
        url = v4.generate_presigned_url("get_object", Params={"Bucket": self.bucket, "Key": "pre/v4 key"}, ExpiresIn=300)
        self.assertIn("X-Amz-Signature=", url)
        status, body = common.fetch(url)
        self.assertEqual((status, body), (200, self.data[:444]))
        put_url = v4.generate_presigned_url("put_object", Params={"Bucket": self.bucket, "Key": "pre/v4 put"}, ExpiresIn=300)
        status, body = common.fetch(put_url, method="PUT", data=self.data[:555])
        self.assertEqual(status, 200, body)
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="pre/v4 put")["Body"].read(), self.data[:555])

    def test_tagging(self):
        self.s3.put_object(Bucket=self.bucket, Key="tag/k", Body=b"t", Tagging="a=1&b=2")
        tags = self.s3.get_object_tagging(Bucket=self.bucket, Key="tag/k")["TagSet"]
        self.assertEqual({t["Key"]: t["Value"] for t in tags}, {"a": "1", "b": "2"})
        self.s3.put_object_tagging(Bucket=self.bucket, Key="tag/k", Tagging={"TagSet": [{"Key": "x", "Value": "y"}]})
        tags = self.s3.get_object_tagging(Bucket=self.bucket, Key="tag/k")["TagSet"]
        self.assertEqual(tags, [{"Key": "x", "Value": "y"}])
        self.s3.delete_object_tagging(Bucket=self.bucket, Key="tag/k")
        self.assertEqual(self.s3.get_object_tagging(Bucket=self.bucket, Key="tag/k")["TagSet"], [])
        self.s3.put_bucket_tagging(Bucket=self.bucket, Tagging={"TagSet": [{"Key": "team", "Value": "py"}]})
        self.assertEqual(self.s3.get_bucket_tagging(Bucket=self.bucket)["TagSet"], [{"Key": "team", "Value": "py"}])
        self.s3.delete_bucket_tagging(Bucket=self.bucket)
        with self.assertRaises(ClientError) as ctx:
            self.s3.get_bucket_tagging(Bucket=self.bucket)
        self.assertEqual(common.error_of(ctx.exception), ("NoSuchTagSet", 404))

    def test_conditional(self):
        put = self.s3.put_object(Bucket=self.bucket, Key="cond/k", Body=b"v1")
        with self.assertRaises(ClientError) as ctx:
            self.s3.get_object(Bucket=self.bucket, Key="cond/k", IfNoneMatch=put["ETag"])
        self.assertEqual(common.error_of(ctx.exception)[1], 304)
        with self.assertRaises(ClientError) as ctx:
            self.s3.get_object(Bucket=self.bucket, Key="cond/k", IfMatch='"ffffffffffffffffffffffffffffffff"')
        self.assertEqual(common.error_of(ctx.exception), ("PreconditionFailed", 412))
        with self.assertRaises(ClientError) as ctx:
            self.s3.put_object(Bucket=self.bucket, Key="cond/k", Body=b"v2", IfNoneMatch="*")
        self.assertEqual(common.error_of(ctx.exception), ("PreconditionFailed", 412))
        self.assertEqual(self.s3.get_object(Bucket=self.bucket, Key="cond/k")["Body"].read(), b"v1")

    def test_delete_objects(self):
        keys = [f"del/{i} x+y" for i in range(5)]
        for k in keys:
            self.s3.put_object(Bucket=self.bucket, Key=k, Body=b"d")
        out = self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": [{"Key": k} for k in keys]})
        self.assertEqual(sorted(d["Key"] for d in out["Deleted"]), sorted(keys))
        self.assertNotIn("Errors", out)
        self.assertEqual(self.s3.list_objects_v2(Bucket=self.bucket, Prefix="del/")["KeyCount"], 0)


class Boto3VirtualHost(unittest.TestCase):
    """boto3 with addressing_style=virtual via HTTP_PROXY pointing at the server."""

    def test_virtual_host_through_proxy(self):
        endpoint = common.ENDPOINT.replace("127.0.0.1", "localhost")
        proxy = common.ENDPOINT
        s3 = common.boto3.session.Session().client(
            "s3", endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="test", aws_secret_access_key="test",
            config=Config(s3={"addressing_style": "virtual"}, proxies={"http": proxy}),
        )
        bucket = common.unique_bucket("py-vhost")
        s3.create_bucket(Bucket=bucket)
        body = os.urandom(70000)
        s3.put_object(Bucket=bucket, Key="v/k é", Body=body)
        self.assertEqual(s3.get_object(Bucket=bucket, Key="v/k é")["Body"].read(), body)
        self.assertEqual([o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]], ["v/k é"])
        s3.delete_object(Bucket=bucket, Key="v/k é")
        s3.delete_bucket(Bucket=bucket)


if __name__ == "__main__":
    unittest.main()
