"""Opening the SQLCipher database with a raw 256-bit key, and telling damage apart from everything else.

Every connection starts with `PRAGMA key` (a validated hex literal: SQLCipher cannot bind a parameter there),
then the settings that keep customer data off the disk in plaintext: secure delete, temporary tables in
memory. SQLCipher's memory security stays off; app/process_guard.py says why and what protects memory instead.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlcipher3

from app.errors import CounterpartError, DiskFull, FolderNotWritable, VaultBusy, VaultDamaged
from app.locale import _
from app.process_guard import give_back_free_memory

PAGE_SIZE = 4096
# sqlcipher3's statement cache evicts the newest entry when full, so once it holds that many statements every
# new one is prepared again on each use (~100 heap allocations each). Sized well above
# the number of distinct statements the app runs; dynamic SQL keeps its texts few (fixed savepoint name).
STATEMENT_CACHE = 1000
Connection = Any  # sqlcipher3.Connection: the module ships no type information


def key_pragma(data_key: bytes, pragma: str = "key") -> str:
    """`PRAGMA key` (or `rekey`) with the raw key as a blob literal, checked to be exactly 64 hex digits."""
    hex_key = bytes(data_key).hex()
    if not re.fullmatch(r"[0-9a-f]{64}", hex_key) or pragma not in ("key", "rekey"):
        raise ValueError("a data key is exactly 32 bytes")
    return f"PRAGMA {pragma} = \"x'{hex_key}'\""


def connect(path: Path, data_key: bytes, *, create: bool = False) -> Connection:
    """Open (or with `create`, make) the database; raises sqlcipher3.DatabaseError on a wrong key or damage.

    Without `create` the file must exist: SQLite would otherwise make an empty database in its place.
    """
    if not create:
        check_file_shape(path)
    mode = "rwc" if create else "rw"
    conn = sqlcipher3.connect(
        f"{path.resolve().as_uri()}?mode={mode}",
        uri=True,
        isolation_level=None,
        check_same_thread=False,
        cached_statements=STATEMENT_CACHE,
    )
    try:
        conn.execute(key_pragma(data_key))
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.execute("PRAGMA cipher_memory_security = OFF")  # why: app/process_guard.py
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 5000")
        conn.execute("PRAGMA journal_mode = WAL")  # first read of the file: a wrong key fails here
        conn.execute("PRAGMA synchronous = FULL")
    except BaseException:
        conn.close()
        raise
    return conn


BULK_CACHE_KIB = 256 * 1024
# A window's connections (the session's, the customer search worker's): SQLite's default is 8 MB each, which a
# few searches and the dashboard fill with decrypted pages (12 MB of the window's 180, issue #21). At a million
# customers 2 MB measured: the list's search (cold) the same within noise; the list's first page read again
# 9.5 ms instead of 1.4 (4 MB did no better), far under one frame.
UI_CACHE_KIB = 2 * 1024


def bound_cache(conn: Connection, kib: int = UI_CACHE_KIB) -> None:
    """The page cache a long-lived connection keeps between bulk work (`bulk_cache` puts it back afterwards)."""
    conn.execute(f"PRAGMA cache_size = {-int(kib)}")


@contextmanager
def bulk_cache(conn: Connection, kib: int | None = None) -> Iterator[None]:
    """A larger page cache while bulk work runs (a sweep, an import), SQLite's own size again afterwards.

    At a million customers a batch of deletions or inserts touches pages all over the file: with the default
    2 MB cache they were evicted, read and decrypted again, and written several times over within a batch.
    Pages are decrypted in the cache, so it shrinks when the work ends and the freed memory goes back to the
    system. Nested calls leave that to the outermost.
    """
    previous = int(conn.execute("PRAGMA cache_size").fetchone()[0])
    wanted = -int(kib or BULK_CACHE_KIB)
    if previous == wanted:  # inside bulk work already (create_many within an import): the outer one restores
        yield
        return
    conn.execute(f"PRAGMA cache_size = {wanted}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {previous}")
        give_back_free_memory()


def check_file_shape(path: Path) -> None:
    """Refuse files that cannot be a vault before SQLite looks at them (an empty file would open as new)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise VaultDamaged(_("The vault file {path} is missing.").format(path=path)) from None
    if size == 0:
        raise VaultDamaged(
            _(
                "The vault file {path} is empty (0 bytes): it has been truncated or overwritten. "
                "Restore it from a backup."
            ).format(path=path)
        )
    if size % PAGE_SIZE:
        raise VaultDamaged(
            _(
                "The vault file {path} is damaged: its size ({size} bytes) is not a whole number "
                "of pages, so it has been truncated. Restore it from a backup."
            ).format(path=path, size=size)
        )


def integrity_problems(conn: Connection) -> list[str]:
    """SQLCipher's page authentication first (names the failing page), then SQLite's structural check."""
    problems: list[str] = []
    try:
        problems += [str(row[0]) for row in conn.execute("PRAGMA cipher_integrity_check")]
        if not problems:
            rows = [str(row[0]) for row in conn.execute("PRAGMA integrity_check")]
            problems += [row for row in rows if row != "ok"]
    except sqlcipher3.DatabaseError as exc:
        problems.append(str(exc))
    return problems


def damaged_error(path: Path, conn: Connection | None, cause: Exception) -> VaultDamaged:
    """Build the 'damaged' error, naming what the integrity checks found where they can run."""
    details = integrity_problems(conn) if conn is not None else []
    detail = "; ".join(details[:3]) if details else str(cause)
    return VaultDamaged(
        _("The vault file {path} is damaged ({detail}). Restore it from a backup.").format(path=path, detail=detail)
    )


