"""Writing files so that a crash leaves either the old file or the complete new one, never half of one."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, TextIO

from app.locale import _


def atomic_write(path: Path, payload: bytes) -> None:
    """Write new, fsync, rename over the old file, fsync the folder: a crash leaves the old or the new file.

    The temporary file is hidden and readable by its owner only (mkstemp), and the rename keeps that.
    """
    with _atomic(path, "wb") as handle:
        handle.write(payload)


def atomic_text(path: Path, *, encoding: str = "utf-8", newline: str = "") -> AbstractContextManager[TextIO]:
    """A text file written whole or not at all, readable by its owner only (0600): for exports streamed row by
    row (a million customers), which `atomic_write` would have to hold in memory. A crash, a full disk or an
    exception leaves the old file, or none, never half an export readable by everyone."""
    return _atomic(path, "w", encoding=encoding, newline=newline)


@contextmanager
def _atomic(path: Path, mode: str, encoding: str | None = None, newline: str | None = None) -> Iterator[Any]:
    """The temporary file in the same folder, fsynced, renamed over `path`, then the folder fsynced."""
    fd, temp_name = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    if hasattr(os, "O_DIRECTORY"):
        dir_fd = os.open(path.parent, os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def describe_file_error(exc: OSError) -> str:
    """A failed read or write in words, naming the file or folder, for the person who chose it."""
    path = Path(exc.filename) if exc.filename else None
    where = str(path) if path else _("the chosen place")
    folder = str(path.parent) if path else where
    if exc.errno == errno.ENOSPC:
        return _("The disk is full: {path} could not be written. Free some space, or choose another disk.").format(
            path=where
        )
    if isinstance(exc, FileNotFoundError):
        return _("The folder {folder} does not exist. Choose another folder, or create it first.").format(folder=folder)
    if isinstance(exc, PermissionError):
        return _(
            "Counterpart may not write {path}: this account has no permission there. Choose another folder."
        ).format(path=where)
    if isinstance(exc, IsADirectoryError):
        return _("{path} is a folder. Add a file name.").format(path=where)
    return _("{path} could not be written or read ({reason}).").format(
        path=where, reason=exc.strerror or type(exc).__name__
    )
