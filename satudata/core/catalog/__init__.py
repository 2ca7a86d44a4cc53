"""The catalogue: catalog.yaml (and the one-dataset files it includes) → typed, checked objects.

``base`` (allowed values, the error), ``options`` (reading options), ``models`` (portal, departments, datasets),
``loading`` (reading and checking the files; every mistake named by file, key path and fix).
"""
from satudata.core.catalog.base import (
    DIMENSIONS,
    FORMATS,
    FREQUENCIES,
    ID_PATTERN,
    SOURCE_KINDS,
    STORE_PATTERN,
    CatalogError,
)
from satudata.core.catalog.loading import load_catalog, load_schema, load_suite
from satudata.core.catalog.models import (
    ENV_REFERENCE,
    Bilingual,
    Catalog,
    Contact,
    Dataset,
    Department,
    Portal,
    Publisher,
    SmallCells,
    Source,
    Temporal,
)
from satudata.core.catalog.options import CASES, ReadOptions, ReplaceRule, Unpivot

__all__ = [
    "Bilingual", "CASES", "Catalog", "CatalogError", "Contact", "DIMENSIONS", "Dataset", "Department",
    "ENV_REFERENCE", "FORMATS", "FREQUENCIES", "ID_PATTERN", "Portal", "Publisher", "ReadOptions",
    "ReplaceRule", "SOURCE_KINDS", "STORE_PATTERN", "SmallCells", "Source", "Temporal", "Unpivot",
    "load_catalog", "load_schema", "load_suite",
]
