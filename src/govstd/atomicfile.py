"""Files that appear whole or not at all: write to a temporary file, rename at the end."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from govstd.exceptions import UsageError

__all__ = ["atomic_output"]


@contextmanager
def atomic_output(path: Path) -> Iterator[IO[bytes]]:
    """A binary stream that becomes ``path`` only if the block ends without an exception.

    The data goes to a temporary file in the same folder, renamed over ``path`` at the end;
    on any exception, Ctrl-C included, the temporary file is removed and ``path`` is left
    as it was. The file gets the permissions a plain ``open`` would give it (the umask's),
    not the owner-only ones of a temporary file.
    """
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    stream = os.fdopen(handle, "wb")
    try:
        _as_if_created(temporary)
        yield stream
        stream.flush()
        stream.close()
        os.replace(temporary, path)
    except BaseException:
        stream.close()
        with suppress(OSError):
            os.unlink(temporary)
        raise


def _as_if_created(path: str) -> None:
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)
