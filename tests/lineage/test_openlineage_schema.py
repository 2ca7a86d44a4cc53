"""Our OpenLineage events (COMPLETE and FAIL, as build_events makes them) validate against the OpenLineage JSON Schema
and our own facet schemas; and the validator does catch an event that does not."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from importlib import resources
from urllib.parse import urldefrag

import pytest
from jsonschema import Draft202012Validator

from satudata.lineage.record import (
    ChainRunFacet,
    ChecksumDatasetFacet,
    LineageInput,
    ReadingRunFacet,
    build_events,
    event_dicts,
)
from satudata.validators.report import CheckResult
from tests.lineage.ol_schema import RUN_EVENT, SPEC_DIR, STAND_INS, facets, registry, schema_files, validate_event

RUN_ID = "5b0f7a52-3c1e-4d8a-9f61-2f0c1d9e8a77"
PARENT_ID = "c3d4e5f6-0718-4293-a4b5-c6d7e8f90a1b"
PORTAL = "http://127.0.0.1:8000/bkad/realisasi-apbd/1.0.0"


def _checks() -> list[dict]:
    return [CheckResult("type", "table-schema", "error", "tahun", 0, detail="integer/default").as_dict(),
            CheckResult("maximum", "table-schema", "warning", "persentase", 1, detail="100").as_dict(),
            CheckResult("primary-key", "table-schema", "error", None, 2, detail="tahun, kode_opd").as_dict(),
            CheckResult("gx:expect_table_row_count_to_be_between", "great-expectations", "error", None, 0,
                        detail="min_value=250").as_dict()]


def _published() -> LineageInput:
    return LineageInput(
        "realisasi-apbd", "1.0.0", RUN_ID, "2025-07-01T02:00:00+00:00",
        [{"name": "query_result.csv", "uri": "sqlite:////srv/exports/bkad/sipd_export.sqlite", "format": "csv",
          "sha256": "a" * 64, "bytes": 28695, "pulled_at": "2025-07-01T02:00:01+00:00"},
         {"name": "lampiran.xlsx", "uri": "file:///srv/exports/bkad/lampiran.xlsx", "format": "xlsx",
          "sha256": "b" * 64, "bytes": 1061, "pulled_at": "2025-07-01T02:00:02+00:00"}],
        [("tahun", "integer"), ("kode_opd", "string"), ("persentase", "number")], _checks(),
        outputs=[{"name": n, "uri": f"{PORTAL}/{n}", "sha256": c * 64, "bytes": 100 + i}
                 for i, (n, c) in enumerate((("data.parquet", "c"), ("data.csv", "d"), ("datapackage.json", "e")))],
        schema_sha256="f" * 64, suite_sha256="1" * 64, previous_version="0.9.0", previous_lineage_sha256="2" * 64,
        parent_run_id=PARENT_ID, code_root=".",
        reading={"dialects": {"query_result.csv": {"format": "csv", "encoding": "utf-8", "delimiter": ",",
                                                   "quotechar": '"', "sniffed": []}},
                 "units": {"persentase": "%"},
                 "transformations": [{"field": "persentase", "transform": "units", "how": "%", "cells": 12},
                                     {"field": None, "transform": "header_rows", "how": "rows 1, 2", "cells": None}],
                 "dropped_rows": {"kode_opd": 2}})


def _rejected() -> LineageInput:
    """As publish.quarantine makes it: no version, the quarantined files as outputs, the rejection as the error."""
    info = _published()
    info.version, info.columns, info.previous_version, info.previous_lineage_sha256 = None, [], None, None
    info.outputs = [{"name": n, "uri": f"file:///srv/quarantine/realisasi-apbd/20250701T020003Z/{n}",
                     "sha256": "9" * 64, "bytes": 7} for n in ("query_result.csv", "validation.json")]
    info.error = "1 errors in 4 checks: primary-key(table)"
    return info


@pytest.fixture(scope="module")
def complete() -> dict:
    return event_dicts(build_events(_published()))[1]


@pytest.mark.parametrize(("info", "state"), [(_published, "COMPLETE"), (_rejected, "FAIL")], ids=["COMPLETE", "FAIL"])
def test_start_and_end_events_are_valid_openlineage(info: Callable[[], LineageInput], state: str):
    start, end = event_dicts(build_events(info(), state))
    assert (start["eventType"], end["eventType"]) == ("START", state)
    assert validate_event(start) == []
    assert validate_event(end) == []


def test_every_facet_is_checked_against_the_schema_it_names(complete: dict):
    fail = event_dicts(build_events(_rejected(), "FAIL"))[1]
    named = {name: facet["_schemaURL"] for event in (complete, fail) for path, facet in facets(event)
             for name in [path.rsplit(".", 1)[1]]}
    assert set(named) >= {"checksum", "schema", "dataQualityAssertions", "jobType", "processing_engine", "parent",
                          "satudata_chain", "errorMessage"}
    for url in named.values():                  # each resolves to a definition in the stored schemas
        assert registry().resolver().lookup(url).contents.get("allOf"), url
    assert complete["schemaURL"] == RUN_EVENT


def _set(path: str, value: object) -> Callable[[dict], None]:
    def change(event: dict) -> None:
        *parents, last = path.split(".")
        target = event
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value
    return change


_DELETE = object()


@pytest.mark.parametrize(("change", "expected"), [
    (_set("producer", _DELETE), "(event): 'producer' is a required property"),
    (_set("run.runId", "run-42"), "run.runId: 'run-42' is not a 'uuid'"),
    (_set("run.facets.processing_engine._producer", _DELETE),
     "run.facets.processing_engine: '_producer' is a required property"),
    (_set("job.facets.jobType._schemaURL", "https://openlineage.io/spec/facets/9-9-9/JobTypeJobFacet.json"
                                           "#/$defs/JobTypeJobFacet"),
     "job.facets.jobType._schemaURL: 'https://openlineage.io/spec/facets/9-9-9/JobTypeJobFacet.json"
     "#/$defs/JobTypeJobFacet' is not a known schema"),
    (_set("outputs.0.facets.checksum.bytes", "100"),
     "outputs[0].facets.checksum.bytes: '100' is not of type 'integer'"),
    (_set("inputs.0.facets.checksum.bytes", 1.5), "inputs[0].facets.checksum.bytes: 1.5 is not of type 'integer'"),
    (_set("inputs.0.facets.checksum.sha256", "A" * 64), "inputs[0].facets.checksum.sha256: 'AAAA"),
    (_set("run.facets.satudata_chain._schemaURL",
          "https://satudata.malangkota.go.id/lineage/facets/1-0-0/ChainRunFacet.json"),
     "run.facets.satudata_chain._schemaURL: 'https://satudata.malangkota.go.id/lineage/facets/1-0-0/"
     "ChainRunFacet.json' names no definition"),
    (_set("run.facets.satudata_chain.target", "ftp"), "run.facets.satudata_chain.target: 'ftp' is not one of"),
    (_set("run.facets.parent.run.runId", "parent"), "run.facets.parent.run.runId: 'parent' is not a 'uuid'"),
    (_set("eventTime", "2025-07-01 02:00"), "eventTime: '2025-07-01 02:00' is not a 'date-time'"),
    (_set("eventType", "DONE"), "eventType: 'DONE' is not one of"),
    (_set("job.facets.sourceCodeLocation", {"_producer": "not a uri", "type": "git", "url": "x",
                                            "_schemaURL": "https://openlineage.io/spec/facets/1-1-0/"
                                                          "SourceCodeLocationJobFacet.json"
                                                          "#/$defs/SourceCodeLocationJobFacet"}),
     "job.facets.sourceCodeLocation._producer: 'not a uri' is not a 'uri'"),
    (_set("inputs.0.inputFacets.dataQualityAssertions.assertions.0.success", "yes"),
     "inputs[0].inputFacets.dataQualityAssertions.assertions[0].success: 'yes' is not of type 'boolean'"),
    (_set("schemaURL", "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent"),
     "schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent' is not a RunEvent schema"),
    (_set("run.facets.satudata_reading.droppedRows.kode_opd", "2"),
     "run.facets.satudata_reading.droppedRows.kode_opd: '2' is not of type 'integer'"),
], ids=["no-producer", "runId-not-uuid", "facet-without-_producer", "unknown-_schemaURL", "checksum-bytes-string",
        "checksum-bytes-float", "checksum-sha256-uppercase", "_schemaURL-without-fragment", "chain-target",
        "parent-runId", "eventTime-not-date-time", "eventType", "_producer-not-uri", "assertion-success",
        "event-schemaURL-not-RunEvent", "reading-dropped-rows-string"])
def test_validator_catches_a_bad_event(complete: dict, change: Callable[[dict], None], expected: str):
    event = copy.deepcopy(complete)
    change(event)
    errors = validate_event(event)
    assert any(e.startswith(expected) for e in errors), errors


def test_stored_schemas_are_valid_draft_2020_12_with_the_ids_the_readme_names():
    text = (SPEC_DIR / "README.md").read_text(encoding="utf-8")
    for path in schema_files():
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        if "openlineage_spec" in path.parts:
            assert schema["$id"] in text, f"{path.name}: its $id is not in README.md"
    for alias, stand_in in STAND_INS.items():
        assert alias in text and stand_in in text


def test_our_facet_schemas_ship_in_the_package_under_the_url_the_facets_name():
    shipped = {p.name: json.loads(p.read_text(encoding="utf-8"))
               for p in (resources.files("satudata.lineage") / "facets").iterdir() if p.name.endswith(".json")}
    for facet in (ChecksumDatasetFacet, ChainRunFacet, ReadingRunFacet):
        url, fragment = urldefrag(facet._get_schema())
        schema = shipped[f"{facet.__name__}.json"]
        assert schema["$id"] == url and fragment == f"/$defs/{facet.__name__}"
        assert facet.__name__ in schema["$defs"]
