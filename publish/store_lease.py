"""A lease on an S3-compatible store: one writer per dataset across machines, with conditional puts only.

The lease is one small JSON object (``.locks/<department>/<dataset>`` under the portal's prefix). Its holder
creates it with ``IfNoneMatch="*"``, or takes it over with ``IfMatch=<etag>`` once it is released or has expired;
the server admits exactly one of several racing writers either way. The holder renews it (``IfMatch`` on its own
last ETag) every third of its time to live from a background thread, and once more right before it commits a
version (the fence: a holder that lost its lease never commits). A holder that dies stops renewing, so its lease
expires after ``ttl`` seconds and the next run takes it over.

Expiry is judged by the server's clock alone (the lease's ``Last-Modified`` against the ``Date`` of the answer
that read it), so machines whose clocks disagree still agree on who holds it.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from contextlib import suppress
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from botocore.exceptions import ClientError

from satudata.core.publishing import DatasetLocked, PublishError

POLL_SECONDS = 0.5


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _status(exc: ClientError) -> int:
    return int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))


def precondition_failed(exc: ClientError) -> bool:
    return _status(exc) == 412 or _code(exc) == "PreconditionFailed"


def not_found(exc: ClientError) -> bool:
    return _status(exc) == 404 or _code(exc) in ("NoSuchKey", "404", "NotFound")


def _server_time(answer: dict) -> datetime:
    """When the server answered (its Date header), or this machine's time when it sent none that reads."""
    try:
        when = parsedate_to_datetime(answer["ResponseMetadata"]["HTTPHeaders"]["date"])
    except (KeyError, TypeError, ValueError):
        return datetime.now(UTC)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class LeaseLost(PublishError):
    """The lease was taken over (or could not be renewed in time): this run must not commit."""


class Lease:
    def __init__(self, client, bucket: str, key: str, ttl: float) -> None:
        self.client, self.bucket, self.key, self.ttl = client, bucket, key, max(3.0, float(ttl))
        self.owner = uuid.uuid4().hex
        self.etag: str | None = None
        self.beat = 0
        self.lost: str | None = None
        self._renewed_at = 0.0
        self._guard = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def _body(self, released: bool = False) -> bytes:
        self.beat += 1
        return json.dumps({"owner": self.owner, "host": socket.gethostname(), "pid": os.getpid(), "ttl": self.ttl,
                           "beat": self.beat, "released": released}).encode()

    def _put(self, body: bytes, **condition: str) -> str:
        """Put the lease under a condition; a 412 for a request of ours that was applied but whose answer was lost
        (and retried) counts as success."""
        try:
            return self.client.put_object(Bucket=self.bucket, Key=self.key, Body=body,
                                          ContentType="application/json", **condition)["ETag"]
        except ClientError as exc:
            if not precondition_failed(exc):
                raise
            current = self._read()
            if current is not None and current[0] == body:
                return current[1]
            raise

    def _read(self) -> tuple[bytes, str, float] | None:
        """(body, etag, age in seconds by the server's clock) of the lease, None when there is none."""
        try:
            got = self.client.get_object(Bucket=self.bucket, Key=self.key)
        except ClientError as exc:
            if not_found(exc):
                return None
            raise
        body = got["Body"].read()
        return body, got["ETag"], (_server_time(got) - got["LastModified"]).total_seconds()

    def try_acquire(self) -> dict | None:
        """Take the lease if it is free; None when taken, else the holder's record (for the message)."""
        current = self._read()
        try:
            if current is None:
                self.etag = self._put(self._body(), IfNoneMatch="*")
                self._renewed_at = time.monotonic()
                return None
            body, etag, age = current
            try:
                holder = json.loads(body)
            except ValueError:
                holder = {}
            expired = age > float(holder.get("ttl", self.ttl)) + 1.0   # Last-Modified and Date count whole seconds
            if not (holder.get("released") or expired):
                return holder
            self.etag = self._put(self._body(), IfMatch=etag)
            self._renewed_at = time.monotonic()
            return None
        except ClientError as exc:
            if precondition_failed(exc):   # another writer was quicker
                return {"owner": "?", "host": "?", "pid": "?"}
            raise

    def start(self) -> None:
        self._thread = threading.Thread(target=self._heartbeat, name=f"lease {self.key}", daemon=True)
        self._thread.start()

    def _heartbeat(self) -> None:
        while not self._stop.wait(self.ttl / 3):
            try:
                self.renew()
            except LeaseLost:
                return
            except Exception as exc:  # noqa: BLE001 - a network hiccup: try again at the next beat, until expiry
                if time.monotonic() - self._renewed_at > self.ttl:
                    self.lost = f"not renewed for {self.ttl:.0f} s ({type(exc).__name__}: {exc})"
                    return

    def renew(self) -> None:
        """Renew now; LeaseLost when another writer holds it."""
        with self._guard:
            if self.lost:
                raise LeaseLost(f"the lease {self.uri} was lost: {self.lost}")
            try:
                self.etag = self._put(self._body(), IfMatch=self.etag or "")
            except ClientError as exc:
                if precondition_failed(exc) or not_found(exc):
                    self.lost = "another run took it over"
                    raise LeaseLost(f"the lease {self.uri} was lost: {self.lost}") from None
                raise
            self._renewed_at = time.monotonic()

    def release(self) -> None:
        """Stop renewing and mark the lease released (only if it is still ours)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.ttl)
        with self._guard:
            if self.lost or self.etag is None:
                return
            with suppress(Exception):   # taken over meanwhile, or unreachable: it expires on its own
                self._put(self._body(released=True), IfMatch=self.etag)


def acquire(client, bucket: str, key: str, ttl: float, label: str, wait_seconds: float) -> Lease:
    """The lease on ``key``, waiting up to ``wait_seconds`` for its holder; DatasetLocked after that."""
    lease = Lease(client, bucket, key, ttl)
    deadline = time.monotonic() + wait_seconds
    while True:
        holder = lease.try_acquire()
        if holder is None:
            lease.start()
            return lease
        if time.monotonic() > deadline:
            raise DatasetLocked(f"{label}: another run has held the publishing lease s3://{bucket}/{key} for "
                                f"{wait_seconds:.0f} s (holder: host {holder.get('host')}, pid {holder.get('pid')}); "
                                "try again later")
        time.sleep(POLL_SECONDS)
