"""The one connection to CKAN: ckanapi's RemoteCKAN over a requests.Session that retries, set up here only.

Retries (urllib3 ``Retry``, with backoff) cover connection errors, timeouts and 5xx answers, POSTs included:
CKAN actions are POSTs, and the publisher is idempotent (chosen ids, a commit step that re-checks). One
exception: CKAN 2.12 corrupts a dataset's resource positions when ``resource_create`` runs twice with the same
resource id, so that action is retried only when CKAN surely did not apply it (no connection, 429, 500, 503);
after an ambiguous failure (read timeout, 502/504) the publisher looks at the dataset and decides itself.

A 4xx answer is not retried: ckanapi turns it into ``ValidationError``, ``NotAuthorized`` or ``NotFound`` and this
module into a ``PublishError`` naming the action and the dataset. An upload refused as too large (HTTP 413 from the
web server in front of CKAN, or CKAN's own ``ckan.max_resource_size``) says the file's size and where the limit is
set. Messages CKAN's own answers do not dictate come in Bahasa Indonesia, then English ("... / ..."). The API token
lives only in the session's headers; it is kept out of every message, exception and repr.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import requests
from ckanapi import RemoteCKAN
from ckanapi.errors import CKANAPIError, NotAuthorized, NotFound, ValidationError
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

import satudata
from satudata.core.publishing import PublishError

RETRY_STATUSES = (429, 500, 502, 503, 504)
UNAPPLIED_STATUSES = (429, 500, 503)     # CKAN rolled the action back, or never ran it
APPLY_ONCE_ACTIONS = ("resource_create",)   # retried only when CKAN surely did not apply them
CHUNK = 1 << 20


class CkanHttpError(PublishError):
    """An answer that is no CKAN action result (a proxy's 413 page, an HTML error): its HTTP status and body."""

    def __init__(self, message: str, status: int | None = None, body: str = "") -> None:
        super().__init__(message)
        self.status, self.body = status, body


class CkanUnavailable(CkanHttpError):
    """CKAN could not be reached, or kept failing, after every retry (the outcome of the last call is unknown)."""


def retry_policy(attempts: int, backoff: float, *, ambiguous: bool = True) -> Retry:
    """Retries for every method (POST included) on connection errors, timeouts and 5xx answers."""
    return Retry(total=attempts, connect=attempts, read=attempts if ambiguous else 0, status=attempts, other=0,
                 allowed_methods=None, status_forcelist=RETRY_STATUSES if ambiguous else UNAPPLIED_STATUSES,
                 backoff_factor=backoff, backoff_max=30, raise_on_status=True, respect_retry_after_header=True)


def _size(size: int) -> str:
    shown = f"{size / (1 << 20):.1f} MB" if size >= 1 << 20 else f"{size / 1024:.1f} KB"
    return f"{shown} ({size:,} bytes)"


def _http_status(exc: CKANAPIError) -> tuple[int | None, str]:
    """The HTTP status and body of an answer ckanapi could not read as a CKAN action result (e.g. a proxy's page)."""
    try:
        _, status, body = ast.literal_eval(exc.args[0])
        return int(status), str(body)
    except (ValueError, SyntaxError, TypeError, IndexError):
        return None, ""


def _limit_hint(body: str) -> str:
    """What the server said about its limit, if anything (a number with a unit in its answer)."""
    found = re.search(r"(\d[\d.,]*\s*(?:[kKmMgG]i?[bB]|bytes?|MB|KB|GB))", re.sub(r"<[^>]+>", " ", body))
    return found.group(1) if found else ""


def _short(value: Any, limit: int = 400) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= limit else text[:limit] + "…"


class CkanSession:
    """Call actions, upload files and download them back; every failure becomes a PublishError."""

    def __init__(self, url: str, token: str, *, attempts: int = 5, backoff: float = 0.5,
                 timeout: tuple[float, float] = (10, 300)) -> None:   # (connect, read) seconds
        self.url = url.rstrip("/")
        self.timeout = timeout
        self.attempts = attempts
        self._token = token
        self.http = requests.Session()
        self.http.headers["Authorization"] = token
        self.http.mount("http://", HTTPAdapter(max_retries=retry_policy(attempts, backoff)))
        self.http.mount("https://", HTTPAdapter(max_retries=retry_policy(attempts, backoff)))
        apply_once = HTTPAdapter(max_retries=retry_policy(attempts, backoff, ambiguous=False))
        for action in APPLY_ONCE_ACTIONS:   # requests picks the longest matching prefix
            self.http.mount(f"{self.url}/api/action/{action}", apply_once)
        self.ckan = RemoteCKAN(self.url, apikey=None, session=self.http,
                               user_agent=f"satudata/{satudata.__version__} (+ckanapi)")
        self._site_url: str | None = None
        self._user: dict | None = None

    def __repr__(self) -> str:
        return f"CkanSession({self.url!r})"

    def close(self) -> None:
        self.http.close()

    def _clean(self, text: str) -> str:
        return text.replace(self._token, "***") if len(self._token) >= 8 else text

    # --- actions ----------------------------------------------------------------------------------------
    def call(self, action: str, what: str, data: dict | None = None, *, missing_ok: bool = False,
             files: dict | None = None) -> Any:
        """One action; ``what`` names the object for messages (``dataset x``). NotFound → None if missing_ok."""
        try:
            return self.ckan.call_action(action, data or {}, files=files, requests_kwargs={"timeout": self.timeout})
        except NotFound:
            if missing_ok:
                return None
            raise PublishError(self._clean(f"CKAN {action} untuk {what}: tidak ditemukan / CKAN {action} for {what}: "
                                           "not found")) from None
        except NotAuthorized as exc:
            raise PublishError(self._clean(
                f"CKAN di {self.url} menolak {action} untuk {what}: tidak berwenang; periksa bahwa "
                "SATUDATA_CKAN_TOKEN adalah token API pengguna yang boleh menyunting organisasi ini / "
                f"CKAN refused {action} for {what}: not authorised ({_short(exc.args[0] if exc.args else '')}). "
                "Check that SATUDATA_CKAN_TOKEN is a valid API token of a user allowed to edit this "
                "organisation (a sysadmin's is simplest)")) from None
        except ValidationError as exc:
            raise PublishError(self._clean(
                f"CKAN di {self.url} menolak {action} untuk {what} / CKAN at {self.url} rejected {action} for {what}: "
                f"{_short(getattr(exc, 'error_dict', exc))}")) from None
        except requests.exceptions.RetryError as exc:
            raise CkanUnavailable(self._clean(
                f"CKAN di {self.url} terus gagal menjalankan {action} untuk {what} setelah {self.attempts} kali "
                f"dicoba ulang / CKAN at {self.url} kept failing {action} for {what} after {self.attempts} retries: "
                f"{_short(str(exc), 200)}")) from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            kind = "tidak menjawab tepat waktu" if isinstance(exc, requests.Timeout) else "tidak dapat dihubungi"
            raise CkanUnavailable(self._clean(
                f"CKAN di {self.url} {kind} ({action} untuk {what}) / cannot reach CKAN at {self.url} ({action} for "
                f"{what}): {type(exc).__name__}")) from None
        except CKANAPIError as exc:
            status, body = _http_status(exc)
            if status is not None:
                text = _short(" ".join(re.sub(r"<[^>]+>", " ", body).split()), 200)
                # a 5xx answer the retries let through (502/504 to resource_create): whether CKAN applied the
                # action is unknown, exactly as after a lost connection; the caller looks before trying again
                error = CkanUnavailable if status >= 500 else CkanHttpError
                raise error(self._clean(
                    f"CKAN di {self.url} menjawab HTTP {status} untuk {action} ({what}) / CKAN at {self.url} answered "
                    f"HTTP {status} to {action} for {what}: {text}"),
                    status, body) from None
            raise PublishError(self._clean(f"CKAN {action} untuk {what} gagal / CKAN {action} for {what} failed: "
                                           f"{_short(str(exc))}")) from None

    def upload(self, action: str, what: str, fields: dict[str, str], path: Path, filename: str) -> dict:
        """resource_create / resource_update with the file as a multipart upload (other fields flat strings)."""
        size = path.stat().st_size
        try:
            with path.open("rb") as handle:
                return self.call(action, what, fields, files={"upload": (filename, handle)})
        except CkanHttpError as exc:
            if exc.status != 413:
                raise
            hint = _limit_hint(exc.body)
            said = f"the server says: {hint}" if hint else "the server did not say its limit"
            raise PublishError(self._clean(
                f"CKAN di {self.url} menolak unggahan {what}: berkas {_size(size)} terlalu besar (HTTP 413; "
                f"{'server menyebut batas ' + hint if hint else 'server tidak menyebut batasnya'}). Perbaiki: "
                "naikkan batas unggahan di server web di depan CKAN (mis. client_max_body_size nginx) dan "
                "ckan.max_resource_size (MB) / "
                f"CKAN at {self.url} refused the upload of {what}: the file of {_size(size)} is too large (HTTP 413; "
                f"{said}). Fix: raise the upload limit of the web server in front of CKAN (e.g. nginx "
                "client_max_body_size) and ckan.max_resource_size (MB)")) from None
        except PublishError as exc:
            if "upload" in str(exc) and "too large" in str(exc).lower():   # CKAN's own ckan.max_resource_size
                raise PublishError(
                    f"{exc} — berkas {_size(size)} melebihi ckan.max_resource_size CKAN (MB, bawaan 10); naikkan "
                    f"batas itu / the file of {_size(size)} is over CKAN's ckan.max_resource_size (MB, default 10); "
                    "raise that limit") from None
            raise

    @property
    def site_url(self) -> str:
        """CKAN's own ckan.site_url: the base of every URL it hands out (may differ from the API URL used)."""
        if self._site_url is None:
            self._site_url = str(self.call("status_show", "the site")["site_url"]).rstrip("/")
        return self._site_url

    def user(self) -> dict:
        """The user the token belongs to; a clear error when CKAN does not know the token."""
        if self._user is None:
            found = self.call("user_show", "the API token's user", missing_ok=True)
            if not found:
                raise PublishError(f"CKAN di {self.url} tidak menerima SATUDATA_CKAN_TOKEN: pemanggil dianggap "
                                   "anonim. Buat token API baru (profil pengguna → API tokens) lalu pasang / "
                                   f"CKAN at {self.url} did not accept SATUDATA_CKAN_TOKEN: it treats the caller "
                                   "as anonymous. Create a new API token (user profile → API tokens) and set it.")
            self._user = found
        return self._user

    # --- files ------------------------------------------------------------------------------------------
    def download(self, url: str, dest: Path | None = None) -> tuple[str, int]:
        """sha256 and size of the file at url (as this user sees it), also written to dest when given."""
        digest, size = hashlib.sha256(), 0
        try:
            with self.http.get(url, stream=True, timeout=self.timeout) as answer:
                if answer.status_code != 200:
                    raise PublishError(f"unduhan {url} menjawab HTTP {answer.status_code} / download of {url} "
                                       f"answered HTTP {answer.status_code}")
                handle = dest.open("wb") if dest else None
                try:
                    for chunk in answer.iter_content(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        if handle:
                            handle.write(chunk)
                finally:
                    if handle:
                        handle.close()
        except (requests.exceptions.RetryError, requests.ConnectionError, requests.Timeout) as exc:
            raise CkanUnavailable(self._clean(f"tidak dapat mengunduh {url} / cannot download {url}: "
                                              f"{type(exc).__name__}")) from None
        return digest.hexdigest(), size
