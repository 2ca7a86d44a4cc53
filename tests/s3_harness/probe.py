"""Probe the running S3 harness server for the guarantees a storage backend relies on, and print them.

    bash tests/s3_harness/up.sh
    .venv/bin/python tests/s3_harness/probe.py [--race-rounds N] [--race-writers N]

The endpoint and keys come from the environment (SATUDATA_S3_ENDPOINT, SATUDATA_S3_BUCKET, AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION), or else from .satudata/s3/env written by up.sh. Everything the probe
writes lies under probe/<random>/ in the bucket and is deleted at the end. Each line printed is one observed fact;
the exit code is 0 when every guarantee listed in EXPECTED held, 1 otherwise.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import sys
import threading
import time
import uuid
from pathlib import Path

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ENV_FILE = Path(__file__).resolve().parents[2] / ".satudata" / "s3" / "env"
MiB = 1024 * 1024


def settings() -> dict[str, str]:
    values = {}
    if ENV_FILE.exists():
        for line in ENV_FILE.read_text().splitlines():
            key, sep, value = line.partition("=")
            if sep:
                values[key.strip()] = value.strip()
    names = ["SATUDATA_S3_ENDPOINT", "SATUDATA_S3_BUCKET", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
             "AWS_DEFAULT_REGION"]
    merged = {name: os.environ.get(name) or values.get(name, "") for name in names}
    missing = [name for name, value in merged.items() if not value]
    if missing:
        sys.exit(f"probe: {', '.join(missing)} not set and not in {ENV_FILE}: run `bash tests/s3_harness/up.sh`")
    return merged


def client(cfg: dict[str, str], secret: str | None = None):
    return boto3.client(
        "s3", endpoint_url=cfg["SATUDATA_S3_ENDPOINT"], region_name=cfg["AWS_DEFAULT_REGION"],
        aws_access_key_id=cfg["AWS_ACCESS_KEY_ID"], aws_secret_access_key=secret or cfg["AWS_SECRET_ACCESS_KEY"],
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, max_pool_connections=32))


def code(exc: ClientError) -> str:
    return f"{exc.response['ResponseMetadata'].get('HTTPStatusCode')} {exc.response['Error'].get('Code')}"


def attempt(fn) -> str:
    """'ok' when fn() succeeds, else 'HTTP-status ErrorCode'."""
    try:
        fn()
        return "ok"
    except ClientError as exc:
        return code(exc)


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


class Probe:
    def __init__(self, cfg: dict[str, str]):
        self.cfg = cfg
        self.s3 = client(cfg)
        self.bucket = cfg["SATUDATA_S3_BUCKET"]
        self.prefix = f"probe/{uuid.uuid4().hex}/"
        self.facts: dict[str, object] = {}

    def fact(self, name: str, value: object) -> None:
        self.facts[name] = value
        print(f"{name:<48} {value}")

    def put(self, key: str, body: bytes, **kw):
        return self.s3.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=body, **kw)

    def get(self, key: str, **kw) -> bytes:
        return self.s3.get_object(Bucket=self.bucket, Key=self.prefix + key, **kw)["Body"].read()

    def keys(self, sub: str = "") -> list[str]:
        out = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix + sub):
            out += [o["Key"][len(self.prefix):] for o in page.get("Contents", [])]
        return out

    # ------------------------------------------------------------------ checks
    def basics(self) -> None:
        self.fact("server", self.s3.head_bucket(Bucket=self.bucket)["ResponseMetadata"]["HTTPHeaders"].get("server"))
        self.fact("wrong secret", attempt(lambda: client(self.cfg, "wrong-secret").list_objects_v2(Bucket=self.bucket)))
        self.put("basic/a.csv", b"a,b\n1,2\n")
        self.fact("get after put", self.get("basic/a.csv") == b"a,b\n1,2\n")
        self.fact("list after put has key", "basic/a.csv" in self.keys("basic/"))
        self.put("basic/a.csv", b"overwritten")
        self.fact("plain put overwrites (last writer wins)", self.get("basic/a.csv") == b"overwritten")
        self.s3.delete_object(Bucket=self.bucket, Key=self.prefix + "basic/a.csv")
        self.fact("get after delete", attempt(lambda: self.get("basic/a.csv")))
        self.fact("list after delete has key", "basic/a.csv" in self.keys("basic/"))
        self.fact("delete of a missing key", attempt(
            lambda: self.s3.delete_object(Bucket=self.bucket, Key=self.prefix + "basic/never")))

    def read_after_write(self, n: int = 50) -> None:
        stale_get = stale_list = 0
        for i in range(n):
            body = f"version {i}".encode()
            self.put("raw/pointer", body)                 # same key overwritten n times
            stale_get += self.get("raw/pointer") != body
            self.put(f"raw/k{i}", body)                    # a new key each time
            stale_list += f"raw/k{i}" not in self.keys("raw/")
        self.fact(f"stale reads in {n} overwrite+get", stale_get)
        self.fact(f"new keys missing from list in {n} put+list", stale_list)

    def conditional(self) -> None:
        self.fact("IfNoneMatch=* on a new key", attempt(lambda: self.put("cond/v1.csv", b"first", IfNoneMatch="*")))
        self.fact("IfNoneMatch=* on an existing key", attempt(lambda: self.put("cond/v1.csv", b"second",
                                                                               IfNoneMatch="*")))
        self.fact("body after refused overwrite is the first", self.get("cond/v1.csv") == b"first")
        etag = self.s3.head_object(Bucket=self.bucket, Key=self.prefix + "cond/v1.csv")["ETag"]
        self.fact("IfMatch=<other etag>", attempt(lambda: self.put("cond/v1.csv", b"x", IfMatch='"' + "0" * 32 + '"')))
        self.fact("IfMatch=<current etag>", attempt(lambda: self.put("cond/v1.csv", b"third", IfMatch=etag)))
        self.fact("IfMatch on a missing key", attempt(lambda: self.put("cond/none", b"x", IfMatch=etag)))
        self.put("cond/dir/child", b"child")
        self.fact("IfNoneMatch=* on key 'k' when 'k/child' exists",
                  attempt(lambda: self.put("cond/dir", b"x", IfNoneMatch="*")))
        self.fact("plain put on key 'k' when 'k/child' exists", attempt(lambda: self.put("cond/dir", b"x")))
        self.fact("DeleteObject IfMatch=<other etag>", attempt(lambda: self.s3.delete_object(
            Bucket=self.bucket, Key=self.prefix + "cond/v1.csv", IfMatch='"' + "0" * 32 + '"')))

    def race(self, rounds: int, writers: int) -> None:
        clients = [client(self.cfg) for _ in range(writers)]
        bad, slowest = 0, 0.0
        for r in range(rounds):
            key = f"race/{r}"
            results: list[str] = [""] * writers
            barrier = threading.Barrier(writers)

            def write(i: int, key: str = key, results: list[str] = results, barrier=barrier) -> None:
                barrier.wait()
                results[i] = attempt(lambda: clients[i].put_object(
                    Bucket=self.bucket, Key=self.prefix + key, Body=f"writer {i} ".encode() * 1000, IfNoneMatch="*"))

            t0 = time.perf_counter()
            threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            slowest = max(slowest, time.perf_counter() - t0)
            winners = [i for i, res in enumerate(results) if res == "ok"]
            losers_412 = all(res.startswith("412") for res in results if res != "ok")
            body = self.get(key)
            if len(winners) != 1 or not losers_412 or body != f"writer {winners[0]} ".encode() * 1000:
                bad += 1
                print(f"  round {r}: {results}", file=sys.stderr)
        self.fact(f"racing IfNoneMatch=* ({rounds}x{writers}): bad rounds", bad)
        self.fact("racing IfNoneMatch=*: slowest round (s)", round(slowest, 2))

    def multipart(self) -> None:
        key = self.prefix + "mp/big.bin"
        part = os.urandom(5 * MiB)
        data = part * 3 + part[: 5 * MiB]           # 4 parts, 20 MiB
        up = self.s3.create_multipart_upload(Bucket=self.bucket, Key=key, ChecksumAlgorithm="SHA256",
                                             Metadata={"sha256": hashlib.sha256(data).hexdigest()})
        parts = []
        for n in range(4):
            chunk = data[n * 5 * MiB:(n + 1) * 5 * MiB]
            res = self.s3.upload_part(Bucket=self.bucket, Key=key, UploadId=up["UploadId"], PartNumber=n + 1,
                                      Body=chunk, ChecksumSHA256=sha256_b64(chunk))
            parts.append({"PartNumber": n + 1, "ETag": res["ETag"], "ChecksumSHA256": res["ChecksumSHA256"]})
        self.fact("unfinished multipart: HEAD", attempt(lambda: self.s3.head_object(Bucket=self.bucket, Key=key)))
        self.fact("unfinished multipart: in list_objects", "mp/big.bin" in self.keys("mp/"))
        uploads = self.s3.list_multipart_uploads(Bucket=self.bucket, Prefix=self.prefix).get("Uploads", [])
        self.fact("unfinished multipart: in list_multipart_uploads", any(u["Key"] == key for u in uploads))
        t0 = time.perf_counter()
        done = self.s3.complete_multipart_upload(Bucket=self.bucket, Key=key, UploadId=up["UploadId"],
                                                 MultipartUpload={"Parts": parts}, IfNoneMatch="*")
        self.fact("complete multipart (IfNoneMatch=*), seconds", round(time.perf_counter() - t0, 2))
        self.fact("multipart ETag / ChecksumSHA256", f"{done['ETag']} / {done.get('ChecksumSHA256')}")
        got = self.s3.get_object(Bucket=self.bucket, Key=key)
        self.fact("multipart 20 MiB read back identical", got["Body"].read() == data)
        self.fact("multipart metadata kept", got["Metadata"].get("sha256") == hashlib.sha256(data).hexdigest())
        # a second upload of the same key, completed with IfNoneMatch=*: refused, the first object stays
        up2 = self.s3.create_multipart_upload(Bucket=self.bucket, Key=key)
        res = self.s3.upload_part(Bucket=self.bucket, Key=key, UploadId=up2["UploadId"], PartNumber=1, Body=b"x")
        self.fact("complete multipart IfNoneMatch=* on existing", attempt(lambda: self.s3.complete_multipart_upload(
            Bucket=self.bucket, Key=key, UploadId=up2["UploadId"], IfNoneMatch="*",
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": res["ETag"]}]})))
        self.fact("object size after refused complete", self.s3.head_object(Bucket=self.bucket, Key=key)
                  ["ContentLength"])
        self.s3.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=up2["UploadId"])
        # an aborted upload leaves nothing
        up3 = self.s3.create_multipart_upload(Bucket=self.bucket, Key=self.prefix + "mp/aborted.bin")
        self.s3.upload_part(Bucket=self.bucket, Key=self.prefix + "mp/aborted.bin", UploadId=up3["UploadId"],
                            PartNumber=1, Body=part)
        self.s3.abort_multipart_upload(Bucket=self.bucket, Key=self.prefix + "mp/aborted.bin",
                                       UploadId=up3["UploadId"])
        uploads = self.s3.list_multipart_uploads(Bucket=self.bucket, Prefix=self.prefix).get("Uploads", [])
        self.fact("aborted multipart: uploads left / object",
                  f"{len(uploads)} / {attempt(lambda: self.get('mp/aborted.bin'))}")

    def checksums(self) -> None:
        body = b"id,name\n1,Klojen\n"
        res = self.put("ck/good.csv", body, ChecksumSHA256=sha256_b64(body))
        self.fact("put ChecksumSHA256 echoed", res.get("ChecksumSHA256") == sha256_b64(body))
        head = self.s3.head_object(Bucket=self.bucket, Key=self.prefix + "ck/good.csv", ChecksumMode="ENABLED")
        self.fact("HEAD ChecksumMode returns the SHA-256", head.get("ChecksumSHA256") == sha256_b64(body))
        got = self.s3.get_object(Bucket=self.bucket, Key=self.prefix + "ck/good.csv", ChecksumMode="ENABLED")
        self.fact("GET ChecksumMode returns the SHA-256", got.get("ChecksumSHA256") == sha256_b64(body))
        self.fact("put with a wrong ChecksumSHA256", attempt(
            lambda: self.put("ck/bad.csv", body, ChecksumSHA256=sha256_b64(b"something else"))))
        self.fact("object after wrong checksum", attempt(lambda: self.get("ck/bad.csv")))

    def metadata(self) -> None:
        self.put("meta/data.csv", b"x", ContentType="text/csv; charset=utf-8", CacheControl="no-cache",
                 ContentDisposition='attachment; filename="data.csv"',
                 Metadata={"Dataset-Id": "penduduk-kecamatan", "sha256": "ab" * 32, "version": "2024-01-31"})
        head = self.s3.head_object(Bucket=self.bucket, Key=self.prefix + "meta/data.csv")
        self.fact("user metadata (keys come back lower-case)", head["Metadata"])
        self.fact("ContentType / CacheControl / ContentDisposition",
                  f"{head.get('ContentType')} / {head.get('CacheControl')} / {head.get('ContentDisposition')}")

    def cleanup(self) -> None:
        keys = self.keys()
        for i in range(0, len(keys), 1000):
            self.s3.delete_objects(Bucket=self.bucket, Delete={"Objects": [{"Key": self.prefix + k}
                                                                           for k in keys[i:i + 1000]]})
        for u in self.s3.list_multipart_uploads(Bucket=self.bucket, Prefix=self.prefix).get("Uploads", []):
            self.s3.abort_multipart_upload(Bucket=self.bucket, Key=u["Key"], UploadId=u["UploadId"])
        self.fact("cleanup: keys left under the probe prefix", len(self.keys()))


# what a storage backend needs; the exit code says whether all of these held
EXPECTED = {
    "wrong secret": "403 SignatureDoesNotMatch",
    "get after put": True,
    "list after put has key": True,
    "get after delete": "404 NoSuchKey",
    "list after delete has key": False,
    "IfNoneMatch=* on a new key": "ok",
    "IfNoneMatch=* on an existing key": "412 PreconditionFailed",
    "body after refused overwrite is the first": True,
    "IfMatch=<other etag>": "412 PreconditionFailed",
    "IfMatch=<current etag>": "ok",
    "unfinished multipart: HEAD": "404 404",
    "unfinished multipart: in list_objects": False,
    "multipart 20 MiB read back identical": True,
    "complete multipart IfNoneMatch=* on existing": "412 PreconditionFailed",
    "put with a wrong ChecksumSHA256": "400 BadDigest",
    "object after wrong checksum": "404 NoSuchKey",
    "HEAD ChecksumMode returns the SHA-256": True,
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--race-rounds", type=int, default=10)
    ap.add_argument("--race-writers", type=int, default=8)
    args = ap.parse_args()
    probe = Probe(settings())
    print(f"endpoint {probe.cfg['SATUDATA_S3_ENDPOINT']}  bucket {probe.bucket}  prefix {probe.prefix}")
    try:
        probe.basics()
        probe.read_after_write()
        probe.conditional()
        probe.race(args.race_rounds, args.race_writers)
        probe.multipart()
        probe.checksums()
        probe.metadata()
    finally:
        probe.cleanup()
    failed = {k: (probe.facts.get(k), v) for k, v in EXPECTED.items() if probe.facts.get(k) != v}
    failed.update({k: (probe.facts.get(k), 0) for k in probe.facts
                   if (k.startswith("stale") or k.startswith("new keys missing") or k.endswith("bad rounds"))
                   and probe.facts[k] != 0})
    for name, (got, want) in failed.items():
        print(f"NOT AS NEEDED: {name}: got {got!r}, want {want!r}", file=sys.stderr)
    print("all needed guarantees held" if not failed else f"{len(failed)} needed guarantees did not hold")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
