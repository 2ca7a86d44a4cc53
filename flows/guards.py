"""Who may publish a dataset right now.

Two layers, so that two workers running the same dataset at once never publish twice:
1. On a Prefect server (deployments set ``global_limits``), the global concurrency limit ``publish:<dataset>``
   (1 slot) admits one run at a time on any machine, and ``ckan-publish`` bounds the load on CKAN.
2. The publisher's own lock (a file lock for the local portal and for CKAN runs on one machine).
Inside both, the flow re-reads the latest published version and decides again, so the run that comes second sees
the first one's version and publishes nothing (its outcome is "unchanged").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from satudata.core.catalog import Dataset
from satudata.flows.context import RunContext
from satudata.flows.deployments import CKAN_PUBLISH_LIMIT, publish_limit_name


@contextmanager
def publishing_slot(ctx: RunContext, dataset: Dataset) -> Iterator[None]:
    with ExitStack() as stack:
        if ctx.settings.global_limits:
            from prefect.concurrency.sync import concurrency

            names = [publish_limit_name(dataset.id)]
            if ctx.publisher.target == "ckan":
                names.append(CKAN_PUBLISH_LIMIT)
            # A run that dies holding the slot (a worker killed) keeps it until its lease ends: the portal's lease
            # time (SATUDATA_PORTAL_LEASE_SECONDS), at least the 60 s the Prefect server accepts.
            stack.enter_context(concurrency(names, occupy=1, timeout_seconds=3600, strict=True,
                                            lease_duration=max(60.0, ctx.settings.portal_lease_seconds)))
        stack.enter_context(ctx.publisher.lock(dataset))
        yield
