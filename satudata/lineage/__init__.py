"""Lineage for auditors, after publishing: the OpenLineage record of a version (``record``), the changelog between
versions (``changelog``), reading records back into reports (``audit``) and re-verifying everything published
(``verify``). The CLI commands that show them live in ``satudata.cli``."""
