"""Validate an OpenLineage RunEvent (a dict, as written to lineage.jsonl) against the OpenLineage JSON Schema.

The event is checked against the core schema's ``$defs/RunEvent``, then every facet in it (run, job, inputs[].facets,
inputs[].inputFacets, outputs[].facets, outputs[].outputFacets) against the schema its ``_schemaURL`` names. The
schemas are the copies in ``openlineage_spec/`` (see its README for their source) and satudata's own facet schemas in
``satudata/lineage/facets/``; nothing is fetched over the network, and a ``_schemaURL`` naming none of them is an
error. Formats are asserted (uuid, date-time, uri).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import urldefrag

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

SPEC_DIR = Path(__file__).resolve().parent / "openlineage_spec"
CORE = "https://openlineage.io/spec/2-0-2/OpenLineage.json"
RUN_EVENT = f"{CORE}#/$defs/RunEvent"

# Versions our events (or the facet schemas we keep) reference for which the stored OpenLineage repository history
# has no copy: each is served by the nearest stored version (README.md says which and why).
STAND_INS = {
    "https://openlineage.io/spec/2-0-2/OpenLineage.json": "https://openlineage.io/spec/2-0-7/OpenLineage.json",
    "https://openlineage.io/spec/1-0-2/OpenLineage.json": "https://openlineage.io/spec/2-0-7/OpenLineage.json",
    "https://openlineage.io/spec/1-0-3/OpenLineage.json": "https://openlineage.io/spec/2-0-7/OpenLineage.json",
    "https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json":
        "https://openlineage.io/spec/facets/1-0-0/SchemaDatasetFacet.json",
    "https://openlineage.io/spec/facets/1-1-1/ProcessingEngineRunFacet.json":
        "https://openlineage.io/spec/facets/1-1-0/ProcessingEngineRunFacet.json",
    "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json":
        "https://openlineage.io/spec/facets/1-0-0/ErrorMessageRunFacet.json",
    "https://openlineage.io/spec/facets/1-1-0/SQLJobFacet.json": "https://openlineage.io/spec/1-0-1/SQLJobFacet.json",
    "https://openlineage.io/spec/1-0-1/OpenLineage.json": "https://openlineage.io/spec/2-0-7/OpenLineage.json",
}

FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER
_MISSING = {"uuid", "date-time", "uri"} - set(FORMAT_CHECKER.checkers)
if _MISSING:  # jsonschema skips a format silently when its checker's package is missing
    raise RuntimeError(f"jsonschema cannot check the formats {sorted(_MISSING)}: install rfc3339-validator and "
                       "rfc3986-validator (the dev extra)")


def schema_files() -> list[Path]:
    """The stored OpenLineage schemas, then satudata's own facet schemas."""
    ours = resources.files("satudata.lineage") / "facets"
    return sorted(SPEC_DIR.rglob("*.json")) + sorted(Path(str(p)) for p in ours.iterdir() if p.name.endswith(".json"))


@lru_cache(maxsize=1)
def registry() -> Registry:
    """Every schema under its ``$id``, and the stand-ins under the URL they stand in for; no retrieval."""
    by_id: dict[str, Resource] = {}
    for path in schema_files():
        resource = Resource.from_contents(json.loads(path.read_text(encoding="utf-8")),
                                          default_specification=DRAFT202012)
        uri = resource.id()
        if not uri:
            raise ValueError(f"{path} has no $id")
        if uri in by_id:
            raise ValueError(f"two stored schemas have the $id {uri}")
        by_id[uri] = resource
    aliases = [(alias, by_id[target]) for alias, target in STAND_INS.items() if alias not in by_id]
    return Registry().with_resources([*by_id.items(), *aliases]).crawl()


def _validator(ref: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": ref}, registry=registry(), format_checker=FORMAT_CHECKER)


def _leaf(error: ValidationError) -> ValidationError:
    """The most specific cause of an anyOf/oneOf/allOf failure (jsonschema reports those as one opaque error)."""
    while error.context:
        error = best_match(error.context)
    return error


def _where(prefix: str, error: ValidationError) -> str:
    parts = [prefix] if prefix else []
    parts += [f"[{p}]" if isinstance(p, int) else str(p) for p in error.absolute_path]
    return ".".join(parts).replace(".[", "[") or "(event)"


def _errors(instance: object, ref: str, prefix: str) -> list[str]:
    found = sorted(_validator(ref).iter_errors(instance), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{_where(prefix, leaf)}: {leaf.message}" for leaf in map(_leaf, found)]


def _unknown(url: str) -> str | None:
    """Why ``url`` names no stored schema definition, or None when it names one."""
    if urldefrag(url).fragment[:7] != "/$defs/":
        return f"{url!r} names no definition (no #/$defs/<Name> fragment)"
    try:
        registry().resolver().lookup(url)
    except Unresolvable:
        return f"{url!r} is not a known schema"
    return None


def facets(event: dict) -> Iterator[tuple[str, object]]:
    """(path, facet) of every facet in the event."""
    for owner in ("run", "job"):
        for name, facet in ((event.get(owner) or {}).get("facets") or {}).items():
            yield f"{owner}.facets.{name}", facet
    for side, extra in (("inputs", "inputFacets"), ("outputs", "outputFacets")):
        for i, dataset in enumerate(event.get(side) or []):
            for group in ("facets", extra):
                for name, facet in ((dataset or {}).get(group) or {}).items():
                    yield f"{side}[{i}].{group}.{name}", facet


def validate_event(event: dict) -> list[str]:
    """Readable errors ("<path>: <message>") of the event against the OpenLineage schema; [] when it is valid."""
    schema_url = event.get("schemaURL", RUN_EVENT)
    problem = _unknown(schema_url) if isinstance(schema_url, str) else "schemaURL is not a string"
    if problem is None and not schema_url.endswith("#/$defs/RunEvent"):
        problem = f"{schema_url!r} is not a RunEvent schema"
    errors = [f"schemaURL: {problem}"] if problem else []
    errors += _errors(event, schema_url if problem is None else RUN_EVENT, "")
    for path, facet in facets(event):
        url = facet.get("_schemaURL") if isinstance(facet, dict) else None
        if not isinstance(url, str):
            continue                        # the core schema has reported it (a facet is an object with _schemaURL)
        problem = _unknown(url)
        if problem:
            errors.append(f"{path}._schemaURL: {problem}")
        else:
            errors += _errors(facet, url, path)
    return errors
