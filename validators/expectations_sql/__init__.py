"""The GX suite in DuckDB SQL over the typed Parquet: the same check results as ``gx_suite.run_suite``, at scale.

GX 1.x on pandas stays the reference (tests/unit/test_expectations_sql.py compares both on every demo dataset
and on planted failures); its semantics are copied, not approximated:

- map expectations (``rows``) skip nulls and pass when (non-null - unexpected) / non-null >= mostly;
- aggregate expectations (``aggregates``) compute each statistic as numpy and pandas do;
- values are shown as pandas holds them: integers of a column with nulls are floats ("7.0"), a null is "nan"
  ("None" in date columns); kwargs are shown as GX normalises them (``kwargs``: field order, defaults left out);
- results come in GX's order (``suite``).

``run_suite_sql`` returns None when the suite holds anything not implemented here (a type, a kwarg, a column
type, a configuration GX would reject): the caller then runs GX on pandas. satudata's own expectations (``own``,
which GX does not have) always run here: ``run_expectations`` runs a whole suite.
"""

from satudata.validators.expectations_sql.kwargs import SPECS, Unsupported, normalise_kwargs
from satudata.validators.expectations_sql.suite import run_expectations, run_suite_sql
from satudata.validators.expectations_sql.table import pandas_column

__all__ = ["SPECS", "Unsupported", "normalise_kwargs", "pandas_column", "run_expectations", "run_suite_sql"]
