"""How publish/ckan_session.py words the failures of a CKAN call, against a loopback server that answers like a web
server in front of CKAN (an nginx 413 page, a 502 page) or like CKAN itself (its ValidationError for an upload over
ckan.max_resource_size): bilingual, naming the URL, the file and its size, never the token."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from satudata.core.publishing import PublishError
from satudata.publish.ckan_session import CkanSession, CkanUnavailable
from tests.loopback import serving

TOKEN = "secret-token-for-the-error-tests-0123456789"
NGINX_413 = (b"<html><head><title>413 Request Entity Too Large</title></head><body><center><h1>413 Request Entity "
             b"Too Large</h1></center><hr><center>nginx</center></body></html>")
TOO_LARGE = json.dumps({"success": False, "error": {"__type": "Validation Error",
                                                    "upload": ["File upload too large"]}}).encode()


@pytest.fixture
def server() -> Iterator[dict]:
    answers: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            status, body = answers["next"]
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    with serving(Handler) as url:
        answers["url"] = url
        yield answers


def _upload(server: dict, tmp_path: Path, answer: tuple[int, bytes]) -> PublishError:
    server["next"] = answer
    path = tmp_path / "data.parquet"
    path.write_bytes(b"x" * 3 * 1024 * 1024)
    session = CkanSession(server["url"], TOKEN, attempts=0)
    with pytest.raises(PublishError) as caught:
        session.upload("resource_create", "data.parquet of dataset contoh", {"id": "r"}, path, path.name)
    assert TOKEN not in str(caught.value)
    return caught.value


def test_a_413_from_the_web_server_names_the_file_its_size_the_url_and_where_the_limit_is(server, tmp_path):
    message = str(_upload(server, tmp_path, (413, NGINX_413)))
    indonesian, english = message.split(" / ", 1)
    assert "menolak unggahan data.parquet of dataset contoh" in indonesian and "terlalu besar" in indonesian
    assert f"CKAN at {server['url']} refused the upload of data.parquet of dataset contoh" in english
    assert "3.0 MB (3,145,728 bytes)" in indonesian and "3.0 MB (3,145,728 bytes)" in english
    assert "HTTP 413; the server did not say its limit" in english and "client_max_body_size" in english


def test_a_413_that_states_its_limit_is_quoted(server, tmp_path):
    message = str(_upload(server, tmp_path, (413, b"<h1>Request too large</h1><p>limit: 2 MB</p>")))
    assert "the server says: 2 MB" in message and "server menyebut batas 2 MB" in message


def test_ckans_own_upload_limit_adds_the_size_and_the_setting(server, tmp_path):
    message = str(_upload(server, tmp_path, (409, TOO_LARGE)))
    assert "File upload too large" in message and "3,145,728 bytes" in message
    assert "ckan.max_resource_size" in message and " / " in message


def test_a_5xx_page_the_retries_let_through_is_an_unknown_outcome(server, tmp_path):
    error = _upload(server, tmp_path, (502, b"<html><body><h1>502 Bad Gateway</h1></body></html>"))
    assert isinstance(error, CkanUnavailable)    # the publisher looks whether the upload landed, then retries
    assert "HTTP 502" in str(error) and "502 Bad Gateway" in str(error) and server["url"] in str(error)
