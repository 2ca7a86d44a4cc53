"""Great Expectations 1.x adapter: run a suite on the typed table, turn its results into check results."""

from __future__ import annotations

import json
import logging
import os
import threading
import warnings
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from satudata.core.memory import gives_back_memory
from satudata.core.problems import ERROR, WARNING, Problem
from satudata.core.records import FAILS
from satudata.validators.report import EXAMPLE_CAP, OBSERVED, CheckResult

ROW = "_row"


def _quiet_environment() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message="This pattern is interpreted as a regular expression")
    warnings.filterwarnings("ignore", module=r"great_expectations(\..*)?")


_context_lock = threading.RLock()


@lru_cache(maxsize=1)
def _context_unlocked() -> Any:
    _quiet_environment()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    for name in list(logging.root.manager.loggerDict):   # some GX modules set their own level to INFO
        if name.startswith("great_expectations"):
            logging.getLogger(name).setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


def _context() -> Any:
    with _context_lock:   # datasets validate in threads; one GX context per process
        return _context_unlocked()


class SuiteError(ValueError):
    """The suite file cannot be used as written (GX would silently drop what it does not know)."""


def load_suite(path: Path) -> Any:
    """The suite's GX expectations as a GX suite; satudata's own (which GX does not know) are left out: they run in
    SQL whichever engine runs these (validators.expectations_sql.own)."""
    import great_expectations as gx

    from satudata.validators.expectations_sql.own import is_own

    document = json.loads(path.read_text(encoding="utf-8"))
    document["expectations"] = [e for e in document.get("expectations") or []
                                if not (isinstance(e, dict) and is_own(e.get("type")))]
    gx_logger = logging.getLogger("great_expectations")
    level, gx_logger.level = gx_logger.level, logging.CRITICAL   # GX logs a traceback for an unknown type
    try:
        suite = gx.ExpectationSuite(**document)
    finally:
        gx_logger.setLevel(level)
    loaded = Counter(e.expectation_type for e in suite.expectations)
    unknown = sorted((Counter(e.get("type") for e in document.get("expectations", [])) - loaded).elements())
    if unknown:
        raise SuiteError(f"{path.name}: unknown expectation type(s) {', '.join(map(str, unknown))}; fix the spelling "
                         "(Great Expectations 1.x names, e.g. expect_column_pair_values_a_to_be_greater_than_b, or "
                         "satudata's own: satudata checks lists them)")
    return suite


def _severity(config: Any) -> str:
    declared = (config.meta or {}).get("severity") or getattr(config, "severity", None)
    text = str(getattr(declared, "value", declared) or "").lower()
    return WARNING if text in ("warning", "info") else ERROR


def _field(kwargs: dict) -> str | None:
    if "column" in kwargs:
        return kwargs["column"]
    if "column_A" in kwargs:
        return f"{kwargs['column_A']}, {kwargs['column_B']}"
    if "column_list" in kwargs:
        return ", ".join(kwargs["column_list"])
    return None


def _detail(kwargs: dict, result: dict) -> str:
    shown = {k: v for k, v in kwargs.items() if k not in ("batch_id", "column", "column_A", "column_B")}
    text = ", ".join(f"{k}={v}" for k, v in shown.items())
    if "observed_value" in result:
        text += f"{OBSERVED}{result['observed_value']}"
    return text


def _examples(check: str, severity: str, field: str | None, result: dict, cap: int | None,
              file: str | None) -> list[Problem]:
    examples: list[Problem] = []
    for item in result.get("unexpected_index_list") or []:
        if cap is not None and len(examples) >= cap:
            break
        values = [str(v) for k, v in item.items() if k != ROW]
        examples.append(Problem(check, severity, field, int(item[ROW]) if ROW in item else None,
                                ", ".join(values) or None, file))
    return examples


@gives_back_memory
def run_suite(typed_parquet: Path, suite_path: Path, cap: int | None = EXAMPLE_CAP) -> list[CheckResult]:
    """Validate the typed table (with its ``_row`` column) against the suite."""
    try:
        suite = load_suite(suite_path)
    except SuiteError as exc:
        return [CheckResult("gx:suite", "great-expectations", ERROR, None, 1, [], str(exc))]
    parquet = pq.ParquetFile(typed_parquet)
    frame = parquet.read(columns=[c for c in parquet.schema_arrow.names if c != FAILS]).to_pandas()
    files = frame["_file"].unique().tolist() if "_file" in frame.columns else []
    file = files[0] if len(files) == 1 else None   # with several export files a row number alone names no file
    frame = frame.drop(columns=[c for c in ("_file", FAILS) if c in frame.columns])
    with _context_lock:   # GX contexts are not thread-safe
        context = _context()
        name = f"suite-{suite.name}"
        try:
            source = context.data_sources.get(name)
        except (KeyError, ValueError):
            source = context.data_sources.add_pandas(name)
        try:
            asset = source.get_asset("table")
        except (LookupError, KeyError, ValueError):
            asset = source.add_dataframe_asset("table")
        try:
            batch_definition = asset.get_batch_definition("whole")
        except (LookupError, KeyError, ValueError):
            batch_definition = asset.add_batch_definition_whole_dataframe("whole")
        batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
        validation = batch.validate(suite, result_format={
            "result_format": "COMPLETE", "unexpected_index_column_names": [ROW],
            "partial_unexpected_count": cap or 20, "return_unexpected_index_query": False,
        })

    results: list[CheckResult] = []
    for outcome in validation.results:
        config = outcome.expectation_config
        check, severity = f"gx:{config.type}", _severity(config)
        kwargs, result = dict(config.kwargs), dict(outcome.result or {})
        field = _field(kwargs)
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            message = outcome.exception_info.get("exception_message", "")
            results.append(CheckResult(check, "great-expectations", ERROR, field, 1, [], f"error: {message}"))
            continue
        count = 0 if outcome.success else int(result.get("unexpected_count") or 1)
        examples = [] if outcome.success else _examples(check, severity, field, result, cap, file)
        arguments = {k: v for k, v in kwargs.items() if k != "batch_id"}
        results.append(CheckResult(check, "great-expectations", severity, field, count, examples,
                                   _detail(kwargs, result), arguments))
    return results
