"""The names OpenLineage gives the datasets and jobs of a version (the spec's naming conventions): a file named as
the catalogue declares it, an HTTP(S) URL, an object-store key, the tables a SQL query reads; one job a dataset."""

from __future__ import annotations

from urllib.parse import urlparse

DATASET_JOB = "publish_dataset"         # job name: {flow}.{dataset id}, one job per dataset (its own schedule)


def export_names(export: dict) -> list[tuple[str, str]]:
    """(namespace, name) of the dataset(s) an export was read from, by the OpenLineage naming spec.

    A file named by the catalogue (relative to its folder): namespace ``file``, name the path; an HTTP(S) URL:
    namespace ``scheme://host[:port]``, name the path (and query); a SQL source: the tables its query reads
    (openlineage-sql), in the database's namespace (``postgres://host:port`` with ``database.schema.table``, ...).
    """
    if export.get("query"):
        return _sql_names(export["uri"], export["query"])
    return [file_name(export["uri"])]


def file_name(uri: str) -> tuple[str, str]:
    """(namespace, name) of a file by its URI: a URL, an object-store key or a path relative to a known root."""
    parsed = urlparse(uri)
    if parsed.scheme in ("http", "https"):
        path = (parsed.path or "/") + (f"?{parsed.query}" if parsed.query else "")
        return f"{parsed.scheme}://{parsed.netloc}", path
    if parsed.scheme in ("s3", "gs"):
        return f"{parsed.scheme}://{parsed.netloc}", parsed.path.lstrip("/")
    if parsed.scheme == "file":
        return ("file", parsed.path) if not parsed.netloc else (f"file://{parsed.netloc}", parsed.path)
    return "file", uri


SQL_DIALECTS = {"postgresql": "postgres", "postgres": "postgres", "mysql": "mysql", "mariadb": "mysql",
                "sqlite": "sqlite", "mssql": "mssql", "oracle": "oracle"}
DEFAULT_PORTS = {"postgres": 5432, "mysql": 3306, "mssql": 1433, "oracle": 1521}


def _sql_names(url: str, query: str) -> list[tuple[str, str]]:
    from openlineage_sql import parse

    parsed = urlparse(url)
    kind = SQL_DIALECTS.get(parsed.scheme.split("+")[0], parsed.scheme.split("+")[0])
    try:
        tables = parse([query], dialect=kind if kind != "mssql" else "mssql").in_tables
    except Exception:  # noqa: BLE001 - a query the parser cannot read: the database itself is the input
        tables = []
    if kind == "sqlite":   # a local database file: no host; named like BigQuery's ``bigquery`` namespace
        database = parsed.path.removeprefix("/")
        return [("sqlite", f"{database}.{t.qualified_name}") for t in tables] or [("sqlite", database)]
    namespace = f"{kind}://{parsed.hostname}:{parsed.port or DEFAULT_PORTS.get(kind, '')}".rstrip(":")
    database = parsed.path.strip("/")
    names = []
    for table in tables:
        schema = table.schema or ("public" if kind == "postgres" else None)
        names.append((namespace, ".".join(p for p in (table.database or database, schema, table.name) if p)))
    return names or [(namespace, database)]


def job_name(dataset_id: str) -> str:
    return f"{DATASET_JOB}.{dataset_id}"


def dataset_of_job(name: str) -> str:
    """The dataset id a job name belongs to (records written before the job was named {flow}.{dataset} too)."""
    return name.removeprefix(f"{DATASET_JOB}.")
