"""Print, as JSON lines, the HTTP request botocore sends for every operation
of the services Tributary routes, without sending anything.

Each operation is called with its required members filled in (recursively)
against http://localhost:4566; a before-send hook captures the prepared
request and aborts the call. Used by TestClassifyBotocoreRequests.

S3 is captured twice: with botocore's default addressing for a custom
endpoint (path style) and with addressing_style=virtual; each line names its
"addressing".

Usage: python3 botocore_requests.py
"""

import base64
import datetime
import json
import sys

import botocore.session
from botocore.config import Config

SERVICES = ["s3", "s3control", "sts", "iam", "kinesis", "firehose", "logs", "glue", "lambda", "comprehend"]

# Values for members whose name the routing depends on.
NAMED = {
    "Bucket": "amzn-s3-demo-bucket",
    "Key": "dir/key with space+plus.txt",
    "AccountId": "123456789012",
    "RequestRoute": "route-1",
    "RequestToken": "token-1",
    "CopySource": "src-bucket/src-key",
    "RenameSource": "src-key",
}


class Captured(Exception):
    def __init__(self, request):
        super().__init__("captured")
        self.request = request


def value_for(shape, name, depth):
    t = shape.type_name
    if name in NAMED and t == "string":
        return NAMED[name]
    if t == "structure":
        if depth > 8:
            return {}
        return {m: value_for(shape.members[m], m, depth + 1) for m in shape.required_members}
    if t == "list":
        return [value_for(shape.member, name, depth + 1)] if depth <= 8 else []
    if t == "map":
        return {}
    if t == "string":
        return shape.enum[0] if shape.enum else "x"
    if t in ("integer", "long"):
        return max(1, int(shape.metadata.get("min", 1)))
    if t in ("float", "double"):
        return 1.0
    if t == "boolean":
        return False
    if t == "timestamp":
        return datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    if t == "blob":
        return b"x"
    raise ValueError(f"unhandled shape type {t}")


def capture(request, **kwargs):
    raise Captured(request)


def main():
    session = botocore.session.get_session()
    out = sys.stdout
    passes = [("auto", SERVICES), ("virtual", ["s3"])]
    for addressing, services in passes:
        for svc in services:
            capture_service(session, svc, addressing, out)


def capture_service(session, svc, addressing, out):
    client = session.create_client(
        svc,
        region_name="us-east-1",
        endpoint_url="http://localhost:4566",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(parameter_validation=False, retries={"max_attempts": 1},
                      s3={"addressing_style": addressing}),
    )
    client.meta.events.register("before-send", capture)
    model = client.meta.service_model
    for op_name in model.operation_names:
        op = model.operation_model(op_name)
        params = value_for(op.input_shape, "", 0) if op.input_shape is not None else {}
        method = getattr(client, botocore.xform_name(op_name))
        rec = {"service": svc, "operation": op_name, "addressing": addressing}
        try:
            method(**params)
            rec["error"] = "call returned without sending"
        except Captured as c:
            req = c.request
            body = req.body
            if hasattr(body, "read"):
                body = body.read()
            if isinstance(body, str):
                body = body.encode()
            headers = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in req.headers.items()}
            rec.update(method=req.method, url=req.url, headers=headers,
                       body=base64.b64encode(body or b"").decode())
        except Exception as e:  # reported; the Go test fails on it
            rec["error"] = f"{type(e).__name__}: {e}"
        out.write(json.dumps(rec) + "\n")


if __name__ == "__main__":
    main()
