"""The portal in an S3-compatible bucket (AWS S3, SeaweedFS, MinIO, ...): the same guarantees as the folder.

Key layout under ``s3://<bucket>/<prefix>`` (docs/storage.md):

    index.json                                   the catalogue index, replaced after each version (IfMatch)
    <department>/<dataset>/<version>/<file>      each file created once (IfNoneMatch="*"), never rewritten
    <department>/<dataset>/<version>/.committed.json   the commit marker, created last: the version exists from then
    <department>/<dataset>/latest                the pointer: the latest version's number, replaced (IfMatch)
    .locks/<department>/<dataset>                the publishing lease (publish/store_lease.py)

A version is visible only once its marker exists; the readers ignore everything of a version without one. The
marker names every file with its sha256 and size. Whoever holds the lease removes what a run that died
mid-publish left (files of versions without a marker, unfinished multipart uploads) before it writes. Each file is
uploaded with its SHA-256 (``ChecksumSHA256``), which the server checks, and large files in multipart uploads that
stay invisible until completed. No key is ever both an object and a prefix (SeaweedFS keeps keys as a tree).
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from botocore.exceptions import ClientError

from satudata.core.catalog import STORE_PATTERN
from satudata.core.publishing import PublishError
from satudata.publish.store import INDEX_FILE, VersionExists
from satudata.publish.store_lease import Lease, acquire, not_found, precondition_failed

log = logging.getLogger("satudata.publish")

MARKER = ".committed.json"
LATEST = "latest"
LOCKS = ".locks"
MiB = 1024 * 1024
CONTENT_TYPES = {".csv": "text/csv; charset=utf-8", ".parquet": "application/vnd.apache.parquet",
                 ".json": "application/json", ".jsonl": "application/x-ndjson", ".html": "text/html; charset=utf-8"}
POINTER_ATTEMPTS = 10


def make_client(endpoint: str | None = None):
    """A boto3 S3 client: keys and region from the standard AWS variables, path-style addressing for an endpoint
    of our own (no DNS for bucket subdomains). One retry layer: botocore's standard retries (5 attempts)."""
    import boto3
    from botocore.config import Config

    config = Config(s3={"addressing_style": "path"} if endpoint else {}, retries={"mode": "standard",
                    "max_attempts": 5}, connect_timeout=10, read_timeout=120, max_pool_connections=16)
    return boto3.client("s3", endpoint_url=endpoint, config=config)


def _sha256(path: Path) -> bytes:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(4 * MiB):
            digest.update(chunk)
    return digest.digest()


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


