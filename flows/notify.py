"""Tell stewards when a scheduled run fails: a short message to a webhook (Slack, Mattermost, Teams style JSON)."""

from __future__ import annotations

import logging
import os

import requests

WEBHOOK_ENV = "SATUDATA_WEBHOOK_URL"
log = logging.getLogger("satudata.notify")


def failure_message(outcome: dict) -> str:
    where = f" Laporan/report: {outcome['report']}" if outcome.get("report") else ""
    return (f"satudata: dataset {outcome['dataset']} {outcome['status']} — tidak diterbitkan / not published. "
            f"{outcome.get('message', '')}.{where}")


def notify_failure(outcome: dict, webhook_url: str | None = None, timeout: float = 10.0) -> bool:
    """POST a short JSON message; returns whether it was delivered. Never raises: a run's result matters more."""
    url = os.environ.get(WEBHOOK_ENV) or webhook_url
    if not url:
        return False
    payload = {"text": failure_message(outcome), "dataset": outcome["dataset"], "status": outcome["status"],
               "report": outcome.get("report"), "message": outcome.get("message", "")}
    try:
        response = requests.post(url, json=payload, timeout=timeout)
        response.raise_for_status()
    except requests.RequestException as exc:
        log.warning("failure notification not delivered: %s", type(exc).__name__)
        return False
    return True
