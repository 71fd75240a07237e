"""boto3 against Tributary's Lambda API with real function processes."""

import base64
import io
import json
import secrets
import unittest
import zipfile

import boto3
from botocore.config import Config

from common import ENDPOINT, client as s3_client

ROLE = "arn:aws:iam::000000000000:role/lambda-boto3"


def lambda_client(**config):
    return boto3.session.Session().client(
        "lambda",
        endpoint_url=ENDPOINT,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(read_timeout=120, retries={"total_max_attempts": 1}, **config),
    )


def make_zip(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()


HANDLER = '''
import json, os, time
import boto3

def handler(event, context):
    action = event.get("action")
    if action == "raise":
        raise KeyError("no such order")
    if action == "sleep":
        time.sleep(event["seconds"])
    if action == "s3":
        body = boto3.client("s3").get_object(Bucket=event["bucket"], Key=event["key"])["Body"].read()
        return {"body": body.decode()}
    print("handled", json.dumps(event))
    return {"ok": True, "event": event, "request_id": context.aws_request_id,
            "memory": context.memory_limit_in_mb, "endpoint": os.environ.get("AWS_ENDPOINT_URL")}
'''


class LambdaTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lam = lambda_client()
        cls.name = "boto3-" + secrets.token_hex(5)
        cls.lam.create_function(
            FunctionName=cls.name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
            Code={"ZipFile": make_zip({"app.py": HANDLER})}, Timeout=30, MemorySize=256,
        )
        cls.lam.get_waiter("function_active_v2").wait(FunctionName=cls.name)

    @classmethod
    def tearDownClass(cls):
        cls.lam.delete_function(FunctionName=cls.name)

    def invoke(self, event, **kw):
        resp = self.lam.invoke(FunctionName=self.name, Payload=json.dumps(event).encode(), **kw)
        return resp, json.loads(resp["Payload"].read())

    def test_sync_invoke(self):
        resp, out = self.invoke({"order": 1})
        self.assertEqual(resp["StatusCode"], 200)
        self.assertEqual(resp["ExecutedVersion"], "$LATEST")
        self.assertNotIn("FunctionError", resp)
        self.assertEqual(out["event"], {"order": 1})
        self.assertEqual(out["memory"], "256")
        self.assertTrue(out["endpoint"].startswith("http://"))

    def test_configuration_and_waiters(self):
        cfg = self.lam.get_function_configuration(FunctionName=self.name)
        self.assertEqual(cfg["State"], "Active")
        self.assertEqual(cfg["LastUpdateStatus"], "Successful")
        self.assertEqual(cfg["Timeout"], 30)
        upd = self.lam.update_function_configuration(FunctionName=self.name, Description="updated")
        self.assertEqual(upd["LastUpdateStatus"], "InProgress")
        self.lam.get_waiter("function_updated_v2").wait(FunctionName=self.name)
        self.assertEqual(self.lam.get_function(FunctionName=self.name)["Configuration"]["Description"], "updated")

    def test_function_error(self):
        resp, out = self.invoke({"action": "raise"})
        self.assertEqual(resp["StatusCode"], 200)
        self.assertEqual(resp["FunctionError"], "Unhandled")
        self.assertEqual(out["errorType"], "KeyError")
        self.assertEqual(out["errorMessage"], "'no such order'")
        self.assertIsInstance(out["stackTrace"], list)

    def test_timeout(self):
        name = "boto3-timeout-" + secrets.token_hex(4)
        self.lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                                 Code={"ZipFile": make_zip({"app.py": "import time\ndef handler(e, c):\n    time.sleep(5)\n"})},
                                 Timeout=1)
        try:
            resp = self.lam.invoke(FunctionName=name)
            out = json.loads(resp["Payload"].read())
            self.assertEqual(resp["FunctionError"], "Unhandled")
            self.assertEqual(out["errorType"], "Sandbox.Timedout")
            self.assertRegex(out["errorMessage"], r"^RequestId: \S+ Error: Task timed out after 1\.00 seconds$")
        finally:
            self.lam.delete_function(FunctionName=name)

    def test_log_tail(self):
        resp, out = self.invoke({"tail": "me"}, LogType="Tail")
        log = base64.b64decode(resp["LogResult"]).decode()
        rid = out["request_id"]
        self.assertIn("START RequestId: %s Version: $LATEST" % rid, log)
        self.assertIn('handled {"tail": "me"}', log)
        self.assertIn("END RequestId: %s" % rid, log)
        self.assertIn("REPORT RequestId: %s\tDuration: " % rid, log)

    def test_function_reads_tributary_s3(self):
        s3 = s3_client()
        bucket = "lambda-src-" + secrets.token_hex(4)
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="greeting.txt", Body=b"hello from tributary")
        resp, out = self.invoke({"action": "s3", "bucket": bucket, "key": "greeting.txt"})
        self.assertNotIn("FunctionError", resp, out)
        self.assertEqual(out["body"], "hello from tributary")

    def test_code_from_s3(self):
        s3 = s3_client()
        bucket = "lambda-code-" + secrets.token_hex(4)
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="fn.zip",
                      Body=make_zip({"m.py": "def h(e, c):\n    return 'from-s3'\n"}))
        name = "boto3-s3code-" + secrets.token_hex(4)
        self.lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="m.h",
                                 Code={"S3Bucket": bucket, "S3Key": "fn.zip"})
        try:
            self.lam.get_waiter("function_active").wait(FunctionName=name, WaiterConfig={"Delay": 1})
            out = self.lam.invoke(FunctionName=name)["Payload"].read()
            self.assertEqual(out, b'"from-s3"')
            with self.assertRaises(self.lam.exceptions.InvalidParameterValueException) as cm:
                self.lam.update_function_code(FunctionName=name, S3Bucket=bucket, S3Key="missing.zip")
            self.assertIn("NoSuchKey", str(cm.exception))
        finally:
            self.lam.delete_function(FunctionName=name)

    def test_async_invoke(self):
        resp = self.lam.invoke(FunctionName=self.name, InvocationType="Event", Payload=b'{"async": 1}')
        self.assertEqual(resp["StatusCode"], 202)
        resp = self.lam.invoke(FunctionName=self.name, InvocationType="DryRun")
        self.assertEqual(resp["StatusCode"], 204)

    def test_bad_input(self):
        lam = self.lam
        with self.assertRaises(lam.exceptions.InvalidParameterValueException) as cm:
            lam.create_function(FunctionName="bad-" + secrets.token_hex(3), Runtime="python9.9", Role=ROLE,
                                Handler="app.handler", Code={"ZipFile": make_zip({"app.py": ""})})
        self.assertIn("Value python9.9 at 'runtime' failed to satisfy constraint", str(cm.exception))
        with self.assertRaises(lam.exceptions.InvalidParameterValueException) as cm:
            lam.create_function(FunctionName="bad-" + secrets.token_hex(3), Runtime="python3.12", Role=ROLE,
                                Handler="app.handler", Code={"ZipFile": b"not a zip"})
        self.assertIn("Could not unzip uploaded file", str(cm.exception))
        with self.assertRaises(lam.exceptions.ResourceNotFoundException) as cm:
            lam.invoke(FunctionName="no-such-function-" + secrets.token_hex(3))
        self.assertIn("Function not found: arn:aws:lambda:us-east-1:000000000000:function:no-such-function-", str(cm.exception))
        with self.assertRaises(lam.exceptions.ClientError) as cm:
            lam.invoke(FunctionName=self.name, Payload=b'"' + b"a" * (6 * 1024 * 1024) + b'"')
        self.assertEqual(cm.exception.response["Error"]["Code"], "RequestEntityTooLargeException")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 413)

    def test_zip_without_handler(self):
        name = "boto3-nohandler-" + secrets.token_hex(4)
        self.lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="app.handler",
                                 Code={"ZipFile": make_zip({"other.py": "x = 1\n"})})
        try:
            resp = self.lam.invoke(FunctionName=name)
            out = json.loads(resp["Payload"].read())
            self.assertEqual(resp["FunctionError"], "Unhandled")
            self.assertEqual(out["errorType"], "Runtime.ImportModuleError")
            self.assertIn("Unable to import module 'app'", out["errorMessage"])
        finally:
            self.lam.delete_function(FunctionName=name)


if __name__ == "__main__":
    unittest.main()
