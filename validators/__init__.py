"""Validation of department exports: Table Schema (DuckDB), Great Expectations, privacy — one report."""
