"""The Table Schema checks, column at a time in DuckDB SQL over the staged text table.

Agreement with frictionless-py is the contract (tests/agreement): the same (row, field, error type) multiset for
types, constraints, unique, primary and foreign keys. Semantics copied from frictionless: a cell with a type
error is not checked against constraints and counts as empty in keys; NaN fails every bound and equals nothing;
unique and primary-key errors fall on the later occurrences; a primary key whose cells are all empty is an error;
a foreign key whose cells are all empty is not checked, and keys compare like Python values (a text never equals
a number, empty equals empty); blank rows are only checked for their primary key. One check is satudata's own,
``integer-range``: an integer frictionless accepts but a published 64-bit integer column cannot hold.

- ``base``: the staged table as a view, each field's SQL, declared severities, the failing-rows query;
- ``constraints``: each cell constraint as a small unit named by its type;
- ``cells``: every cell check in one scan (the same scan writes the typed table);
- ``keys``: unique, primary key, foreign keys;
- ``engine``: ``TableSchemaEngine`` runs them all, ``check_table`` / ``check_and_cast``.
"""

from satudata.validators.table_schema.cells import CellCheck
from satudata.validators.table_schema.constraints import CONSTRAINTS, INT64, INTEGER_RANGE
from satudata.validators.table_schema.engine import EMITS, TableSchemaEngine, check_and_cast, check_table

__all__ = ["CONSTRAINTS", "EMITS", "INT64", "INTEGER_RANGE", "CellCheck", "TableSchemaEngine", "check_and_cast",
           "check_table"]
