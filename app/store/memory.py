"""A larger SQLite lookaside pool per connection, so `cipher_memory_security` stays affordable.

With memory security on, SQLCipher locks every block it takes from the heap (`mlock`) and wipes and unlocks it
when freed: two system calls that also split the process's memory map. SQLite serves small per-statement
allocations (cursors, bound values, records) from a per-connection *lookaside* pool instead of the heap, but
the default pool (about 48 KB) is soon held by cached statements, and every insert then costs ~10 locked
allocations (78 us instead of 14 us, measured). The pool itself is one locked, wiped block.

Python's sqlite module does not expose `sqlite3_db_config`, so it is called through ctypes on the symbol the
SQLCipher extension exports. The connection handle is read from the Python object and checked (SQLite must
name the very file we opened) before it is used; anywhere this does not hold (another build, Windows without
exported symbols) the default pool stays and only speed differs.
"""

from __future__ import annotations

import ctypes
from pathlib import Path
from typing import Any

SQLITE_DBCONFIG_LOOKASIDE = 1001
SLOT_SIZE = 1200  # SQLite's own default slot size: fits cursors, bound values and most records
SLOT_COUNT = 500  # 600 KB per connection


def _library() -> Any | None:
    try:
        import sqlcipher3._sqlite3 as extension

        library = ctypes.CDLL(str(extension.__file__))
        library.sqlite3_db_config.restype = ctypes.c_int
        library.sqlite3_db_filename.restype = ctypes.c_char_p
        library.sqlite3_db_filename.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    except (OSError, AttributeError, ImportError):
        return None
    return library


_LIBRARY = _library()


def _handle(conn: Any, path: Path) -> int | None:
    """The connection's `sqlite3*`, the first field after the object header, if SQLite confirms it."""
    if _LIBRARY is None or type(conn).__name__ != "Connection":
        return None
    handle = ctypes.c_void_p.from_address(id(conn) + object.__basicsize__).value
    if not handle:
        return None
    name = _LIBRARY.sqlite3_db_filename(ctypes.c_void_p(handle), b"main")
    if name is None or Path(name.decode("utf-8", "replace")) != path.resolve():
        return None
    return int(handle)


def enlarge_lookaside(conn: Any, path: Path) -> bool:
    """Give a freshly opened connection (no statement run yet) a larger lookaside pool; True when it took."""
    handle = _handle(conn, path)
    if handle is None or _LIBRARY is None:
        return False
    result = _LIBRARY.sqlite3_db_config(ctypes.c_void_p(handle), SQLITE_DBCONFIG_LOOKASIDE, None,
                                        ctypes.c_int(SLOT_SIZE), ctypes.c_int(SLOT_COUNT))
    return int(result) == 0
