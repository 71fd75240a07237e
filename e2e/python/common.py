"""Shared setup for the boto3 end-to-end tests.

The Go test (e2e/python_test.go) runs these files with ``python3 -m unittest``
and passes the server as TRIBUTARY_ENDPOINT; they also run by hand against any
server: ``TRIBUTARY_ENDPOINT=http://127.0.0.1:4566 python3 -m unittest -v``.
"""

import base64
import hashlib
import os
import secrets
import urllib.error
import urllib.request
import zlib

import boto3
from botocore.config import Config

ENDPOINT = os.environ.get("TRIBUTARY_ENDPOINT", "http://127.0.0.1:4566")


def client(access_key="test", secret_key="test", **config):
    """A boto3 S3 client with default settings (checksums when_supported)."""
    return boto3.session.Session().client(
        "s3",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        config=Config(**config) if config else None,
    )


def no_retry_client(**kw):
    return client(retries={"total_max_attempts": 1}, **kw)


def unique_bucket(prefix):
    return f"{prefix}-{secrets.token_hex(5)}"


def etag(data):
    return '"' + hashlib.md5(data).hexdigest() + '"'


def multipart_etag(*parts):
    digests = b"".join(hashlib.md5(p).digest() for p in parts)
    return f'"{hashlib.md5(digests).hexdigest()}-{len(parts)}"'


def crc32_b64(data):
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def b64digest(name, data):
    return base64.b64encode(hashlib.new(name, data).digest()).decode()


def fetch(url, method="GET", data=None):
    """Plain HTTP without proxies; returns (status, body) for any status."""
    status, body, _ = fetch_with_headers(url, method, data)
    return status, body


def fetch_with_headers(url, method="GET", data=None):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    req = urllib.request.Request(url, data=data, method=method)
    try:
        with opener.open(req, timeout=30) as resp:
            return resp.status, resp.read(), resp.headers
    except urllib.error.HTTPError as err:
        return err.code, err.read(), err.headers


def error_of(exc):
    """(code, HTTP status) of a botocore ClientError."""
    return exc.response["Error"]["Code"], exc.response["ResponseMetadata"]["HTTPStatusCode"]
