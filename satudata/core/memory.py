"""Give memory a finished step freed back to the system, so one step's peak is not the next step's floor.

pyarrow's allocator (mimalloc) and glibc's malloc (DuckDB, numpy, pandas) both keep freed memory for reuse. In a
long pipeline that makes the resident size grow with the largest step before it: on the 10M-row benchmark about
100 MB of pyarrow's and 170 MB of malloc's after the checks. The heavy steps call ``give_back_memory`` when done.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import os
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import pyarrow as pa

P = ParamSpec("P")
R = TypeVar("R")


def use_jemalloc() -> None:
    """pyarrow's allocator for the pipeline: jemalloc, unless ARROW_DEFAULT_MEMORY_POOL says otherwise. Its default
    here, mimalloc, kept about 100 MB of what one batched scan of the 10M-row typed table freed (jemalloc: 40 MB),
    which made the peak grow with the row count."""
    if "ARROW_DEFAULT_MEMORY_POOL" in os.environ:
        return
    # A build without jemalloc keeps its default.
    with contextlib.suppress(NotImplementedError, pa.ArrowNotImplementedError):
        pa.set_memory_pool(pa.jemalloc_memory_pool())


use_jemalloc()


@functools.cache
def _malloc_trim():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):   # not glibc: nothing to trim
        return None


def give_back_memory() -> None:
    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def gives_back_memory(step: Callable[P, R]) -> Callable[P, R]:
    """Decorate a heavy step: ``give_back_memory`` once it returns or raises."""

    @functools.wraps(step)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return step(*args, **kwargs)
        finally:
            give_back_memory()

    return run
