"""satudata: Kota Malang's Satu Data publishing pipeline."""

__version__ = "0.1.0"


def _prefer_installed_validators() -> None:
    """Import the PyPI package ``validators`` (frictionless needs it) before anything else can.

    The repository's ``validators/`` folder installs as ``satudata.validators``; but when the repository root is on
    ``sys.path`` (``python -m`` from the checkout, pytest's rootdir, a Prefect worker whose working directory is the
    checkout) a bare ``import validators`` would find that folder instead.
    """
    import sys
    from pathlib import Path

    if "validators" in sys.modules:
        return
    root = Path(__file__).resolve().parent.parent
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != root]
    try:
        import validators  # noqa: F401
    except ImportError:
        pass
    finally:
        sys.path[:] = saved


_prefer_installed_validators()
