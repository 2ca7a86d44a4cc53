"""The mark of a whole site: the sha256 of the index.json the site was last rendered from, written last.

Apart from render.py so that asking whether the site is current (every run, the no-op too) loads neither Jinja2
nor pyarrow.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

RENDERED_MARK = ".site-rendered"   # the sha256 of the index.json the site was last rendered from


def site_is_current(root: Path) -> bool:
    """Whether the site was rendered, whole, from the index.json the portal has now."""
    mark = root / RENDERED_MARK
    return mark.is_file() and mark.read_text(encoding="utf-8") == index_sha256(root)


def index_sha256(root: Path) -> str:
    index = root / "index.json"
    return hashlib.sha256(index.read_bytes()).hexdigest() if index.is_file() else ""
