"""A minimal Python Lambda function for Tributary's README walk-throughs.

Deploy:
    cd examples/functions/python-hello && zip function.zip app.py
    aws lambda create-function --function-name hello --runtime python3.12 \
        --handler app.handler --zip-file fileb://function.zip \
        --role arn:aws:iam::000000000000:role/lambda-role
    aws lambda invoke --function-name hello --payload '{"name":"Ada"}' \
        --cli-binary-format raw-in-base64-out out.json
"""
import json
import os

# Module-level state survives between invocations of a warm instance.
invocations = 0


def handler(event, context):
    global invocations
    invocations += 1
    name = (event or {}).get("name", "world")
    print(json.dumps({"greeting": name, "request_id": context.aws_request_id}))
    return {
        "message": "Hello, %s!" % name,
        "invocations": invocations,
        "function": context.function_name,
        "region": os.environ.get("AWS_REGION"),
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
