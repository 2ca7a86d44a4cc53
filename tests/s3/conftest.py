"""Fixtures for the tests against the real S3-compatible server (tests/s3_harness: `bash tests/s3_harness/up.sh`).

The S3 tests are never skipped: without SATUDATA_S3_ENDPOINT they fail, saying how to start the server. Each test
writes under a prefix of its own (s3-tests/<random>/) and deletes it afterwards, so the tests are independent and can
run again on the same server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

START = ("run `bash tests/s3_harness/up.sh`, then `set -a; . .satudata/s3/env; set +a` "
         "(or `make test`, once it starts the S3 harness)")


@pytest.fixture(scope="session")
def s3_env() -> dict[str, str]:
    endpoint = os.environ.get("SATUDATA_S3_ENDPOINT")
    if not endpoint:
        pytest.fail(f"SATUDATA_S3_ENDPOINT is not set: the S3 tests need the real S3 server: {START}.", pytrace=False)
    names = ["SATUDATA_S3_BUCKET", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"]
    missing = [name for name in names if not os.environ.get(name)]
    if missing:
        pytest.fail(f"{', '.join(missing)} not set (.satudata/s3/env has them): {START}.", pytrace=False)
    return {"endpoint": endpoint, "bucket": os.environ["SATUDATA_S3_BUCKET"],
            "key": os.environ["AWS_ACCESS_KEY_ID"], "secret": os.environ["AWS_SECRET_ACCESS_KEY"],
            "region": os.environ["AWS_DEFAULT_REGION"]}


def make_client(env: dict[str, str], secret: str | None = None):
    return boto3.client(
        "s3", endpoint_url=env["endpoint"], region_name=env["region"], aws_access_key_id=env["key"],
        aws_secret_access_key=secret or env["secret"],
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}, max_pool_connections=32))


@pytest.fixture(scope="session")
def s3(s3_env):
    """A client with the harness's keys; fails (not skips) when the server does not answer."""
    client = make_client(s3_env)
    try:
        client.head_bucket(Bucket=s3_env["bucket"])
    except (BotoCoreError, ClientError) as exc:
        pytest.fail(f"S3 at {s3_env['endpoint']} (bucket {s3_env['bucket']}) does not answer "
                    f"({type(exc).__name__}: {exc}): {START}.", pytrace=False)
    return client


@pytest.fixture
def bucket(s3_env) -> str:
    return s3_env["bucket"]


@pytest.fixture
def prefix(s3, bucket) -> Iterator[str]:
    """A fresh key prefix; everything under it (objects and unfinished multipart uploads) is deleted afterwards."""
    pre = f"s3-tests/{uuid.uuid4().hex}/"
    yield pre
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=pre):
        objects = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if objects:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": objects})
    for upload in s3.list_multipart_uploads(Bucket=bucket, Prefix=pre).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