DAMAGE_SIGNS = ("not a database", "malformed", "corrupt", "hmac", "disk i/o error")
FULL_SIGNS = ("database or disk is full", "disk is full")  # SQLITE_FULL
# SQLITE_READONLY and SQLITE_CANTOPEN: a read-only folder or drive (no -wal/-shm can be made beside the vault),
# but SQLCipher also answers a write with "readonly" once a page has failed its HMAC: the probe tells them apart.
NOT_WRITABLE_SIGNS = ("readonly database", "read-only", "unable to open database file")


def disk_full(where: Path | None = None) -> DiskFull:
    if where is None:
        return DiskFull(
            _(
                "The disk is full: Counterpart could not finish writing, and nothing was changed. Free "
                "some space, then try again."
            )
        )
    return DiskFull(
        _(
            "The disk is full: Counterpart could not finish writing {path}, and nothing was changed. Free "
            "some space (or choose another disk), then try again."
        ).format(path=where)
    )


def probe_write(folder: Path) -> None:
    """Make and remove a small file in `folder`: raises OSError when this account cannot write there."""
    probe = folder / f".counterpart-write-test-{uuid.uuid4().hex}"
    fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    os.unlink(probe)


def not_writable(path: Path) -> FolderNotWritable | None:
    """The error to give when the vault's folder (or the vault file) cannot be written, else None."""
    folder = path.parent
    try:
        probe_write(folder)
        if path.exists():
            with path.open("r+b"):  # opened for writing, nothing written
                pass
    except OSError as exc:
        return folder_not_writable(folder, exc)
    return None


def folder_not_writable(folder: Path, exc: OSError) -> FolderNotWritable:
    return FolderNotWritable(
        _(
            "Counterpart cannot write in {folder} ({reason}). The vault is not damaged: make the "
            "folder writable for this account, or copy the vault to a folder it can write, then "
            "try again."
        ).format(folder=folder, reason=exc.strerror or type(exc).__name__)
    )


def classify(exc: Exception, path: Path | None = None, conn: Connection | None = None) -> CounterpartError | None:
    """Name a database error after a good key slot: disk full, folder not writable, busy, damaged, or None (a
    bug: let it surface as one). With the vault's `path` (and its open `conn`) the message names the folder, or
    the damaged pages."""
    text = str(exc).lower()
    if any(sign in text for sign in FULL_SIGNS):
        return disk_full(path)
    if "locked" in text or "busy" in text:
        return VaultBusy(_("The vault is busy in another Counterpart window or command; try again when it is done."))
    if any(sign in text for sign in NOT_WRITABLE_SIGNS):
        if path is None:
            return VaultDamaged(
                _(
                    "Counterpart could not write the vault ({detail}): its folder may be read-only, "
                    "or the vault damaged. Run counterpart-admin verify on it."
                ).format(detail=exc)
            )
        blocked = not_writable(path)
        if blocked is not None:
            return blocked
        if conn is None or not integrity_problems(conn):
            return None if conn is not None else damaged_error(path, None, exc)
        return damaged_error(path, conn, exc)
    if not any(sign in text for sign in DAMAGE_SIGNS):
        return None
    if path is not None:
        return damaged_error(path, conn, exc)
    return VaultDamaged(_("The vault is damaged ({detail}). Restore it from a backup.").format(detail=exc))


def name_error(exc: Exception) -> CounterpartError | None:
    """`classify` for any exception: a database error named in words, or None (not one, or a bug). The UI asks
    this instead of knowing the driver's exception types."""
    return classify(exc) if isinstance(exc, sqlcipher3.DatabaseError) else None


@contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """One write transaction, taken immediately so two writers never deadlock halfway.

    Inside another transaction it becomes a savepoint, so services compose: an import, the consents it states
    and its audit entry commit together or not at all.
    """
    if conn.in_transaction:
        # One name at every depth: SQLite releases or rolls back to the most recent savepoint of that name, and
        # a fixed text keeps the statement cache from filling with one-off names.
        conn.execute("SAVEPOINT nested")
        try:
            yield conn
        except BaseException:
            _undo(conn, "ROLLBACK TO nested", "RELEASE nested")
            raise
        conn.execute("RELEASE nested")
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        watcher = commit_watchers.get(_main_file(conn)) if commit_watchers else None
        counted = watcher.before_commit(conn) if watcher is not None else None
    except BaseException:
        _undo(conn, "ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:  # a commit that fails (disk full) leaves the transaction open: end it, write nothing
        _undo(conn, "ROLLBACK")
        raise
    if watcher is not None:
        watcher.after_commit(counted)


# An open vault's commit counter (app/vault/marks.py), by the database file's resolved path: every connection to
# that file (the UI's, a worker's) counts its commits, and only those (a backup's target file is not counted).
commit_watchers: dict[str, Any] = {}


def _main_file(conn: Connection) -> str:
    return str(conn.execute("PRAGMA database_list").fetchone()[2])


def _undo(conn: Connection, *statements: str) -> None:
    """Roll back after an error, unless SQLite has already done so (it does on a full disk); a rollback that
    fails too (a damaged page) must not hide the error that caused it, which is the one to report."""
    if not conn.in_transaction:
        return
    try:
        for statement in statements:
            conn.execute(statement)
    except sqlcipher3.DatabaseError:
        pass


class VaultTooNew(CounterpartError):
    exit_code = 5


@contextmanager
def foreign_keys_enforced_by_caller(conn: Connection) -> Iterator[Connection]:
    """Foreign-key enforcement off for one top-level transaction whose code applies every ON DELETE action
    itself (the batch eraser). Outside a transaction only: SQLite ignores the pragma inside one, which leaves
    enforcement on and the result the same, only slower."""
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        yield conn
    finally:
        conn.execute("PRAGMA foreign_keys = ON")
