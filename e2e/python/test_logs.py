"""boto3 against Tributary's CloudWatch Logs: every operation of issue 5, the
bad inputs of its "done means" (AWS's error code and message shape, and
nothing half-stored), paging that ends, and subscription delivery to a Kinesis
stream of the same server.

Run from Go by TestBoto3 (e2e/python_test.go), or by hand:
``TRIBUTARY_ENDPOINT=http://127.0.0.1:4566 python3 -m unittest -v test_logs``.
"""

import gzip
import json
import secrets
import time
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import common

DAY_MS = 24 * 3600 * 1000


def aws_client(service):
    """A boto3 client without retries, so an error is seen as answered."""
    cfg = Config(read_timeout=30, connect_timeout=5, retries={"total_max_attempts": 1})
    return boto3.session.Session().client(
        service, endpoint_url=common.ENDPOINT, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test", config=cfg)


def unique_group(prefix):
    return f"/py/{prefix}-{secrets.token_hex(4)}"


def now_ms():
    return int(time.time() * 1000)


class LogsCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.logs = aws_client("logs")

    def assertError(self, code, call, message_part=None, **kwargs):
        with self.assertRaises(ClientError) as ctx:
            call(**kwargs)
        got = common.error_of(ctx.exception)
        self.assertEqual(got[0], code, f"{call.__name__}: {ctx.exception}")
        self.assertEqual(got[1], 400, f"{call.__name__}: {ctx.exception}")
        message = ctx.exception.response["Error"].get("Message")
        self.assertTrue(message, f"{code} without a message")
        if message_part:
            self.assertIn(message_part, message)
        return ctx.exception

    def group(self, prefix, streams=()):
        name = unique_group(prefix)
        self.logs.create_log_group(logGroupName=name)
        self.addCleanup(self.logs.delete_log_group, logGroupName=name)
        for s in streams:
            self.logs.create_log_stream(logGroupName=name, logStreamName=s)
        return name

    def put(self, group, stream, events):
        return self.logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)

    def all_events(self, group, stream):
        """Every stored event of a stream, from the head to the repeated token."""
        out, token = [], None
        for _ in range(1000):
            kw = {"nextToken": token} if token else {"startFromHead": True}
            page = self.logs.get_log_events(logGroupName=group, logStreamName=stream, **kw)
            # An absent list is its own failure (test_empty_stream_page); here it reads as empty.
            out += page.get("events", [])
            if page["nextForwardToken"] == token:
                return out
            token = page["nextForwardToken"]
        self.fail("get_log_events never repeated its token")

    def filter_all(self, group, **kw):
        """FilterLogEvents followed to the page without nextToken."""
        out, pages = [], 0
        while True:
            page = self.logs.filter_log_events(logGroupName=group, **kw)
            out += page["events"]
            pages += 1
            if "searchedLogStreams" in page:
                self.assertEqual(page["searchedLogStreams"], [])
            if "nextToken" not in page:
                return out, pages
            self.assertLess(pages, 1000, "filter_log_events never ended")
            kw["nextToken"] = page["nextToken"]