class S3Store:
    def __init__(self, bucket: str, prefix: str = "", client=None, endpoint: str | None = None,
                 lease_seconds: float = 60.0, multipart_threshold: int = 64 * MiB, part_size: int = 16 * MiB) -> None:
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or make_client(endpoint)
        self.lease_seconds = lease_seconds
        self.multipart_threshold, self.part_size = multipart_threshold, max(5 * MiB, part_size)
        self.where = f"s3://{bucket}/{self.prefix}"
        self._committed: set[tuple[str, str]] = set()   # versions never change once committed
        self._leases: dict[str, Lease] = {}

    @classmethod
    def from_url(cls, url: str, setting: str, endpoint: str | None = None, lease_seconds: float = 60.0) -> S3Store:
        """``s3://<bucket>[/<prefix>]``; a PublishError naming ``setting`` (where the URL came from) otherwise."""
        match = re.fullmatch(STORE_PATTERN, url or "")
        if not match:
            raise PublishError(f"{setting}: {url!r} is not an S3 portal store — fix: use s3://<bucket>/<prefix>, "
                               "e.g. s3://satudata-portal/portal (the endpoint in SATUDATA_S3_ENDPOINT, the keys in "
                               "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)")
        return cls(match.group(1), match.group(2) or "", endpoint=endpoint, lease_seconds=lease_seconds)

    # --- keys -------------------------------------------------------------------------------------------
    def _key(self, *parts: str) -> str:
        return self.prefix + "/".join(parts)

    def uri(self, *parts: str) -> str:
        return f"s3://{self.bucket}/{self._key(*parts)}"

    def _list(self, prefix: str) -> Iterator[dict]:
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            yield from page.get("Contents", [])

    def _exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError as exc:
            if not_found(exc):
                return False
            raise

    def _require_committed(self, dataset: str, version: str) -> None:
        if (dataset, version) in self._committed:
            return
        if not self._exists(self._key(dataset, version, MARKER)):
            raise FileNotFoundError(f"{self.uri(dataset, version)}/ is not a published version (no {MARKER})")
        self._committed.add((dataset, version))

    def _get(self, key: str) -> dict:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
        except ClientError as exc:
            if not_found(exc):
                raise FileNotFoundError(f"s3://{self.bucket}/{key}") from None
            raise

    # --- reading ----------------------------------------------------------------------------------------
    def versions(self, dataset: str) -> list[str]:
        base = self._key(dataset) + "/"
        parts = (o["Key"][len(base):].split("/") for o in self._list(base))
        found = [p[0] for p in parts if len(p) == 2 and p[1] == MARKER]
        self._committed.update((dataset, v) for v in found)
        return found

    def files(self, dataset: str, version: str) -> dict[str, int]:
        self._require_committed(dataset, version)
        base = self._key(dataset, version) + "/"
        return {o["Key"][len(base):]: o["Size"] for o in self._list(base)
                if "/" not in o["Key"][len(base):] and o["Key"][len(base):] != MARKER}

    def read(self, dataset: str, version: str, name: str) -> bytes:
        self._require_committed(dataset, version)
        return self._get(self._key(dataset, version, name))["Body"].read()

    def sha256(self, dataset: str, version: str, name: str) -> str:
        self._require_committed(dataset, version)
        digest = hashlib.sha256()
        for chunk in self._get(self._key(dataset, version, name))["Body"].iter_chunks(4 * MiB):
            digest.update(chunk)
        return digest.hexdigest()

    def fetch(self, dataset: str, version: str, name: str, dest: Path) -> Path:
        self._require_committed(dataset, version)
        body = self._get(self._key(dataset, version, name))["Body"]
        dest.parent.mkdir(parents=True, exist_ok=True)
        with dest.open("wb") as out:
            for chunk in body.iter_chunks(4 * MiB):
                out.write(chunk)
        return dest

    def read_index(self) -> bytes:
        return self._get(self._key(INDEX_FILE))["Body"].read()

    def has(self, name: str) -> bool:
        return self._exists(self._key(name))

    # --- the lease and what dead runs left --------------------------------------------------------------
    @contextmanager
    def lock(self, dataset: str, label: str, wait_seconds: float) -> Iterator[None]:
        lease = acquire(self.client, self.bucket, self._key(LOCKS, dataset), self.lease_seconds, label, wait_seconds)
        self._leases[dataset] = lease
        try:
            self.remove_uncommitted(dataset)
            yield
        finally:
            self._leases.pop(dataset, None)
            lease.release()

    def remove_uncommitted(self, dataset: str) -> list[str]:
        """Delete the files of versions without a marker and abort unfinished multipart uploads (call it only while
        holding the lease: an unmarked version is then surely a dead run's). Returns what was removed."""
        base = self._key(dataset) + "/"
        by_version: dict[str, list[str]] = {}
        for obj in self._list(base):
            rest = obj["Key"][len(base):]
            if "/" in rest:
                by_version.setdefault(rest.split("/")[0], []).append(obj["Key"])
        removed = []
        for version, keys in by_version.items():
            if self._key(dataset, version, MARKER) in keys:
                continue
            for start in range(0, len(keys), 1000):
                answer = self.client.delete_objects(Bucket=self.bucket, Delete={
                    "Objects": [{"Key": k} for k in keys[start:start + 1000]], "Quiet": True})
                if answer.get("Errors"):
                    failed = answer["Errors"][0]
                    raise PublishError(f"could not remove s3://{self.bucket}/{failed.get('Key')}, left by a run that "
                                       f"died mid-publish: {failed.get('Code')} {failed.get('Message')} — fix: grant "
                                       "s3:DeleteObject on the portal's prefix")
            removed += keys
        for page in self.client.get_paginator("list_multipart_uploads").paginate(Bucket=self.bucket, Prefix=base):
            for upload in page.get("Uploads", []):
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"])
                removed.append(f"{upload['Key']} (unfinished upload)")
        if removed:
            log.warning("removed %d leftovers of a run that died mid-publish under %s", len(removed), self.uri(dataset))
        return removed

    # --- writing ----------------------------------------------------------------------------------------
    def put_version(self, dataset: str, version: str, folder: Path, names: list[str]) -> None:
        marker = self._key(dataset, version, MARKER)
        if self._exists(marker):
            raise VersionExists(self.uri(dataset, version) + "/")
        lease = self._leases.get(dataset)
        if lease is not None:
            lease.renew()   # a run that lost its lease writes nothing
        attempt = uuid.uuid4().hex
        manifest = {}
        for name in names:
            path = folder / name
            digest = _sha256(path)
            self._create(self._key(dataset, version, name), path, digest, attempt, version)
            manifest[name] = {"sha256": digest.hex(), "bytes": path.stat().st_size}
        if lease is not None:
            lease.renew()   # the fence: a run that lost its lease never commits
        body = json.dumps({"version": version, "attempt": attempt, "files": manifest,
                           "committed": datetime.now(UTC).isoformat(timespec="seconds")}, indent=2).encode()
        try:
            self.client.put_object(Bucket=self.bucket, Key=marker, Body=body, IfNoneMatch="*",
                                   ContentType="application/json", ChecksumSHA256=_b64(hashlib.sha256(body).digest()))
        except ClientError as exc:
            if not precondition_failed(exc):
                raise
            if json.loads(self._get(marker)["Body"].read()).get("attempt") != attempt:   # not our own, retried
                raise VersionExists(self.uri(dataset, version) + "/") from None
        self._committed.add((dataset, version))

    def _create(self, key: str, path: Path, digest: bytes, attempt: str, version: str) -> None:
        """Create ``key`` from ``path`` once; never replace an object."""
        extra = {"ContentType": CONTENT_TYPES.get(path.suffix, "application/octet-stream"),
                 "Metadata": {"sha256": digest.hex(), "satudata-attempt": attempt}}
        try:
            if path.stat().st_size <= self.multipart_threshold:
                with path.open("rb") as body:
                    self.client.put_object(Bucket=self.bucket, Key=key, Body=body, IfNoneMatch="*",
                                           ChecksumSHA256=_b64(digest), **extra)
            else:
                self._create_multipart(key, path, extra)
        except ClientError as exc:
            if not precondition_failed(exc):
                raise
            try:   # our own request, applied but its answer lost and retried?
                head = self.client.head_object(Bucket=self.bucket, Key=key)
                if head.get("Metadata", {}).get("satudata-attempt") == attempt:
                    return
            except ClientError:
                pass
            raise PublishError(f"s3://{self.bucket}/{key} exists though {version} is not committed: another run is "
                               "publishing this version without holding the lease, or one died here — fix: run "
                               "again; the run holding the lease removes what a dead run left") from None

    def _create_multipart(self, key: str, path: Path, extra: dict) -> None:
        upload = self.client.create_multipart_upload(Bucket=self.bucket, Key=key, ChecksumAlgorithm="SHA256",
                                                     **extra)["UploadId"]
        try:
            parts = []
            with path.open("rb") as handle:
                number = 1
                while chunk := handle.read(self.part_size):
                    answer = self.client.upload_part(Bucket=self.bucket, Key=key, UploadId=upload, PartNumber=number,
                                                     Body=chunk,
                                                     ChecksumSHA256=_b64(hashlib.sha256(chunk).digest()))
                    parts.append({"PartNumber": number, "ETag": answer["ETag"],
                                  "ChecksumSHA256": answer.get("ChecksumSHA256")
                                  or _b64(hashlib.sha256(chunk).digest())})
                    number += 1
            self.client.complete_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload, IfNoneMatch="*",
                                                  MultipartUpload={"Parts": parts})
        except BaseException:
            with suppress(Exception):   # else the next lease holder aborts it
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload)
            raise

    def _replace(self, key: str, make: Callable[[], bytes], content_type: str) -> None:
        """Replace a small mutable object (a pointer) with make(): conditional on the ETag read just before, made
        again when another writer replaced it meanwhile."""
        for _ in range(POINTER_ATTEMPTS):
            try:
                condition = {"IfMatch": self.client.head_object(Bucket=self.bucket, Key=key)["ETag"]}
            except ClientError as exc:
                if not not_found(exc):
                    raise
                condition = {"IfNoneMatch": "*"}
            body = make()
            try:
                self.client.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType=content_type,
                                       CacheControl="no-cache", **condition)
                return
            except ClientError as exc:
                if not precondition_failed(exc):
                    raise
        raise PublishError(f"s3://{self.bucket}/{key}: replaced by other writers {POINTER_ATTEMPTS} times in a row; "
                           "run again")

    def point_latest(self, dataset: str, version: str) -> None:
        self._replace(self._key(dataset, LATEST), version.encode, "text/plain; charset=utf-8")

    def write_index(self, make: Callable[[], str]) -> str:
        self._replace(self._key(INDEX_FILE), lambda: make().encode("utf-8"), "application/json")
        return self.uri(INDEX_FILE)
