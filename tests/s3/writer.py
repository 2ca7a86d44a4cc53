"""One writer of a race, in a process of its own: ``python -m tests.s3.writer PROJECT URL BUNDLE VERSION lock|nolock``.

It prints ``ready``, waits for a line on stdin (so that the test lets every writer go at the same moment), publishes
the prepared bundle as the flow does (inside the lock, deciding again) or straight away (``nolock``), and prints its
outcome as the last line: published, unchanged, or refused: <why>.
"""

from __future__ import annotations

import sys
from pathlib import Path

from satudata.core.publishing import Bundle, PublishError
from tests.s3.portals import DATASET, s3_portal


def publish_once(project: Path, url: str, bundle_dir: Path, version: str, use_lock: bool) -> str:
    portal = s3_portal(project, url)
    dataset = portal.catalog.dataset(DATASET)
    bundle = Bundle(dataset.id, dataset.department, version, bundle_dir)
    print("ready", flush=True)
    sys.stdin.readline()
    try:
        if not use_lock:
            portal.publish(dataset, bundle)
            return "published"
        with portal.lock(dataset):
            if version in portal.versions(dataset):
                return "unchanged"
            portal.publish(dataset, bundle)
            return "published"
    except PublishError as exc:
        return f"refused: {exc}"


if __name__ == "__main__":
    project, url, bundle_dir, version, how = sys.argv[1:6]
    print(publish_once(Path(project), url, Path(bundle_dir), version, how == "lock"), flush=True)
