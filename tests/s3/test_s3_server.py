"""What the S3 harness server (SeaweedFS, tests/s3_harness) guarantees: the facts an S3 storage backend for the local
portal builds on. Immutable version files are created with PutObject IfNoneMatch="*" (never overwritten), the
`latest` pointer and index.json are replaced with IfMatch=<etag>, large files go up in multipart uploads that are
invisible until completed, and each object carries its SHA-256 (ChecksumSHA256) and user metadata.

Run `bash tests/s3_harness/up.sh` first (tests/s3_harness/probe.py prints the same facts).
"""

from __future__ import annotations

import base64
import hashlib
import os
import threading

import pytest
from botocore.exceptions import ClientError

from tests.s3.conftest import make_client

pytestmark = [pytest.mark.s3, pytest.mark.slow]

MiB = 1024 * 1024


def status(exc_info) -> tuple[int, str]:
    err = exc_info.value.response
    return err["ResponseMetadata"]["HTTPStatusCode"], err["Error"]["Code"]


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def keys(s3, bucket: str, prefix: str) -> list[str]:
    out = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        out += [o["Key"] for o in page.get("Contents", [])]
    return out


def body(s3, bucket: str, key: str) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def test_wrong_secret_is_refused(s3_env, bucket):
    with pytest.raises(ClientError) as exc:
        make_client(s3_env, secret="not-the-secret").list_objects_v2(Bucket=bucket)
    assert status(exc) == (403, "SignatureDoesNotMatch")


def test_put_get_list_delete(s3, bucket, prefix):
    key = prefix + "dataset/v1/data.csv"
    s3.put_object(Bucket=bucket, Key=key, Body=b"a,b\n1,2\n")
    assert body(s3, bucket, key) == b"a,b\n1,2\n"
    assert keys(s3, bucket, prefix) == [key]
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix + "dataset/", Delimiter="/")
    assert [p["Prefix"] for p in listed["CommonPrefixes"]] == [prefix + "dataset/v1/"]

    s3.put_object(Bucket=bucket, Key=key, Body=b"replaced")      # no condition: the last writer wins
    assert body(s3, bucket, key) == b"replaced"

    s3.delete_object(Bucket=bucket, Key=key)
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key=key)
    assert status(exc) == (404, "NoSuchKey")
    assert keys(s3, bucket, prefix) == []
    s3.delete_object(Bucket=bucket, Key=key)                     # deleting a missing key is no error


def test_read_after_write_and_list_after_write(s3, bucket, prefix):
    for i in range(30):
        data = f"version {i}".encode()
        s3.put_object(Bucket=bucket, Key=prefix + "latest", Body=data)
        assert body(s3, bucket, prefix + "latest") == data
        s3.put_object(Bucket=bucket, Key=prefix + f"v/{i:03d}", Body=data)
        assert prefix + f"v/{i:03d}" in keys(s3, bucket, prefix + "v/")
        s3.delete_object(Bucket=bucket, Key=prefix + f"v/{i:03d}")
        assert prefix + f"v/{i:03d}" not in keys(s3, bucket, prefix + "v/")


def test_conditional_create_never_overwrites(s3, bucket, prefix):
    key = prefix + "dataset/v1/data.csv"
    s3.put_object(Bucket=bucket, Key=key, Body=b"first", IfNoneMatch="*")
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key=key, Body=b"second", IfNoneMatch="*")
    assert status(exc) == (412, "PreconditionFailed")
    assert body(s3, bucket, key) == b"first"


def test_concurrent_conditional_creates_have_exactly_one_winner(s3_env, s3, bucket, prefix):
    writers = 6
    clients = [make_client(s3_env) for _ in range(writers)]
    for r in range(5):
        key = f"{prefix}race/{r}"
        results: list[object] = [None] * writers
        barrier = threading.Barrier(writers)

        def write(i: int, key: str = key, results: list[object] = results, barrier=barrier) -> None:
            barrier.wait()
            try:
                clients[i].put_object(Bucket=bucket, Key=key, Body=f"writer {i}".encode() * 500, IfNoneMatch="*")
                results[i] = "ok"
            except ClientError as exc:
                results[i] = exc.response["ResponseMetadata"]["HTTPStatusCode"]

        threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        winners = [i for i, res in enumerate(results) if res == "ok"]
        assert len(winners) == 1, results
        assert sorted(res for res in results if res != "ok") == [412] * (writers - 1)
        assert body(s3, bucket, key) == f"writer {winners[0]}".encode() * 500


def test_if_match_replaces_only_the_version_read(s3, bucket, prefix):
    key = prefix + "index.json"
    s3.put_object(Bucket=bucket, Key=key, Body=b'{"v": 1}')
    etag = s3.head_object(Bucket=bucket, Key=key)["ETag"]
    s3.put_object(Bucket=bucket, Key=key, Body=b'{"v": 2}', IfMatch=etag)
    with pytest.raises(ClientError) as exc:                      # a second writer still holding the old ETag
        s3.put_object(Bucket=bucket, Key=key, Body=b'{"v": "lost update"}', IfMatch=etag)
    assert status(exc) == (412, "PreconditionFailed")
    assert body(s3, bucket, key) == b'{"v": 2}'
    with pytest.raises(ClientError) as exc:                      # IfMatch never creates
        s3.put_object(Bucket=bucket, Key=prefix + "missing.json", Body=b"{}", IfMatch=etag)
    assert status(exc) == (412, "PreconditionFailed")


