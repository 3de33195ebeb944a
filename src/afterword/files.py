"""Writing files so that nothing is lost: atomically, and never over a file without leave."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from afterword.errors import UsageError


def write_atomic(path: str | Path, text: str, *, force: bool = True) -> None:
    """Write ``text`` to ``path`` in one step: readers see the old file or the new, never half.

    With ``force=False`` an existing file is an error and is left untouched.
    """
    target = Path(path)
    if not force and target.exists():
        raise UsageError(f"{target}: file exists; use --force to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(temporary, target.stat().st_mode & 0o7777)
        else:
            os.chmod(temporary, 0o644)
        if force:
            os.replace(temporary, target)
        else:
            # link() refuses an existing name, so a file created meanwhile is not overwritten
            try:
                os.link(temporary, target)
            except FileExistsError:
                raise UsageError(f"{target}: file exists; use --force to overwrite it") from None
            Path(temporary).unlink()
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
