"""`satudata --version`: the package version and the git commit of the code that runs."""

from __future__ import annotations

from importlib import metadata


def version_text() -> str:
    """``satudata 0.1.0 (git <commit>[, uncommitted changes])``, or ``(not a git checkout)``: the commit is the one
    every lineage record of this code names (``satudata.lineage.code_version``)."""
    from satudata import __version__
    from satudata.lineage.record import code_version

    try:
        version = metadata.version("satudata")
    except metadata.PackageNotFoundError:   # run from a source tree that was never installed
        version = __version__
    commit, dirty = code_version()
    if commit is None:
        return f"satudata {version} (not a git checkout)"
    return f"satudata {version} (git {commit}{', uncommitted changes' if dirty else ''})"