def test_conditional_create_counts_a_key_prefix_as_existing(s3, bucket, prefix):
    """Unlike AWS: SeaweedFS keeps keys in a directory tree, so "k" is taken once "k/child" exists."""
    s3.put_object(Bucket=bucket, Key=prefix + "k/child", Body=b"child")
    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key=prefix + "k", Body=b"x", IfNoneMatch="*")
    assert status(exc) == (412, "PreconditionFailed")
    s3.put_object(Bucket=bucket, Key=prefix + "k", Body=b"x")    # a plain put may create it
    assert sorted(keys(s3, bucket, prefix)) == [prefix + "k", prefix + "k/child"]


def test_multipart_upload_of_20_mib(s3, bucket, prefix):
    key = prefix + "big.bin"
    data = os.urandom(20 * MiB)
    up = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm="SHA256",
                                    Metadata={"sha256": hashlib.sha256(data).hexdigest()})
    parts = []
    for n in range(4):
        chunk = data[n * 5 * MiB:(n + 1) * 5 * MiB]
        res = s3.upload_part(Bucket=bucket, Key=key, UploadId=up["UploadId"], PartNumber=n + 1, Body=chunk,
                             ChecksumSHA256=sha256_b64(chunk))
        assert res["ChecksumSHA256"] == sha256_b64(chunk)
        parts.append({"PartNumber": n + 1, "ETag": res["ETag"], "ChecksumSHA256": res["ChecksumSHA256"]})
    done = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=up["UploadId"],
                                        MultipartUpload={"Parts": parts}, IfNoneMatch="*")
    assert done["ETag"].endswith('-4"')
    got = s3.get_object(Bucket=bucket, Key=key)
    assert got["ContentLength"] == 20 * MiB
    assert hashlib.sha256(got["Body"].read()).digest() == hashlib.sha256(data).digest()
    assert got["Metadata"] == {"sha256": hashlib.sha256(data).hexdigest()}


def test_unfinished_multipart_upload_is_invisible(s3, bucket, prefix):
    key = prefix + "half.bin"
    up = s3.create_multipart_upload(Bucket=bucket, Key=key)
    s3.upload_part(Bucket=bucket, Key=key, UploadId=up["UploadId"], PartNumber=1, Body=os.urandom(5 * MiB))
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=bucket, Key=key)
    assert status(exc)[0] == 404
    with pytest.raises(ClientError) as exc:
        s3.get_object(Bucket=bucket, Key=key)
    assert status(exc) == (404, "NoSuchKey")
    assert keys(s3, bucket, prefix) == []
    uploads = s3.list_multipart_uploads(Bucket=bucket, Prefix=prefix).get("Uploads", [])
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [(key, up["UploadId"])]

    s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=up["UploadId"])
    assert s3.list_multipart_uploads(Bucket=bucket, Prefix=prefix).get("Uploads", []) == []
    assert keys(s3, bucket, prefix) == []


def test_completing_a_multipart_upload_with_if_none_match_never_overwrites(s3, bucket, prefix):
    key = prefix + "v1.bin"
    s3.put_object(Bucket=bucket, Key=key, Body=b"the first version")
    up = s3.create_multipart_upload(Bucket=bucket, Key=key)
    res = s3.upload_part(Bucket=bucket, Key=key, UploadId=up["UploadId"], PartNumber=1, Body=b"other")
    with pytest.raises(ClientError) as exc:
        s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=up["UploadId"], IfNoneMatch="*",
                                     MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": res["ETag"]}]})
    assert status(exc) == (412, "PreconditionFailed")
    assert body(s3, bucket, key) == b"the first version"
    s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=up["UploadId"])


def test_checksum_sha256_is_checked_stored_and_returned(s3, bucket, prefix):
    data = b"id,kecamatan\n1,Klojen\n"
    res = s3.put_object(Bucket=bucket, Key=prefix + "good.csv", Body=data, ChecksumSHA256=sha256_b64(data))
    assert res["ChecksumSHA256"] == sha256_b64(data)
    head = s3.head_object(Bucket=bucket, Key=prefix + "good.csv", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == sha256_b64(data)
    got = s3.get_object(Bucket=bucket, Key=prefix + "good.csv", ChecksumMode="ENABLED")
    assert got["ChecksumSHA256"] == sha256_b64(data)
    assert got["Body"].read() == data

    with pytest.raises(ClientError) as exc:
        s3.put_object(Bucket=bucket, Key=prefix + "bad.csv", Body=data, ChecksumSHA256=sha256_b64(b"other"))
    assert status(exc) == (400, "BadDigest")
    assert keys(s3, bucket, prefix) == [prefix + "good.csv"]


def test_metadata_round_trip(s3, bucket, prefix):
    key = prefix + "data.csv"
    s3.put_object(Bucket=bucket, Key=key, Body=b"x", ContentType="text/csv; charset=utf-8", CacheControl="no-cache",
                  ContentDisposition='attachment; filename="data.csv"',
                  Metadata={"Dataset-Id": "penduduk-kecamatan", "sha256": "ab" * 32, "version": "2024-01-31"})
    head = s3.head_object(Bucket=bucket, Key=key)
    # S3 sends user metadata as x-amz-meta-* headers: the names come back lower-case
    assert head["Metadata"] == {"dataset-id": "penduduk-kecamatan", "sha256": "ab" * 32, "version": "2024-01-31"}
    assert head["ContentType"] == "text/csv; charset=utf-8"
    assert head["CacheControl"] == "no-cache"
    assert head["ContentDisposition"] == 'attachment; filename="data.csv"'
