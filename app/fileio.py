"""Writing files so that a crash leaves either the old file or the complete new one, never half of one."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from app.errors import InvalidInput
from app.locale import _

# The files a vault keeps beside its database (app/vault/paths.py names them; a test checks the two agree).
VAULT_SIDE_SUFFIXES = (".keys", ".lock", ".lockout", ".erasures", ".marks", ".restoring", "-wal", "-shm", "-journal")


def atomic_write(path: Path, payload: bytes, *, vault_file: bool = False) -> None:
    """Write new, fsync, rename over the old file, fsync the folder: a crash leaves the old or the new file.

    The temporary file is hidden and readable by its owner only (mkstemp), and the rename keeps that. Only the
    vault's own code writes a vault's files (`vault_file=True`): an export named like one is refused.
    """
    with _atomic(path, "wb", vault_file=vault_file) as handle:
        handle.write(payload)


def atomic_text(path: Path, *, encoding: str = "utf-8", newline: str = "") -> AbstractContextManager[TextIO]:
    """A text file written whole or not at all, readable by its owner only (0600): for exports streamed row by
    row (a million customers), which `atomic_write` would have to hold in memory. A crash, a full disk or an
    exception leaves the old file, or none, never half an export readable by everyone."""
    return _atomic(path, "w", encoding=encoding, newline=newline)


def part_of_a_vault(path: Path) -> bool:
    """Whether `path` is a Counterpart vault's database or one of the files beside it (its key file beside it
    says so), open or not."""
    if path.with_name(path.name + ".keys").exists():
        return True
    return any(
        path.name.endswith(suffix) and path.with_name(path.name.removesuffix(suffix) + ".keys").exists()
        for suffix in VAULT_SIDE_SUFFIXES
    )


def open_regular(path: Path, refusal: str) -> BinaryIO:
    """A file chosen for reading, opened once it is known to be a regular file: a device (/dev/zero) never ends
    and opening a pipe blocks, so neither is ever read (checked before opening, and again on what opened).
    `refusal` is the message for them, with {path}; a missing or unreadable file is the OSError, which names it."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise InvalidInput(refusal.format(path=path))
    handle = path.open("rb")
    if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
        handle.close()
        raise InvalidInput(refusal.format(path=path))
    return handle


def writable_target(path: Path, *, vault_file: bool = False) -> Path:
    """Where a file chosen for writing really goes, or InvalidInput: through a symbolic link to its target (the
    link stays), never over a device, a pipe or a socket (replacing /dev/full with a file of customers and
    reporting success), and never over a vault's own files (an export named like the vault destroyed it)."""
    target = path.resolve() if path.is_symlink() else path
    if target.exists() and not target.is_file() and not target.is_dir():
        raise InvalidInput(
            _("{path} is not a file (a device, a pipe or a socket): choose a file name.").format(path=path)
        )
    if not vault_file and part_of_a_vault(target):
        raise InvalidInput(
            _("{path} is one of a Counterpart vault's own files: choose another file name.").format(path=path)
        )
    return target


@contextmanager
def _atomic(
    path: Path, mode: str, encoding: str | None = None, newline: str | None = None, *, vault_file: bool = False
) -> Iterator[Any]:
    """The temporary file in the same folder, fsynced, renamed over `path`, then the folder fsynced."""
    path = writable_target(path, vault_file=vault_file)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
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
    if isinstance(exc, FileNotFoundError) and path is not None and path.parent.is_dir():
        return _("{path} does not exist.").format(path=where)
    if isinstance(exc, FileNotFoundError):
        return _("The folder {folder} does not exist. Choose another folder, or create it first.").format(folder=folder)
    if isinstance(exc, PermissionError):
        return _(  # a read too (a key file, a file to import): "may not write" sent people the wrong way
            "Counterpart may not read or write {path}: this account has no permission there. Choose another "
            "place, or ask whoever looks after this computer."
        ).format(path=where)
    if isinstance(exc, IsADirectoryError):
        return _("{path} is a folder. Add a file name.").format(path=where)
    return _("{path} could not be written or read ({reason}).").format(
        path=where, reason=exc.strerror or type(exc).__name__
    )