class TestGroupsAndStreams(LogsCase):
    def test_groups_prefix_pattern_paging(self):
        base = unique_group("groups")
        names = [f"{base}/{c}" for c in "abcd"]
        for n in names:
            self.logs.create_log_group(logGroupName=n, tags={"n": n[-1]})
            self.addCleanup(self.logs.delete_log_group, logGroupName=n)
        self.assertError("ResourceAlreadyExistsException", self.logs.create_log_group, logGroupName=names[0])
        self.assertError("InvalidParameterException", self.logs.create_log_group, logGroupName="aws/x-" + secrets.token_hex(3))
        seen, kw = [], {"logGroupNamePrefix": base, "limit": 3}
        while True:
            page = self.logs.describe_log_groups(**kw)
            seen += [g["logGroupName"] for g in page["logGroups"]]
            if "nextToken" not in page:
                break
            kw["nextToken"] = page["nextToken"]
        self.assertEqual(seen, names)
        paginated = [g["logGroupName"] for p in self.logs.get_paginator("describe_log_groups").paginate(
            logGroupNamePrefix=base, PaginationConfig={"PageSize": 1}) for g in p["logGroups"]]
        self.assertEqual(paginated, names)
        pat = self.logs.describe_log_groups(logGroupNamePattern=base.split("-")[-1] + "/c")["logGroups"]
        self.assertEqual([g["logGroupName"] for g in pat], [names[2]])
        g = pat[0]
        self.assertTrue(g["arn"].endswith(f":log-group:{names[2]}:*"), g)
        self.assertEqual(g["logGroupArn"], g["arn"][:-2])
        self.assertEqual(g["storedBytes"], 0)
        self.assertError("InvalidParameterException", self.logs.describe_log_groups,
                         logGroupNamePrefix=base, logGroupNamePattern="x")
        self.logs.delete_log_group(logGroupName=names[3])
        self.assertError("ResourceNotFoundException", self.logs.delete_log_group,
                         "The specified log group does not exist.", logGroupName=names[3])
        self.addCleanup(self.logs.create_log_group, logGroupName=names[3])  # so the cleanup above succeeds

    def test_deletion_protection(self):
        g = self.group("protected", ["s"])
        self.logs.put_log_group_deletion_protection(logGroupIdentifier=g, deletionProtectionEnabled=True)
        self.assertError("ValidationException", self.logs.delete_log_group, "deletion protection", logGroupName=g)
        self.assertError("ValidationException", self.logs.delete_log_stream, logGroupName=g, logStreamName="s")
        self.assertEqual([x["logStreamName"] for x in self.logs.describe_log_streams(logGroupName=g)["logStreams"]], ["s"])
        self.logs.put_log_group_deletion_protection(logGroupIdentifier=g, deletionProtectionEnabled=False)
        self.logs.delete_log_stream(logGroupName=g, logStreamName="s")

    def test_streams_order_and_paging(self):
        g = self.group("streams")
        now = now_ms()
        # Created in name order, last events in reverse order.
        for i, name in enumerate(["s-a", "s-b", "s-c", "s-d"]):
            self.logs.create_log_stream(logGroupName=g, logStreamName=name)
            self.put(g, name, [{"timestamp": now - 1000 * i, "message": f"m{i}"}])
        self.assertError("ResourceAlreadyExistsException", self.logs.create_log_stream, logGroupName=g, logStreamName="s-a")
        self.assertError("ResourceNotFoundException", self.logs.create_log_stream,
                         "The specified log group does not exist.", logGroupName=g + "-no", logStreamName="x")
        names = lambda **kw: [s["logStreamName"] for p in self.logs.get_paginator("describe_log_streams").paginate(
            logGroupName=g, PaginationConfig={"PageSize": 1}, **kw) for s in p["logStreams"]]
        self.assertEqual(names(), ["s-a", "s-b", "s-c", "s-d"])
        self.assertEqual(names(descending=True), ["s-d", "s-c", "s-b", "s-a"])
        self.assertEqual(names(orderBy="LastEventTime"), ["s-d", "s-c", "s-b", "s-a"])
        self.assertEqual(names(orderBy="LastEventTime", descending=True), ["s-a", "s-b", "s-c", "s-d"])
        self.assertEqual(names(logStreamNamePrefix="s-c"), ["s-c"])
        self.assertError("InvalidParameterException", self.logs.describe_log_streams,
                         logGroupName=g, orderBy="LastEventTime", logStreamNamePrefix="s")
        st = self.logs.describe_log_streams(logGroupName=g, logStreamNamePrefix="s-b")["logStreams"][0]
        self.assertEqual(st["firstEventTimestamp"], now - 1000)
        self.assertEqual(st["lastEventTimestamp"], now - 1000)
        self.assertTrue(st["arn"].endswith(f":log-group:{g}:log-stream:s-b"), st)
        self.logs.delete_log_stream(logGroupName=g, logStreamName="s-b")
        self.assertError("ResourceNotFoundException", self.logs.delete_log_stream,
                         "The specified log stream does not exist.", logGroupName=g, logStreamName="s-b")
        # A stream created again under the same name starts empty.
        self.logs.create_log_stream(logGroupName=g, logStreamName="s-b")
        self.assertEqual(self.all_events(g, "s-b"), [])

    def test_empty_stream_page(self):
        """AWS answers "events": [] (never null, which boto3 drops) for an empty page."""
        g = self.group("empty", ["s"])
        for kw in ({"startFromHead": True}, {}):
            page = self.logs.get_log_events(logGroupName=g, logStreamName="s", **kw)
            self.assertEqual(page.get("events"), [], f"get_log_events {kw} of an empty stream: {page}")

    def test_retention_and_tags(self):
        g = self.group("retention")
        self.logs.put_retention_policy(logGroupName=g, retentionInDays=30)
        self.assertError("InvalidParameterException", self.logs.put_retention_policy, logGroupName=g, retentionInDays=8)
        self.assertError("ResourceNotFoundException", self.logs.put_retention_policy, logGroupName=g + "-no", retentionInDays=1)
        desc = self.logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"][0]
        self.assertEqual(desc["retentionInDays"], 30)
        self.logs.delete_retention_policy(logGroupName=g)
        self.assertNotIn("retentionInDays", self.logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"][0])

        self.logs.tag_log_group(logGroupName=g, tags={"a": "1", "b": "2"})
        self.logs.untag_log_group(logGroupName=g, tags=["a"])
        self.assertEqual(self.logs.list_tags_log_group(logGroupName=g)["tags"], {"b": "2"})
        arn = desc["logGroupArn"]
        self.logs.tag_resource(resourceArn=arn, tags={"c": "3"})
        self.logs.untag_resource(resourceArn=arn, tagKeys=["b"])
        self.assertEqual(self.logs.list_tags_for_resource(resourceArn=arn)["tags"], {"c": "3"})


class TestEvents(LogsCase):
    def test_put_rejects_and_get_both_ways(self):
        g = self.group("events", ["s"])
        now = now_ms()
        out = self.put(g, "s", [
            {"timestamp": now - 15 * DAY_MS, "message": "too old 1"},
            {"timestamp": now - 14 * DAY_MS - 60000, "message": "too old 2"},
            {"timestamp": now - 2000, "message": "kept 1"},
            {"timestamp": now - 1000, "message": "kept 2"},
            {"timestamp": now + 3 * 3600 * 1000, "message": "too new"},
        ])
        self.assertEqual(out["rejectedLogEventsInfo"], {"tooOldLogEventEndIndex": 2, "tooNewLogEventStartIndex": 4})
        out = self.put(g, "s", [{"timestamp": now + i, "message": f"event {i:02d}"} for i in range(23)])
        self.assertNotIn("rejectedLogEventsInfo", out)
        want = ["kept 1", "kept 2"] + [f"event {i:02d}" for i in range(23)]
        events = self.all_events(g, "s")
        self.assertEqual([e["message"] for e in events], want)
        self.assertTrue(all(e["ingestionTime"] >= now - 5000 for e in events))

        # Forward in pages of 10: 10, 10, 5, then the repeated token.
        pages, token = [], None
        while True:
            kw = {"nextToken": token} if token else {"startFromHead": True}
            page = self.logs.get_log_events(logGroupName=g, logStreamName="s", limit=10, **kw)
            self.assertTrue(page["nextForwardToken"].startswith("f/"))
            self.assertTrue(page["nextBackwardToken"].startswith("b/"))
            if page["nextForwardToken"] == token:
                self.assertEqual(page.get("events", []), [])
                break
            pages.append([e["message"] for e in page["events"]])
            token = page["nextForwardToken"]
        self.assertEqual([len(p) for p in pages], [10, 10, 5])
        # Backward from the newest page (the default), each page ascending.
        pages, token = [], None
        while True:
            kw = {"nextToken": token} if token else {}
            page = self.logs.get_log_events(logGroupName=g, logStreamName="s", limit=10, **kw)
            if page["nextBackwardToken"] == token:
                self.assertEqual(page.get("events", []), [])
                break
            pages.insert(0, [e["message"] for e in page["events"]])
            token = page["nextBackwardToken"]
        self.assertEqual(pages[-1], want[-10:])
        self.assertEqual(sum(pages, []), want)
        # Time range: startTime inclusive, endTime exclusive.
        page = self.logs.get_log_events(logGroupName=g, logStreamName="s", startTime=now + 3, endTime=now + 6, startFromHead=True)
        self.assertEqual([e["message"] for e in page["events"]], ["event 03", "event 04", "event 05"])
        self.assertError("ResourceNotFoundException", self.logs.get_log_events, logGroupName=g, logStreamName="nope")

    def test_filter_patterns_streams_range_paging(self):
        g = self.group("filter", ["app-1", "app-2", "web"])
        base = now_ms() - 60000
        expected = {"term": [], "json": [], "delimited": [], "web": [], "prefix": [], "range": []}
        batches = {"app-1": [], "app-2": [], "web": []}
        for i in range(300):
            ts = base + i * 10
            level = "ERROR" if i % 7 == 0 else "INFO"
            j = {"timestamp": ts, "message": json.dumps({"level": level, "latency": i, "user": {"id": i % 5}})}
            d = {"timestamp": ts + 1, "message": f"10.0.{i % 3}.{i % 250} GET /x {404 if i % 11 == 0 else 200} {i}"}
            w = {"timestamp": ts + 2, "message": f"web {i} {'ERROR failed' if i % 13 == 0 else 'fine'}"}
            batches["app-1"].append(j)
            batches["app-2"].append(d)
            batches["web"].append(w)
            if level == "ERROR":
                expected["term"].append(j["message"])
                expected["prefix"].append(j["message"])
                if i > 100 and i % 5 == 1:
                    expected["json"].append(j["message"])
            if i % 11 == 0 and i % 3 == 1:
                expected["delimited"].append(d["message"])
            if i % 13 == 0:
                expected["term"].append(w["message"])
                expected["web"].append(w["message"])
            if base + 1000 <= ts <= base + 1500:
                expected["range"].append(j["message"])
        for stream, events in batches.items():
            self.put(g, stream, events)

        cases = [
            ("term", {"filterPattern": "ERROR"}),
            ("json", {"filterPattern": '{ ($.level = "ERROR") && $.latency > 100 && $.user.id = 1 }'}),
            ("delimited", {"filterPattern": "[ip = 10.0.1.*, method, path, status = 404, bytes]"}),
            ("web", {"filterPattern": "ERROR", "logStreamNames": ["web"]}),
            ("prefix", {"filterPattern": "ERROR", "logStreamNamePrefix": "app-"}),
            ("range", {"startTime": base + 1000, "endTime": base + 1500, "logStreamNames": ["app-1"]}),
        ]
        for name, kw in cases:
            with self.subTest(name):
                events, pages = self.filter_all(g, limit=7, **kw)
                self.assertEqual([e["message"] for e in events], expected[name])
                self.assertGreater(pages, 1 if len(expected[name]) > 7 else 0)
                for e in events:
                    self.assertEqual(set(e), {"logStreamName", "timestamp", "message", "ingestionTime", "eventId"})
                    self.assertEqual(len(e["eventId"]), 56)
        # boto3's paginator ends too.
        via_paginator = [e["message"] for p in self.logs.get_paginator("filter_log_events").paginate(
            logGroupName=g, filterPattern="ERROR", PaginationConfig={"PageSize": 5}) for e in p["events"]]
        self.assertEqual(via_paginator, expected["term"])
        self.assertError("InvalidParameterException", self.logs.filter_log_events,
                         logGroupName=g, logStreamNames=["web"], logStreamNamePrefix="w")
        self.assertError("ResourceNotFoundException", self.logs.filter_log_events, logGroupName=g + "-no")

    def test_unparsable_patterns(self):
        g = self.group("badpattern", ["s"])
        for pattern in ['{ $.level = ', '[a, b', '{ $.x IS NOT NULL }', '%a(b)%']:
            with self.subTest(pattern):
                self.assertError("InvalidParameterException", self.logs.filter_log_events,
                                 "Invalid filter pattern", logGroupName=g, filterPattern=pattern)
                self.assertError("InvalidParameterException", self.logs.put_metric_filter, logGroupName=g,
                                 filterName="m", filterPattern=pattern, metricTransformations=[
                                     {"metricName": "M", "metricNamespace": "N", "metricValue": "1"}])
                self.assertError("InvalidParameterException", self.logs.test_metric_filter,
                                 filterPattern=pattern, logEventMessages=["x"])
        self.assertEqual(self.logs.describe_metric_filters(logGroupName=g)["metricFilters"], [])


class TestBadInput(LogsCase):
    """Each refused call stores nothing: the stream stays empty."""

    def test_whole_batch_refusals(self):
        g = self.group("bad", ["s"])
        now = now_ms()
        cases = [
            ("out of order", "InvalidParameterException", "chronological order",
             [{"timestamp": now, "message": "b"}, {"timestamp": now - 1, "message": "a"}]),
            ("over 1 MiB", "InvalidParameterException", "Upload too large",
             [{"timestamp": now, "message": "x" * 1000} for _ in range(1024)]),
            ("over 10,000 events", None, None, [{"timestamp": now, "message": "x"} for _ in range(10001)]),
            ("span over 24 h", "InvalidParameterException", "24 hours",
             [{"timestamp": now - 25 * 3600 * 1000, "message": "a"}, {"timestamp": now, "message": "b"}]),
        ]
        for name, code, message, events in cases:
            with self.subTest(name):
                with self.assertRaises(ClientError) as ctx:
                    self.put(g, "s", events)
                got_code, status = common.error_of(ctx.exception)
                self.assertEqual(status, 400)
                if code:
                    self.assertEqual(got_code, code)
                    self.assertIn(message, ctx.exception.response["Error"]["Message"])
                else:  # AWS answers the 10,001st event with a validation error
                    self.assertIn(got_code, ("InvalidParameterException", "ValidationException"))
                self.assertEqual(self.all_events(g, "s"), [], f"{name}: something was stored")
        # Every event too old or too new: 200, all rejected, nothing stored.
        out = self.put(g, "s", [{"timestamp": now - 15 * DAY_MS, "message": "old"},
                                {"timestamp": now + 3 * 3600 * 1000, "message": "new"}])
        self.assertEqual(out["rejectedLogEventsInfo"], {"tooOldLogEventEndIndex": 1, "tooNewLogEventStartIndex": 1})
        self.assertEqual(self.all_events(g, "s"), [])
        desc = self.logs.describe_log_streams(logGroupName=g)["logStreams"][0]
        self.assertNotIn("firstEventTimestamp", desc)
        # The boundary: exactly 1,048,576 bytes (message + 26 each) is accepted.
        self.put(g, "s", [{"timestamp": now, "message": "y" * (1048576 // 1024 - 26)} for _ in range(1024)])
        self.assertEqual(len(self.all_events(g, "s")), 1024)

    def test_retention_expired_events(self):
        g = self.group("expired", ["s"])
        self.logs.put_retention_policy(logGroupName=g, retentionInDays=1)
        now = now_ms()
        out = self.put(g, "s", [{"timestamp": now - 2 * DAY_MS, "message": "expired"},
                                {"timestamp": now, "message": "kept"}])
        self.assertEqual(out["rejectedLogEventsInfo"], {"expiredLogEventEndIndex": 1})
        self.assertEqual([e["message"] for e in self.all_events(g, "s")], ["kept"])
        for days in (0, 2, 4000):
            with self.subTest(days):
                self.assertError("InvalidParameterException", self.logs.put_retention_policy, logGroupName=g, retentionInDays=days)
        self.assertEqual(self.logs.describe_log_groups(logGroupNamePrefix=g)["logGroups"][0]["retentionInDays"], 1)


class TestMetricFiltersAndDestinations(LogsCase):
    def test_metric_filters(self):
        g = self.group("metric")
        tr = lambda v: [{"metricName": "Bytes", "metricNamespace": "Py", "metricValue": v, "defaultValue": 0.0}]
        self.logs.put_metric_filter(logGroupName=g, filterName="b", filterPattern="[ip, status=5*, bytes]", metricTransformations=tr("$bytes"))
        self.logs.put_metric_filter(logGroupName=g, filterName="a", filterPattern="{ $.bytes > 0 }", metricTransformations=tr("$.bytes"))
        self.assertError("ResourceNotFoundException", self.logs.put_metric_filter, logGroupName=g + "-no",
                         filterName="x", filterPattern="x", metricTransformations=tr("1"))
        got = self.logs.describe_metric_filters(logGroupName=g)["metricFilters"]
        self.assertEqual([f["filterName"] for f in got], ["a", "b"])
        self.assertEqual(got[1]["metricTransformations"][0]["metricValue"], "$bytes")
        self.assertEqual([f["filterName"] for f in self.logs.describe_metric_filters(logGroupName=g, filterNamePrefix="b")["metricFilters"]], ["b"])
        self.logs.delete_metric_filter(logGroupName=g, filterName="a")
        self.assertError("ResourceNotFoundException", self.logs.delete_metric_filter, logGroupName=g, filterName="a")
        self.assertEqual([f["filterName"] for f in self.logs.describe_metric_filters(logGroupName=g)["metricFilters"]], ["b"])

        out = self.logs.test_metric_filter(filterPattern="[ip, status=5*, bytes]",
                                           logEventMessages=["1.1.1.1 200 10", "2.2.2.2 503 20", "3.3.3.3 500"])
        self.assertEqual(out["matches"], [{"eventNumber": 2, "eventMessage": "2.2.2.2 503 20",
                                           "extractedValues": {"$ip": "2.2.2.2", "$status": "503", "$bytes": "20"}}])
        out = self.logs.test_metric_filter(filterPattern="{ $.a.b[0] = 1 }",
                                           logEventMessages=['{"a":{"b":[1]}}', '{"a":{"b":[2]}}'])
        self.assertEqual([m["eventNumber"] for m in out["matches"]], [1])

    def test_destinations(self):
        name = "py-dest-" + secrets.token_hex(4)
        target = "arn:aws:kinesis:us-east-1:123456789012:stream/py-dest-target"
        role = "arn:aws:iam::123456789012:role/CWL"
        d = self.logs.put_destination(destinationName=name, targetArn=target, roleArn=role)["destination"]
        self.addCleanup(lambda: self.logs.delete_destination(destinationName=name))
        self.assertEqual((d["destinationName"], d["targetArn"], d["roleArn"]), (name, target, role))
        self.assertTrue(d["arn"].endswith(f":destination:{name}"), d)
        self.assertIn("creationTime", d)
        self.assertError("InvalidParameterException", self.logs.put_destination, destinationName=name + "-x",
                         targetArn="arn:aws:sqs:us-east-1:123456789012:q", roleArn=role)
        policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"},
                                                                     "Action": "logs:PutSubscriptionFilter", "Resource": d["arn"]}]})
        self.logs.put_destination_policy(destinationName=name, accessPolicy=policy)
        self.assertError("ResourceNotFoundException", self.logs.put_destination_policy, destinationName=name + "-no", accessPolicy=policy)
        listed = self.logs.describe_destinations(DestinationNamePrefix=name)["destinations"]
        self.assertEqual([x["destinationName"] for x in listed], [name])
        self.assertEqual(listed[0]["accessPolicy"], policy)
        self.logs.delete_destination(destinationName=name)
        self.assertEqual(self.logs.describe_destinations(DestinationNamePrefix=name)["destinations"], [])
        self.assertError("ResourceNotFoundException", self.logs.delete_destination, destinationName=name)
        self.logs.put_destination(destinationName=name, targetArn=target, roleArn=role)  # for the cleanup


class TestSubscriptions(LogsCase):
    """Subscription filters to a Kinesis stream of the same server."""

    def kinesis_stream(self):
        k = aws_client("kinesis")
        name = "py-logs-sub-" + secrets.token_hex(4)
        k.create_stream(StreamName=name, ShardCount=1)
        self.addCleanup(k.delete_stream, StreamName=name)
        deadline = time.time() + 30
        while True:
            s = k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
            if s["StreamStatus"] == "ACTIVE":
                return k, name, s["StreamARN"]
            self.assertLess(time.time(), deadline, "stream never ACTIVE")
            time.sleep(0.1)

    def test_subscription_filters_limit_and_delivery(self):
        g = self.group("subs", ["eni-a", "eni-b"])
        k, stream, arn = self.kinesis_stream()
        role = "arn:aws:iam::123456789012:role/CWLtoKinesis"
        sub = lambda name, pattern, **kw: self.logs.put_subscription_filter(
            logGroupName=g, filterName=name, filterPattern=pattern, destinationArn=arn, roleArn=role, **kw)
        self.assertError("InvalidParameterException", sub, "Invalid filter pattern", name="bad", pattern="[a, b")
        self.assertError("InvalidParameterException", self.logs.put_subscription_filter,
                         "Could not deliver test message to specified Kinesis stream",
                         logGroupName=g, filterName="gone", filterPattern="", destinationArn=arn + "-missing", roleArn=role)
        self.assertEqual(self.logs.describe_subscription_filters(logGroupName=g)["subscriptionFilters"], [])
        sub("errors", "ERROR")
        sub("all", "", distribution="Random")
        self.assertError("LimitExceededException", sub, "Resource limit exceeded.", name="third", pattern="x")
        sub("errors", "ERROR -ignore")  # same name updates
        got = self.logs.describe_subscription_filters(logGroupName=g)["subscriptionFilters"]
        self.assertEqual([(f["filterName"], f["filterPattern"], f["distribution"]) for f in got],
                         [("all", "", "Random"), ("errors", "ERROR -ignore", "ByLogStream")])
        self.assertEqual([f["filterName"] for f in self.logs.describe_subscription_filters(logGroupName=g, filterNamePrefix="e")["subscriptionFilters"]], ["errors"])
        self.logs.delete_subscription_filter(logGroupName=g, filterName="all")
        self.assertError("ResourceNotFoundException", self.logs.delete_subscription_filter, logGroupName=g, filterName="all")

        now = now_ms()
        self.put(g, "eni-a", [{"timestamp": now, "message": "ERROR one"}, {"timestamp": now + 1, "message": "ok"},
                              {"timestamp": now + 2, "message": "ERROR ignore me"}, {"timestamp": now + 3, "message": "ERROR two"}])
        self.put(g, "eni-b", [{"timestamp": now + 4, "message": "ERROR three"}])
        it = k.get_shard_iterator(StreamName=stream, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        by_stream, controls, deadline = {}, 0, time.time() + 30
        while sum(len(v) for v in by_stream.values()) < 3 and time.time() < deadline:
            out = k.get_records(ShardIterator=it)
            it = out["NextShardIterator"]
            for r in out["Records"]:
                msg = json.loads(gzip.decompress(r["Data"]))
                if msg["messageType"] == "CONTROL_MESSAGE":
                    controls += 1
                    self.assertEqual(msg["owner"], "CloudwatchLogs")
                    continue
                self.assertEqual(msg["messageType"], "DATA_MESSAGE")
                self.assertEqual((msg["logGroup"], msg["subscriptionFilters"]), (g, ["errors"]))
                by_stream.setdefault(msg["logStream"], []).extend(e["message"] for e in msg["logEvents"])
            time.sleep(0.1)
        self.assertEqual(by_stream, {"eni-a": ["ERROR one", "ERROR two"], "eni-b": ["ERROR three"]})
        self.assertGreaterEqual(controls, 2)


if __name__ == "__main__":
    unittest.main()
