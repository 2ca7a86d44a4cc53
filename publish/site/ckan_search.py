"""package_search over the static search index (api/3/search-index.json), as `satudata serve` answers it.

Supported: ``q`` (words, each must begin a word of the title, description, tags or department, in Indonesian or
English; ``"a phrase"``; ``field:value`` for name, title, tags, organization, res_format; ``*:*`` for all), ``fq``
(the same field terms), ``rows`` (default 10, at most 1000), ``start`` and ``sort`` (``score desc,
metadata_modified desc`` by default; ``name``, ``title_string`` or ``metadata_modified`` with ``asc``/``desc``).
Solr's stemming, boosts and OR are not reproduced. A bad value is CKAN's error: ``SearchError`` ("Search Query
Error") or ``ValidationError``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from satudata.publish.site.ckan_api import SEARCH_SORT, searchable

DEFAULT_ROWS, MAX_ROWS = 10, 1000
DEFAULT_SORT = SEARCH_SORT
FIELDS = {"name", "title", "tags", "organization", "res_format", "text"}
SORTS = {"name": "name", "title_string": "title", "metadata_modified": "metadata_modified"}
TERM = re.compile(r'\+?(?:(\w+):)?("[^"]*"|\S+)')


@dataclass
class SearchFailed(Exception):
    """A call CKAN would refuse: ``kind`` is its ``__type``, ``status`` its HTTP status."""

    kind: str
    message: str | dict
    status: int = 409


def _terms(query: str) -> list[tuple[str | None, str]]:
    terms = []
    for field, value in TERM.findall(query):
        if not field and value in ("AND", "&&", "*", "*:*"):
            continue
        if field and field not in FIELDS:
            raise SearchFailed("Search Query Error", f"Search Query Error: field {field!r} cannot be searched here; "
                                                     f"use one of {', '.join(sorted(FIELDS))}")
        if value.strip('"'):
            terms.append((field or None, value.strip('"')))
    return terms


def _score(entry: dict, field: str | None, value: str) -> int:
    """How well one term matches a dataset (0: not at all). A word matches a word it begins."""
    if field in ("name", "organization"):
        return int(entry[field] == value)
    if field == "tags":
        return int(value in entry["tags"])
    if field == "res_format":
        return int(value.lower() in (f.lower() for f in entry["res_format"]))
    wanted = searchable(value).split()
    if not wanted:
        return 1
    haystacks = [entry["title_text"]] if field == "title" else [entry["title_text"], entry["text"]]
    score = 0
    for weight, text in zip((2, 1), haystacks, strict=False):
        phrase = f" {text} "
        if len(wanted) > 1:
            score += weight * int(f" {' '.join(wanted)}" in phrase)
        else:
            score += weight * int(any(word.startswith(wanted[0]) for word in text.split()))
    return score


def _integer(params: dict, name: str, default: int) -> int:
    value = params.get(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SearchFailed("Validation Error", {name: ["Invalid integer"]}) from None
    if number < 0:
        raise SearchFailed("Validation Error", {name: ["Must be a natural number"]})
    return number


def _ordered(found: list[tuple[int, dict]], sort: str) -> list[dict]:
    found = sorted(found, key=lambda pair: pair[1]["metadata_modified"], reverse=True)
    if sort.replace(" ", "") == DEFAULT_SORT.replace(" ", ""):
        return [entry for _, entry in sorted(found, key=lambda pair: -pair[0])]
    parts = sort.split()
    if len(parts) != 2 or parts[0] not in SORTS or parts[1] not in ("asc", "desc"):
        raise SearchFailed("Search Query Error", f"Search Query Error: cannot sort by {sort!r}; use "
                                                 f"{', '.join(SORTS)} with asc or desc")
    key = SORTS[parts[0]]
    return sorted((entry for _, entry in found), key=lambda e: str(e[key]).lower(), reverse=parts[1] == "desc")


def search(index: dict, params: dict) -> tuple[int, list[str], str]:
    """(count, names of the datasets on the asked page, sort) of a package_search with these parameters."""
    rows = min(_integer(params, "rows", DEFAULT_ROWS), MAX_ROWS)
    start = _integer(params, "start", 0)
    terms = _terms(str(params.get("q") or "")) + _terms(str(params.get("fq") or ""))
    sort = str(params.get("sort") or DEFAULT_SORT)
    found = []
    for entry in index["datasets"]:
        scores = [_score(entry, field, value) for field, value in terms]
        if all(scores):
            found.append((sum(scores), entry))
    ordered = _ordered(found, sort)
    return len(ordered), [e["name"] for e in ordered[start:start + rows]], sort
