"""The fast staging under the name the benchmark (bench/pipeline_once.py) and the agreement tests call it by: it is
``columnar.stage_fast``, which streams any format with a fast reading (the CSV format's, formats/csv/fast.py)."""

from satudata.sources.columnar import WHITESPACE, stage_fast

stage_csv_fast = stage_fast

__all__ = ["WHITESPACE", "stage_csv_fast"]
