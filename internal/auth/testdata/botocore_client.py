"""Drive a Tributary auth test server with botocore/boto3 (used by botocore_test.go).

Usage: python3 botocore_client.py CONFIG.json

CONFIG holds the server URLs ("http", "https", "http_localhost"), the CA file of
the https server ("ca_file") and named credentials ("creds": name -> {AccessKeyID,
SecretAccessKey}). Every scenario is named "<what> => <expected outcome>"; the
script prints one JSON object mapping each name to what actually happened:
"ok", the AWS error code, a returned value, or "exception: ...". The Go test
compares the two halves.
"""

import json
import ssl
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

import boto3
from botocore.auth import HmacV1Auth, HmacV1QueryAuth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

cfg = json.load(open(sys.argv[1]))
results = {}
SESSION = boto3.session.Session()  # one session: service models load once


def record(name, fn):
    import time
    t0 = time.time()
    try:
        out = fn()
        results[name] = "ok" if out is None else out
    except ClientError as e:
        results[name] = e.response["Error"]["Code"]
    except Exception as e:  # reported, and the Go side fails on it
        results[name] = "exception: %s: %s" % (type(e).__name__, e)
    finally:
        print("%.2fs %s" % (time.time() - t0, name), file=sys.stderr)


def client(service, endpoint, cred, **config):
    config.setdefault("retries", {"max_attempts": 1})
    return SESSION.client(
        service,
        region_name="us-east-1",
        endpoint_url=endpoint,
        aws_access_key_id=cred["AccessKeyID"],
        aws_secret_access_key=cred["SecretAccessKey"],
        verify=cfg["ca_file"],
        config=Config(**config),
    )


def fetch(url, method="GET", data=None, headers=None, proxy=None):
    handlers = [urllib.request.ProxyHandler({"http": proxy} if proxy else {})]
    if url.startswith("https"):
        ctx = ssl.create_default_context(cafile=cfg["ca_file"])
        handlers.append(urllib.request.HTTPSHandler(context=ctx))
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.build_opener(*handlers).open(req) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def outcome(status, body, want_body=None):
    """'ok' for a 200 with the expected body, else the error code in the body."""
    if status == 200:
        if want_body is not None and body != want_body:
            return "body mismatch: %r" % body[:80]
        return None
    try:
        return ET.fromstring(body).findtext("Code") or "status %d" % status
    except ET.ParseError:
        return "status %d: %r" % (status, body[:80])


def put_get(s3, bucket, key, body):
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    got = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    if got != body:
        return "body mismatch: %d bytes back, %d put" % (len(got), len(body))


KEYS = ["plain.txt", "dir/a b+c=d~e/été (1).txt", "we!rd'key*(x)&y$z,;:@=", "percent%2Fliteral"]
SMALL = b"hello world\n"
BIG = b"tributary " * 300000  # 3 MB: several 1 MiB aws-chunks over https

