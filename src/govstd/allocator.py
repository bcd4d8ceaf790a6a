"""Give memory the process freed back to the operating system.

glibc's allocator keeps freed memory in its heap for reuse, also memory freed in bulk that
the process will not need again soon: when the key index moves a million keys to disk
(:mod:`govstd.keyindex`), the ~12 MB of arrays it frees stayed part of the resident size for
the rest of the run (measured: a 10M-row CSV peaked ~25 MB higher than needed). After such a
bulk free, :func:`release_free_memory` asks glibc (``malloc_trim``) to return the free pages.

It does nothing where the C library has no ``malloc_trim`` (musl, macOS, Windows): memory is
then as it was, nothing else changes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from typing import Any

__all__ = ["release_free_memory"]


@cache
def _malloc_trim() -> Any:
    """glibc's ``malloc_trim``, or None (looked up once: the C library is the process's)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None)
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


def release_free_memory() -> bool:
    """Return the allocator's free pages to the operating system; whether it could."""
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
