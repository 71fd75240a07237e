"""boto3 against Tributary's Kinesis Data Streams: every operation of issue 4,
the PutRecords answer shape, the bad inputs of its "done means" (the AWS error
code, and nothing stored), StreamARN addressing and paging.

Run from Go by TestBoto3 (e2e/python_test.go), or by hand:
``TRIBUTARY_ENDPOINT=http://127.0.0.1:4566 python3 -m unittest -v test_kinesis``.
"""

import datetime
import hashlib
import re
import secrets
import time
import unittest

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

import common

MAX_HASH = 2**128 - 1
MIB = 1024 * 1024


def kinesis(retries=False):
    """A boto3 Kinesis client; without retries, so an error is seen as answered."""
    # A server that hangs fails the test in seconds, not botocore's default minute.
    cfg = Config(read_timeout=20, connect_timeout=5, retries={"total_max_attempts": 1 if not retries else 3})
    return boto3.session.Session().client(
        "kinesis", endpoint_url=common.ENDPOINT, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test", config=cfg)


def unique_stream(prefix):
    return f"py-{prefix}-{secrets.token_hex(4)}"


def hash_of(key):
    return int.from_bytes(hashlib.md5(key.encode()).digest(), "big")


def even_ranges(n):
    step = 2**128 // n
    return [(i * step, MAX_HASH if i == n - 1 else (i + 1) * step - 1) for i in range(n)]


def is_open(shard):
    return "EndingSequenceNumber" not in shard["SequenceNumberRange"]


def shard_for_hash(shards, h):
    for s in shards:
        r = s["HashKeyRange"]
        if is_open(s) and int(r["StartingHashKey"]) <= h <= int(r["EndingHashKey"]):
            return s["ShardId"]
    raise AssertionError(f"no open shard holds hash {h}")


class KinesisCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.k = kinesis()

    def assertError(self, code, call, **kwargs):
        with self.assertRaises(ClientError) as ctx:
            call(**kwargs)
        got = common.error_of(ctx.exception)
        self.assertEqual(got[0], code, f"{call.__name__}: {ctx.exception}")
        self.assertEqual(got[1], 400, f"{call.__name__}: {ctx.exception}")
        self.assertTrue(ctx.exception.response["Error"].get("Message"), f"{code} without a message")
        return ctx.exception

    def wait_active(self, name, timeout=30):
        deadline = time.time() + timeout
        while True:
            s = self.k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
            if s["StreamStatus"] == "ACTIVE":
                return s
            self.assertIn(s["StreamStatus"], ("CREATING", "UPDATING"))
            self.assertLess(time.time(), deadline, f"{name} still {s['StreamStatus']}")
            time.sleep(0.1)

    def create(self, prefix, shards=1, **kwargs):
        name = unique_stream(prefix)
        if "StreamModeDetails" in kwargs:
            self.k.create_stream(StreamName=name, **kwargs)
        else:
            self.k.create_stream(StreamName=name, ShardCount=shards, **kwargs)
        self.wait_active(name)
        self.addCleanup(self.delete_quietly, name)
        return name

    def delete_quietly(self, name):
        try:
            self.k.delete_stream(StreamName=name, EnforceConsumerDeletion=True)
        except ClientError:
            pass

    def shards(self, name):
        out, token = [], None
        while True:
            page = self.k.list_shards(NextToken=token) if token else self.k.list_shards(StreamName=name)
            out += page["Shards"]
            token = page.get("NextToken")
            if not token:
                return out

    def read_shard(self, name, shard_id, iterator_type="TRIM_HORIZON", **kwargs):
        """All records of a shard from a position; (records, last answer)."""
        it = self.k.get_shard_iterator(StreamName=name, ShardId=shard_id, ShardIteratorType=iterator_type, **kwargs)["ShardIterator"]
        records = []
        for _ in range(100):
            out = self.k.get_records(ShardIterator=it, Limit=10000)
            records += out["Records"]
            if not out["Records"] and out.get("MillisBehindLatest", 0) == 0 or "NextShardIterator" not in out:
                return records, out
            it = out["NextShardIterator"]
        self.fail(f"{shard_id}: no end after 100 GetRecords")

    def read_all(self, name):
        return {s["ShardId"]: self.read_shard(name, s["ShardId"])[0] for s in self.shards(name)}


class Streams(KinesisCase):
    def test_create_describe_list_delete(self):
        name = unique_stream("life")
        self.k.create_stream(StreamName=name, ShardCount=3)
        first = self.k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertIn(first["StreamStatus"], ("CREATING", "ACTIVE"))
        summary = self.wait_active(name)
        self.assertRegex(summary["StreamARN"], rf"^arn:aws:kinesis:us-east-1:\d{{12}}:stream/{name}$")
        self.assertEqual(summary["OpenShardCount"], 3)
        self.assertEqual(summary["RetentionPeriodHours"], 24)
        self.assertEqual(summary["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
        self.assertEqual(summary["EncryptionType"], "NONE")
        self.assertIsInstance(summary["StreamCreationTimestamp"], datetime.datetime)

        desc = self.k.describe_stream(StreamName=name)["StreamDescription"]
        self.assertEqual(desc["StreamStatus"], "ACTIVE")
        self.assertFalse(desc["HasMoreShards"])
        self.assertEqual([s["ShardId"] for s in desc["Shards"]], [f"shardId-00000000000{i}" for i in range(3)])
        for s, (lo, hi) in zip(desc["Shards"], even_ranges(3)):
            self.assertEqual((int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"])), (lo, hi))
            self.assertTrue(s["SequenceNumberRange"]["StartingSequenceNumber"].isdigit())
            self.assertTrue(is_open(s))
            self.assertNotIn("ParentShardId", s)

        self.assertError("ResourceInUseException", self.k.create_stream, StreamName=name, ShardCount=1)
        names = self.k.list_streams()["StreamNames"]
        self.assertIn(name, names)
        summaries = {s["StreamName"]: s for s in self.k.list_streams().get("StreamSummaries", [])}
        self.assertEqual(summaries[name]["StreamARN"], summary["StreamARN"])

        self.k.delete_stream(StreamName=name)
        deadline = time.time() + 30
        while True:
            try:
                s = self.k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
                self.assertEqual(s["StreamStatus"], "DELETING")
            except ClientError as e:
                self.assertEqual(common.error_of(e), ("ResourceNotFoundException", 400))
                break
            self.assertLess(time.time(), deadline)
            time.sleep(0.1)
        self.assertNotIn(name, self.k.list_streams()["StreamNames"])
        self.assertError("ResourceNotFoundException", self.k.delete_stream, StreamName=name)

    def test_on_demand_and_mode_switch(self):
        name = self.create("ondemand", StreamModeDetails={"StreamMode": "ON_DEMAND"})
        s = self.k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]
        self.assertEqual(s["StreamModeDetails"], {"StreamMode": "ON_DEMAND"})
        self.assertGreaterEqual(s["OpenShardCount"], 1)
        shard = self.shards(name)[0]
        mid = (int(shard["HashKeyRange"]["StartingHashKey"]) + int(shard["HashKeyRange"]["EndingHashKey"])) // 2
        self.assertError("ValidationException", self.k.split_shard, StreamName=name, ShardToSplit=shard["ShardId"], NewStartingHashKey=str(mid))
        self.assertEqual(len(self.shards(name)), s["OpenShardCount"])
        self.k.update_stream_mode(StreamARN=s["StreamARN"], StreamModeDetails={"StreamMode": "PROVISIONED"})
        after = self.wait_active(name)
        self.assertEqual(after["StreamModeDetails"], {"StreamMode": "PROVISIONED"})
        self.assertEqual(after["OpenShardCount"], s["OpenShardCount"])

    def test_retention(self):
        name = self.create("retention")
        self.k.increase_stream_retention_period(StreamName=name, RetentionPeriodHours=48)
        self.assertEqual(self.wait_active(name)["RetentionPeriodHours"], 48)
        self.assertError("InvalidArgumentException", self.k.increase_stream_retention_period, StreamName=name, RetentionPeriodHours=30)
        self.assertError("InvalidArgumentException", self.k.increase_stream_retention_period, StreamName=name, RetentionPeriodHours=8761)
        self.assertError("InvalidArgumentException", self.k.decrease_stream_retention_period, StreamName=name, RetentionPeriodHours=72)
        self.assertError("InvalidArgumentException", self.k.decrease_stream_retention_period, StreamName=name, RetentionPeriodHours=23)
        self.assertEqual(self.wait_active(name)["RetentionPeriodHours"], 48)
        self.k.decrease_stream_retention_period(StreamName=name, RetentionPeriodHours=24)
        self.assertEqual(self.wait_active(name)["RetentionPeriodHours"], 24)

    def test_limits_monitoring_encryption(self):
        name = self.create("settings", shards=2)
        limits = self.k.describe_limits()
        self.assertGreater(limits["ShardLimit"], 0)
        self.assertGreaterEqual(limits["OpenShardCount"], 2)
        self.assertIn("OnDemandStreamCountLimit", limits)
        self.assertIn("OnDemandStreamCount", limits)

        out = self.k.enable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes", "OutgoingRecords"])
        self.assertEqual(out["StreamName"], name)
        self.assertEqual(out["CurrentShardLevelMetrics"], [])
        self.assertEqual(sorted(out["DesiredShardLevelMetrics"]), ["IncomingBytes", "OutgoingRecords"])
        s = self.wait_active(name)
        self.assertEqual(sorted(s["EnhancedMonitoring"][0]["ShardLevelMetrics"]), ["IncomingBytes", "OutgoingRecords"])
        out = self.k.disable_enhanced_monitoring(StreamName=name, ShardLevelMetrics=["IncomingBytes"])
        self.assertEqual(out["DesiredShardLevelMetrics"], ["OutgoingRecords"])
        s = self.wait_active(name)
        self.assertEqual(s["EnhancedMonitoring"][0]["ShardLevelMetrics"], ["OutgoingRecords"])

        self.k.start_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
        s = self.wait_active(name)
        self.assertEqual((s["EncryptionType"], s.get("KeyId")), ("KMS", "alias/aws/kinesis"))
        self.k.put_record(StreamName=name, Data=b"encrypted", PartitionKey="k")
        records = [r for rs in self.read_all(name).values() for r in rs]
        self.assertEqual([r["Data"] for r in records], [b"encrypted"])
        self.assertEqual(records[0].get("EncryptionType"), "KMS")
        self.k.stop_stream_encryption(StreamName=name, EncryptionType="KMS", KeyId="alias/aws/kinesis")
        self.assertEqual(self.wait_active(name)["EncryptionType"], "NONE")

    def test_max_record_size(self):
        name = self.create("maxsize")
        arn = self.k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        big = b"x" * (1024 * 1024 + 1)
        self.assertError("InvalidArgumentException", self.k.put_record, StreamName=name, Data=big, PartitionKey="k")
        self.k.update_max_record_size(StreamARN=arn, MaxRecordSizeInKiB=2048)
        s = self.wait_active(name)
        self.assertEqual(s["MaxRecordSizeInKiB"], 2048)
        self.k.put_record(StreamName=name, Data=big, PartitionKey="k")
        records = [r for rs in self.read_all(name).values() for r in rs]
        self.assertEqual([len(r["Data"]) for r in records], [len(big)])

    def test_tags(self):
        name = self.create("tags")
        arn = self.k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        self.k.add_tags_to_stream(StreamName=name, Tags={"team": "data", "env": "test", "cost": "1"})
        out = self.k.list_tags_for_stream(StreamName=name)
        self.assertEqual({t["Key"]: t["Value"] for t in out["Tags"]}, {"team": "data", "env": "test", "cost": "1"})
        self.assertFalse(out["HasMoreTags"])
        page = self.k.list_tags_for_stream(StreamName=name, Limit=1)
        self.assertEqual(len(page["Tags"]), 1)
        self.assertTrue(page["HasMoreTags"])
        rest = self.k.list_tags_for_stream(StreamName=name, ExclusiveStartTagKey=page["Tags"][0]["Key"])
        self.assertEqual(len(rest["Tags"]), 2)
        self.assertNotIn(page["Tags"][0]["Key"], [t["Key"] for t in rest["Tags"]])
        self.k.remove_tags_from_stream(StreamName=name, TagKeys=["cost"])
        self.k.tag_resource(ResourceARN=arn, Tags={"owner": "me"})
        self.k.untag_resource(ResourceARN=arn, TagKeys=["env"])
        tags = self.k.list_tags_for_resource(ResourceARN=arn)["Tags"]
        self.assertEqual({t["Key"]: t["Value"] for t in tags}, {"team": "data", "owner": "me"})
        self.assertError("ResourceNotFoundException", self.k.add_tags_to_stream, StreamName=unique_stream("none"), Tags={"a": "b"})


class Records(KinesisCase):
    def test_put_and_get_round_trip(self):
        name = self.create("rt", shards=2)
        shards = self.shards(name)
        last_seq = {}
        for i in range(6):
            key = f"key-{i}"
            out = self.k.put_record(StreamName=name, Data=f"record {i}".encode(), PartitionKey=key)
            self.assertEqual(out["ShardId"], shard_for_hash(shards, hash_of(key)), key)
            seq = out["SequenceNumber"]
            self.assertRegex(seq, r"^[1-9]\d{55}$", "56-digit sequence number")
            if out["ShardId"] in last_seq:
                self.assertGreater(int(seq), int(last_seq[out["ShardId"]]))
            last_seq[out["ShardId"]] = seq
        batch = [{"Data": bytes([i]) * (i + 1), "PartitionKey": f"batch-{i}"} for i in range(20)]
        out = self.k.put_records(StreamName=name, Records=batch)
        self.assertEqual(out["FailedRecordCount"], 0)
        self.assertEqual(len(out["Records"]), 20)
        for entry, rec in zip(out["Records"], batch):
            self.assertEqual(set(entry) - {"EncryptionType"}, {"SequenceNumber", "ShardId"})
            self.assertEqual(entry["ShardId"], shard_for_hash(shards, hash_of(rec["PartitionKey"])))

        by_shard = self.read_all(name)
        self.assertEqual(sum(len(v) for v in by_shard.values()), 26)
        written = {f"key-{i}": f"record {i}".encode() for i in range(6)}
        written.update({r["PartitionKey"]: r["Data"] for r in batch})
        for shard_id, records in by_shard.items():
            seqs = [int(r["SequenceNumber"]) for r in records]
            self.assertEqual(seqs, sorted(set(seqs)), f"{shard_id}: sequence numbers not strictly increasing")
            for r in records:
                self.assertEqual(r["Data"], written[r["PartitionKey"]])
                self.assertEqual(shard_for_hash(shards, hash_of(r["PartitionKey"])), shard_id)
                self.assertIsInstance(r["ApproximateArrivalTimestamp"], datetime.datetime)
        _, last = self.read_shard(name, shards[0]["ShardId"])
        self.assertEqual(last["MillisBehindLatest"], 0)
        self.assertIn("NextShardIterator", last)

    def test_explicit_hash_key_and_ordering(self):
        name = self.create("ehk", shards=4)
        shards = self.shards(name)
        for h in (0, MAX_HASH, even_ranges(4)[2][0], even_ranges(4)[2][0] - 1):
            out = self.k.put_record(StreamName=name, Data=b"x", PartitionKey="ignored", ExplicitHashKey=str(h))
            self.assertEqual(out["ShardId"], shard_for_hash(shards, h), h)
        first = self.k.put_record(StreamName=name, Data=b"a", PartitionKey="same")
        second = self.k.put_record(StreamName=name, Data=b"b", PartitionKey="same", SequenceNumberForOrdering=first["SequenceNumber"])
        self.assertEqual(first["ShardId"], second["ShardId"])
        self.assertGreater(int(second["SequenceNumber"]), int(first["SequenceNumber"]))

    def test_iterator_types(self):
        name = self.create("iter", shards=2)
        shard = "shardId-000000000000"
        low = str(even_ranges(2)[0][0] + 5)
        seqs, times = [], []
        for i in range(5):
            out = self.k.put_record(StreamName=name, Data=f"r{i}".encode(), PartitionKey="p", ExplicitHashKey=low)
            self.assertEqual(out["ShardId"], shard)
            seqs.append(out["SequenceNumber"])
            # botocore sends timestamps in whole seconds: r3 arrives more than a second after r2, so
            # AT_TIMESTAMP of r3's (truncated) arrival starts at r3
            time.sleep(1.1 if i == 2 else 0.05)
        records, _ = self.read_shard(name, shard)
        self.assertEqual([r["Data"] for r in records], [f"r{i}".encode() for i in range(5)])
        times = [r["ApproximateArrivalTimestamp"] for r in records]

        def data(records):
            return [r["Data"] for r in records]
        at, _ = self.read_shard(name, shard, "AT_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2])
        self.assertEqual(data(at), [b"r2", b"r3", b"r4"])
        after, _ = self.read_shard(name, shard, "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2])
        self.assertEqual(data(after), [b"r3", b"r4"])
        ts, _ = self.read_shard(name, shard, "AT_TIMESTAMP", Timestamp=times[3])
        self.assertEqual(data(ts), [b"r3", b"r4"])
        old, _ = self.read_shard(name, shard, "AT_TIMESTAMP", Timestamp=times[0] - datetime.timedelta(days=1))
        self.assertEqual(len(old), 5)
        future, _ = self.read_shard(name, shard, "AT_TIMESTAMP", Timestamp=times[4] + datetime.timedelta(hours=1))
        self.assertEqual(future, [])

        latest = self.k.get_shard_iterator(StreamName=name, ShardId=shard, ShardIteratorType="LATEST")["ShardIterator"]
        out = self.k.get_records(ShardIterator=latest)
        self.assertEqual(out["Records"], [])
        self.assertIn("NextShardIterator", out)
        self.k.put_record(StreamName=name, Data=b"r5", PartitionKey="p", ExplicitHashKey=low)
        out = self.k.get_records(ShardIterator=out["NextShardIterator"])
        self.assertEqual(data(out["Records"]), [b"r5"])
        # the first iterator, taken before r5, is still good (iterators last 5 minutes)
        self.assertEqual(data(self.k.get_records(ShardIterator=latest)["Records"]), [b"r5"])

        other = self.k.put_record(StreamName=name, Data=b"o", PartitionKey="p", ExplicitHashKey=str(MAX_HASH))
        self.assertEqual(other["ShardId"], "shardId-000000000001")
        self.assertError("InvalidArgumentException", self.k.get_shard_iterator, StreamName=name, ShardId=shard,
                         ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=other["SequenceNumber"])
        self.assertError("ResourceNotFoundException", self.k.get_shard_iterator, StreamName=name, ShardId="shardId-000000000009",
                         ShardIteratorType="TRIM_HORIZON")

    def test_bad_input_stores_nothing(self):
        name = self.create("bad", shards=3)
        self.k.put_record(StreamName=name, Data=b"kept", PartitionKey="k")
        shards_before = self.shards(name)

        # record over 1 MiB (data + partition key)
        self.assertError("InvalidArgumentException", self.k.put_record, StreamName=name, Data=b"x" * MIB, PartitionKey="k")
        self.assertError("InvalidArgumentException", self.k.put_records, StreamName=name,
                         Records=[{"Data": b"ok", "PartitionKey": "a"}, {"Data": b"x" * (MIB + 1), "PartitionKey": "b"}])
        # 501 records
        self.assertError("ValidationException", self.k.put_records, StreamName=name,
                         Records=[{"Data": b"r", "PartitionKey": str(i)} for i in range(501)])
        # unknown stream
        missing = unique_stream("missing")
        self.assertError("ResourceNotFoundException", self.k.put_record, StreamName=missing, Data=b"x", PartitionKey="k")
        self.assertError("ResourceNotFoundException", self.k.put_records, StreamName=missing, Records=[{"Data": b"x", "PartitionKey": "k"}])
        self.assertError("ResourceNotFoundException", self.k.describe_stream, StreamName=missing)
        self.assertError("ResourceNotFoundException", self.k.get_shard_iterator, StreamName=missing, ShardId="shardId-000000000000", ShardIteratorType="LATEST")
        # malformed and forged iterators
        self.assertError("InvalidArgumentException", self.k.get_records, ShardIterator="not-an-iterator")
        good = self.k.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        i = len(good) // 2
        forged = good[:i] + ("A" if good[i] != "A" else "B") + good[i + 1:]
        self.assertError("InvalidArgumentException", self.k.get_records, ShardIterator=forged)
        # hash key out of range
        self.assertError("InvalidArgumentException", self.k.put_record, StreamName=name, Data=b"x", PartitionKey="k", ExplicitHashKey=str(2**128))
        # illegal split keys: the shard's own start, start+1 and its end
        first = shards_before[0]
        lo, hi = int(first["HashKeyRange"]["StartingHashKey"]), int(first["HashKeyRange"]["EndingHashKey"])
        for key in (lo, lo + 1, hi + 1):
            self.assertError("InvalidArgumentException", self.k.split_shard, StreamName=name, ShardToSplit=first["ShardId"], NewStartingHashKey=str(key))
        # merging shards that are not adjacent
        self.assertError("InvalidArgumentException", self.k.merge_shards, StreamName=name,
                         ShardToMerge="shardId-000000000000", AdjacentShardToMerge="shardId-000000000002")

        self.assertEqual(self.wait_active(name)["OpenShardCount"], 3)
        self.assertEqual(self.shards(name), shards_before)
        records = [r for rs in self.read_all(name).values() for r in rs]
        self.assertEqual([r["Data"] for r in records], [b"kept"])

    def test_put_records_answer_shape(self):
        name = self.create("shape", shards=2)
        out = self.k.put_records(StreamName=name, Records=[{"Data": b"", "PartitionKey": "empty"}, {"Data": b"\x00\xff", "PartitionKey": "bin"}])
        self.assertEqual(set(out) - {"ResponseMetadata", "EncryptionType"}, {"FailedRecordCount", "Records"})
        self.assertEqual(out["FailedRecordCount"], 0)
        self.assertEqual(len(out["Records"]), 2)
        for entry in out["Records"]:
            self.assertNotIn("ErrorCode", entry)
            self.assertRegex(entry["ShardId"], r"^shardId-\d{12}$")
        data = sorted(r["Data"] for rs in self.read_all(name).values() for r in rs)
        self.assertEqual(data, [b"", b"\x00\xff"])


class Resharding(KinesisCase):
    def test_split_merge_update_shard_count(self):
        name = self.create("reshard", shards=2)
        before = self.k.put_record(StreamName=name, Data=b"before", PartitionKey="p", ExplicitHashKey="1")
        self.assertEqual(before["ShardId"], "shardId-000000000000")
        lo, hi = even_ranges(2)[0]
        mid = (lo + hi + 1) // 2
        self.k.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(mid))
        self.assertEqual(self.k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamStatus"], "UPDATING")
        self.assertError("ResourceInUseException", self.k.merge_shards, StreamName=name,
                         ShardToMerge="shardId-000000000000", AdjacentShardToMerge="shardId-000000000001")
        self.wait_active(name)
        shards = {s["ShardId"]: s for s in self.shards(name)}
        self.assertEqual(set(shards), {f"shardId-00000000000{i}" for i in range(4)})
        self.assertFalse(is_open(shards["shardId-000000000000"]))
        for child, (c_lo, c_hi) in (("shardId-000000000002", (lo, mid - 1)), ("shardId-000000000003", (mid, hi))):
            s = shards[child]
            self.assertEqual(s["ParentShardId"], "shardId-000000000000")
            self.assertEqual((int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"])), (c_lo, c_hi))
        open_only = self.k.list_shards(StreamName=name, ShardFilter={"Type": "AT_LATEST"})["Shards"]
        self.assertEqual(sorted(s["ShardId"] for s in open_only), ["shardId-000000000001", "shardId-000000000002", "shardId-000000000003"])

        after = self.k.put_record(StreamName=name, Data=b"after", PartitionKey="p", ExplicitHashKey="1")
        self.assertEqual(after["ShardId"], "shardId-000000000002")
        parent, last = self.read_shard(name, "shardId-000000000000")
        self.assertEqual([r["Data"] for r in parent], [b"before"])
        self.assertNotIn("NextShardIterator", last)
        self.assertEqual(sorted(c["ShardId"] for c in last["ChildShards"]), ["shardId-000000000002", "shardId-000000000003"])
        for c in last["ChildShards"]:
            self.assertEqual(c["ParentShards"], ["shardId-000000000000"])

        self.k.merge_shards(StreamName=name, ShardToMerge="shardId-000000000002", AdjacentShardToMerge="shardId-000000000003")
        self.wait_active(name)
        merged = {s["ShardId"]: s for s in self.shards(name)}["shardId-000000000004"]
        self.assertEqual(merged["ParentShardId"], "shardId-000000000002")
        self.assertEqual(merged["AdjacentParentShardId"], "shardId-000000000003")
        self.assertEqual((int(merged["HashKeyRange"]["StartingHashKey"]), int(merged["HashKeyRange"]["EndingHashKey"])), (lo, hi))
        self.assertEqual(self.k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["OpenShardCount"], 2)

        out = self.k.update_shard_count(StreamName=name, TargetShardCount=4, ScalingType="UNIFORM_SCALING")
        self.assertEqual((out["CurrentShardCount"], out["TargetShardCount"]), (2, 4))
        self.assertError("ResourceInUseException", self.k.update_shard_count, StreamName=name, TargetShardCount=2, ScalingType="UNIFORM_SCALING")
        self.wait_active(name)
        open_shards = [s for s in self.shards(name) if is_open(s)]
        ranges = sorted((int(s["HashKeyRange"]["StartingHashKey"]), int(s["HashKeyRange"]["EndingHashKey"])) for s in open_shards)
        self.assertEqual(ranges, even_ranges(4))
        for s in self.shards(name):
            parents = [p for p in (s.get("ParentShardId"), s.get("AdjacentParentShardId")) if p]
            self.assertLessEqual(len(parents), 2)
        self.assertError("LimitExceededException", self.k.update_shard_count, StreamName=name, TargetShardCount=9, ScalingType="UNIFORM_SCALING")
        # every record is still readable once, across the lineage
        data = sorted(r["Data"] for rs in self.read_all(name).values() for r in rs)
        self.assertEqual(data, [b"after", b"before"])


class Paging(KinesisCase):
    def test_list_shards_pages(self):
        name = self.create("pages", shards=5)
        page = self.k.list_shards(StreamName=name, MaxResults=2)
        got = [s["ShardId"] for s in page["Shards"]]
        self.assertEqual(len(got), 2)
        self.assertIn("NextToken", page)
        self.assertError("InvalidArgumentException", self.k.list_shards, StreamName=name, NextToken=page["NextToken"])
        while "NextToken" in page:
            page = self.k.list_shards(NextToken=page["NextToken"], MaxResults=2)
            got += [s["ShardId"] for s in page["Shards"]]
        self.assertEqual(got, [f"shardId-00000000000{i}" for i in range(5)])
        after = self.k.list_shards(StreamName=name, ExclusiveStartShardId="shardId-000000000002")["Shards"]
        self.assertEqual([s["ShardId"] for s in after], ["shardId-000000000003", "shardId-000000000004"])

    def test_describe_stream_pages(self):
        name = self.create("dpages", shards=5)
        desc = self.k.describe_stream(StreamName=name, Limit=2)["StreamDescription"]
        got = [s["ShardId"] for s in desc["Shards"]]
        self.assertTrue(desc["HasMoreShards"])
        while desc["HasMoreShards"]:
            desc = self.k.describe_stream(StreamName=name, Limit=2, ExclusiveStartShardId=got[-1])["StreamDescription"]
            got += [s["ShardId"] for s in desc["Shards"]]
        self.assertEqual(got, [f"shardId-00000000000{i}" for i in range(5)])

    def test_list_streams_pages(self):
        prefix = unique_stream("ls")
        names = [f"{prefix}-{i}" for i in range(3)]
        for n in names:
            self.k.create_stream(StreamName=n, ShardCount=1)
            self.addCleanup(self.delete_quietly, n)
        # ExclusiveStartStreamName paging from just before our names, one at a time
        seen, start = [], prefix
        for _ in range(10):
            out = self.k.list_streams(Limit=1, ExclusiveStartStreamName=start)
            self.assertLessEqual(len(out["StreamNames"]), 1)
            if not out["StreamNames"] or not out["StreamNames"][0].startswith(prefix):
                break
            seen.append(out["StreamNames"][0])
            start = seen[-1]
        self.assertEqual(seen, names)
        # NextToken paging over everything
        everything, out = [], self.k.list_streams(Limit=2)
        everything += out["StreamNames"]
        for _ in range(1000):
            if not out["HasMoreStreams"]:
                break
            out = self.k.list_streams(NextToken=out["NextToken"], Limit=2)
            everything += out["StreamNames"]
        self.assertEqual(everything, sorted(everything))
        for n in names:
            self.assertIn(n, everything)


class Addressing(KinesisCase):
    def test_stream_arn_everywhere(self):
        name = self.create("arn", shards=2)
        arn = self.k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        self.assertEqual(self.k.describe_stream_summary(StreamARN=arn)["StreamDescriptionSummary"]["StreamName"], name)
        self.assertEqual(self.k.describe_stream(StreamARN=arn)["StreamDescription"]["StreamName"], name)
        put = self.k.put_record(StreamARN=arn, Data=b"by-arn", PartitionKey="k")
        self.assertEqual(self.k.put_records(StreamARN=arn, Records=[{"Data": b"batch-by-arn", "PartitionKey": "k"}])["FailedRecordCount"], 0)
        shards = self.k.list_shards(StreamARN=arn)["Shards"]
        self.assertEqual(len(shards), 2)
        it = self.k.get_shard_iterator(StreamARN=arn, ShardId=put["ShardId"], ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        out = self.k.get_records(StreamARN=arn, ShardIterator=it)
        self.assertEqual([r["Data"] for r in out["Records"]], [b"by-arn", b"batch-by-arn"])
        self.k.add_tags_to_stream(StreamARN=arn, Tags={"by": "arn"})
        self.assertEqual(self.k.list_tags_for_stream(StreamARN=arn)["Tags"], [{"Key": "by", "Value": "arn"}])
        self.k.increase_stream_retention_period(StreamARN=arn, RetentionPeriodHours=25)
        self.assertEqual(self.wait_active(name)["RetentionPeriodHours"], 25)
        self.k.enable_enhanced_monitoring(StreamARN=arn, ShardLevelMetrics=["ALL"])
        self.wait_active(name)
        other = re.sub(r"stream/.*$", "stream/" + unique_stream("nope"), arn)
        self.assertError("ResourceNotFoundException", self.k.describe_stream_summary, StreamARN=other)
        self.k.delete_stream(StreamARN=arn)
        deadline = time.time() + 30
        while name in self.k.list_streams()["StreamNames"]:
            self.assertLess(time.time(), deadline)
            time.sleep(0.1)


class Consumers(KinesisCase):
    def wait_consumer(self, arn, status="ACTIVE", timeout=30):
        deadline = time.time() + timeout
        while True:
            d = self.k.describe_stream_consumer(ConsumerARN=arn)["ConsumerDescription"]
            if d["ConsumerStatus"] == status:
                return d
            self.assertLess(time.time(), deadline, f"consumer still {d['ConsumerStatus']}")
            time.sleep(0.1)

    def test_consumer_lifecycle(self):
        name = self.create("consumers")
        stream_arn = self.k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        reg = self.k.register_stream_consumer(StreamARN=stream_arn, ConsumerName="reader")["Consumer"]
        self.assertEqual(reg["ConsumerName"], "reader")
        self.assertRegex(reg["ConsumerARN"], "^" + re.escape(stream_arn) + r"/consumer/reader:\d+$")
        self.assertIn(reg["ConsumerStatus"], ("CREATING", "ACTIVE"))
        d = self.wait_consumer(reg["ConsumerARN"])
        self.assertEqual(d["StreamARN"], stream_arn)
        by_name = self.k.describe_stream_consumer(StreamARN=stream_arn, ConsumerName="reader")["ConsumerDescription"]
        self.assertEqual(by_name["ConsumerARN"], reg["ConsumerARN"])
        self.assertError("ResourceInUseException", self.k.register_stream_consumer, StreamARN=stream_arn, ConsumerName="reader")
        listed = self.k.list_stream_consumers(StreamARN=stream_arn)["Consumers"]
        self.assertEqual([(c["ConsumerName"], c["ConsumerStatus"]) for c in listed], [("reader", "ACTIVE")])
        self.assertError("ResourceInUseException", self.k.delete_stream, StreamName=name)

        self.k.deregister_stream_consumer(ConsumerARN=reg["ConsumerARN"])
        deadline = time.time() + 30
        while True:
            try:
                d = self.k.describe_stream_consumer(ConsumerARN=reg["ConsumerARN"])["ConsumerDescription"]
                self.assertEqual(d["ConsumerStatus"], "DELETING")
            except ClientError as e:
                self.assertEqual(common.error_of(e), ("ResourceNotFoundException", 400))
                break
            self.assertLess(time.time(), deadline)
            time.sleep(0.1)
        self.assertEqual(self.k.list_stream_consumers(StreamARN=stream_arn)["Consumers"], [])

        again = self.k.register_stream_consumer(StreamARN=stream_arn, ConsumerName="second")["Consumer"]
        self.wait_consumer(again["ConsumerARN"])
        self.k.delete_stream(StreamName=name, EnforceConsumerDeletion=True)

    def test_subscribe_to_shard(self):
        name = self.create("subscribe")
        stream_arn = self.k.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
        arn = self.k.register_stream_consumer(StreamARN=stream_arn, ConsumerName="efo")["Consumer"]["ConsumerARN"]
        self.wait_consumer(arn)
        self.k.put_record(StreamName=name, Data=b"before", PartitionKey="k")
        out = kinesis().subscribe_to_shard(ConsumerARN=arn, ShardId="shardId-000000000000",
                                           StartingPosition={"Type": "TRIM_HORIZON"})
        stream = out["EventStream"]
        got = []
        deadline = time.time() + 20
        try:
            for event in stream:
                self.assertIn("SubscribeToShardEvent", event)
                ev = event["SubscribeToShardEvent"]
                self.assertIn("ContinuationSequenceNumber", ev)
                self.assertIn("MillisBehindLatest", ev)
                got += [r["Data"] for r in ev["Records"]]
                if got == [b"before"]:
                    self.k.put_record(StreamName=name, Data=b"pushed", PartitionKey="k")
                if len(got) >= 2 or time.time() > deadline:
                    break
        finally:
            stream.close()
        self.assertEqual(got, [b"before", b"pushed"])
        self.assertError("ResourceNotFoundException", self.k.subscribe_to_shard, ConsumerARN=arn.replace("/consumer/efo:", "/consumer/nobody:"),
                         ShardId="shardId-000000000000", StartingPosition={"Type": "LATEST"})


if __name__ == "__main__":
    unittest.main()