creds = cfg["creds"]
for credname in ("alice", "bob"):
    cred = creds[credname]
    for scheme in ("http", "https"):
        s3 = client("s3", cfg[scheme], cred)
        for i, key in enumerate(KEYS):
            body = BIG if i % 2 else SMALL
            record("s3 %s %s put/get %r => ok" % (credname, scheme, key),
                   lambda: put_get(s3, scheme + "-bucket", key, body))

    # Virtual-host addressing reaches the server as its HTTP proxy
    # (absolute-form targets), since *.localhost does not resolve here.
    s3v = client("s3", cfg["http_localhost"], cred, s3={"addressing_style": "virtual"},
                 proxies={"http": cfg["http"]})
    for key in KEYS[:2]:
        record("s3 %s virtual-host via proxy put/get %r => ok" % (credname, key),
               lambda: put_get(s3v, "vbucket", key, SMALL))

    # Presigned URLs: botocore's default for S3 is SigV2; s3v4 on request.
    for scheme in ("http", "https"):
        s3 = client("s3", cfg[scheme], cred)
        s3v4 = client("s3", cfg[scheme], cred, signature_version="s3v4")
        bucket = scheme + "-bucket"
        for label, c, marker in (("sigv2", s3, "AWSAccessKeyId="), ("sigv4", s3v4, "X-Amz-Signature=")):
            for key in KEYS[:3]:
                def presigned_get(c=c, key=key, marker=marker):
                    url = c.generate_presigned_url("get_object", Params={
                        "Bucket": bucket, "Key": key, "ResponseContentType": "text/plain"}, ExpiresIn=3600)
                    if marker not in url:
                        return "unexpected presign form: " + url
                    return outcome(*fetch(url), want_body=BIG if key == KEYS[1] else SMALL)
                record("presigned %s %s %s GET %r => ok" % (label, credname, scheme, key), presigned_get)

            def presigned_put(c=c):
                url = c.generate_presigned_url("put_object", Params={
                    "Bucket": bucket, "Key": "presigned/put.txt", "ContentType": "text/plain",
                    "Metadata": {"color": "blue"}}, ExpiresIn=3600)
                headers = {"Content-Type": "text/plain"}
                if "X-Amz-Signature=" in url:
                    headers["x-amz-meta-color"] = "blue"  # SigV4 signs it as a header
                return outcome(*fetch(url, "PUT", b"put via presigned url", headers))
            record("presigned %s %s %s PUT => ok" % (label, credname, scheme), presigned_put)

    # SigV2 header auth and SigV2 query auth built directly with botocore's
    # HmacV1 signers, path-style and virtual-host style (bucket only in the
    # auth path).
    bc = Credentials(cred["AccessKeyID"], cred["SecretAccessKey"])

    def hmacv1(url, auth_path=None, proxy=None, query=False, body=b"v2 body"):
        req = AWSRequest(method="PUT" if not query else "GET", url=url, data=body if not query else None,
                         headers={"Content-Type": "text/plain"} if not query else {}, auth_path=auth_path)
        (HmacV1QueryAuth(bc, expires=3600) if query else HmacV1Auth(bc)).add_auth(req)
        p = req.prepare()
        return outcome(*fetch(p.url, p.method, p.body, dict(p.headers), proxy))

    host = cfg["http_localhost"].split("//", 1)[1]
    record("sigv2 header %s path-style PUT => ok" % credname,
           lambda: hmacv1(cfg["http"] + "/v2-bucket/dir/a%20b%2Bc.txt"))
    record("sigv2 header %s virtual-host PUT => ok" % credname,
           lambda: hmacv1("http://v2vhost.%s/dir/x.txt" % host, auth_path="/v2vhost/dir/x.txt", proxy=cfg["http"]))
    record("sigv2 query %s path-style GET => ok" % credname,
           lambda: hmacv1(cfg["http"] + "/v2-bucket/dir/a%20b%2Bc.txt", query=True))
    record("sigv2 query %s virtual-host GET => ok" % credname,
           lambda: hmacv1("http://v2vhost.%s/dir/x.txt" % host, auth_path="/v2vhost/dir/x.txt",
                          proxy=cfg["http"], query=True))

    # Other services: Query (STS), JSON 1.1 (Kinesis), REST-JSON (Lambda).
    record("sts %s get_caller_identity => %s" % (credname, cfg["arns"][credname]),
           lambda: client("sts", cfg["http"], cred).get_caller_identity()["Arn"])
    record("kinesis %s list_streams => ok" % credname,
           lambda: client("kinesis", cfg["http"], cred).list_streams() and None)
    record("lambda %s invoke by ARN => %s" % (credname, cfg["arns"][credname]),
           lambda: json.loads(client("lambda", cfg["http"], cred).invoke(
               FunctionName="arn:aws:lambda:us-east-1:123456789012:function:my-fn",
               Payload=b'{"k": "v w"}')["Payload"].read())["principal"])

    def sigv4_lambda_path():
        req = AWSRequest(method="POST", data=b'{"a": 1}', headers={"Content-Type": "application/json"},
                         url=cfg["http"] + "/2015-03-31/functions/my%20fn%3A%24LATEST/invocations?Qualifier=a%20b")
        SigV4Auth(bc, "lambda", "us-east-1").add_auth(req)
        p = req.prepare()
        status, body = fetch(p.url, p.method, p.body, dict(p.headers))
        return None if status == 200 else "status %d %r" % (status, body)
    record("sigv4 %s lambda escaped path => ok" % credname, sigv4_lambda_path)

# Rejections.
for label, cred, code in (("wrong secret", creds["wrong"], "SignatureDoesNotMatch"),
                          ("unknown key", creds["unknown"], "InvalidAccessKeyId")):
    for scheme in ("http", "https"):
        record("s3 %s %s put => %s" % (label, scheme, code),
               lambda: put_get(client("s3", cfg[scheme], cred), "http-bucket", "k", BIG))
    for sv, marker in (("s3", "AWSAccessKeyId="), ("s3v4", "X-Amz-Signature=")):
        def bad_presign(sv=sv, cred=cred):
            url = client("s3", cfg["http"], cred, signature_version=sv).generate_presigned_url(
                "get_object", Params={"Bucket": "http-bucket", "Key": "plain.txt"})
            return outcome(*fetch(url))
        record("presigned %s %s => %s" % (sv, label, code), bad_presign)
    record("sts %s => %s" % (label, code), lambda: client("sts", cfg["http"], cred).get_caller_identity()["Arn"])
    record("kinesis %s => %s" % (label, code), lambda: client("kinesis", cfg["http"], cred).list_streams() and None)

json.dump(results, sys.stdout, indent=1, sort_keys=True)
