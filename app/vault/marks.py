"""Two numbers kept outside the database, beside it in `NAME.marks`: how many transactions were committed, and
the highest person id ever handed out.

Why outside: both guard against the database itself going back in time without saying so.
- A flipped byte in the write-ahead log makes SQLite's recovery stop at that frame and drop every commit after it,
  silently. The database counts its commits (vault_meta 'commit_count', bumped inside each write transaction of
  app.store.database.transaction); this file is rewritten after each commit. A database behind its file has lost
  committed work: open and `verify` say so (VaultDamaged, exit 6) instead of showing a shorter customer list.
- A restored backup forgets the ids handed out after it; a newcomer given such an id again would be erased by the
  erasure ledger at the next restore (the ledger names people by a keyed hash of their id). Restore starts ids
  above the highest mark it can find: this file, every backup's manifest, the database being replaced.

Cheap and honest: the file is written after the commit (one small write in place, no fsync), so it is never
ahead of a commit that happened; a SIGKILL between the two leaves it one behind, which only weakens the
check. The database syncs every commit (synchronous = FULL), so after a power cut the file may be behind, never
ahead. It is authenticated with a key kept inside the database (vault_meta 'marks_key'), so a file copied from
another vault or edited is not trusted; an unreadable or missing file is simply written again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from app.store import database
from app.store.database import Connection

COMMITS_KEY, MAC_KEY, HIGH_WATER_KEY = "commit_count", "marks_key", "contact_high_water"


@dataclass(frozen=True)
class Marks:
    vault_id: str
    commits: int
    person_ids: int
    authentic: bool  # False: not checked (no key given) or the MAC did not match


def db_commits(conn: Connection) -> int:
    row = conn.execute("SELECT value FROM vault_meta WHERE key = ?", (COMMITS_KEY,)).fetchone()
    return 0 if row is None else int(row[0])


def person_high_water(conn: Connection) -> int:
    """The highest person id ever handed out or remembered (app.crm.bulk.next_contact_id starts above it)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'contact'").fetchone() is None:
        return 0  # a vault made at schema 1 (tests of old vaults): no people yet
    row = conn.execute(
        "SELECT max(coalesce((SELECT max(id) FROM contact), 0), coalesce((SELECT CAST(value AS "
        "INTEGER) FROM vault_meta WHERE key = ?), 0))",
        (HIGH_WATER_KEY,),
    ).fetchone()
    return int(row[0])


def raise_person_high_water(conn: Connection, mark: int) -> None:
    """Inside the caller's transaction: the next person id will be above `mark`."""
    conn.execute(
        "INSERT INTO vault_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = "
        "excluded.value WHERE CAST(value AS INTEGER) < CAST(excluded.value AS INTEGER)",
        (HIGH_WATER_KEY, str(int(mark))),
    )


def _mac(key: bytes, vault_id: str, commits: int, person_ids: int) -> str:
    body = f"counterpart marks v1|{vault_id}|{commits}|{person_ids}".encode()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def read(path: Path, key: bytes | None = None) -> Marks | None:
    """The file's numbers, or None when it is missing or unreadable. With `key` the MAC is checked."""
    try:
        data = json.loads(path.read_text("ascii"))
        vault_id, commits, person_ids = str(data["vault_id"]), int(data["commits"]), int(data["person_ids"])
        authentic = key is not None and hmac.compare_digest(_mac(key, vault_id, commits, person_ids), str(data["mac"]))
    except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError):
        return None
    return Marks(vault_id, commits, person_ids, authentic)


RECORD_BYTES = 512  # every record the same size, so one in-place write replaces the whole of the last one


def _record(key: bytes, vault_id: str, commits: int, person_ids: int) -> bytes:
    payload = json.dumps(
        {
            "vault_id": vault_id,
            "commits": commits,
            "person_ids": person_ids,
            "mac": _mac(key, vault_id, commits, person_ids),
        }
    ).encode("ascii")
    return payload.ljust(RECORD_BYTES, b" ")  # JSON allows the trailing blanks


def marks_key(conn: Connection) -> bytes:
    """The MAC key, made on first use (its own transaction, so call it outside one)."""
    row = conn.execute("SELECT value FROM vault_meta WHERE key = ?", (MAC_KEY,)).fetchone()
    if row is not None:
        return bytes.fromhex(str(row[0]))

    key = secrets.token_bytes(32)
    with database.transaction(conn):
        conn.execute("INSERT INTO vault_meta(key, value) VALUES (?, ?)", (MAC_KEY, key.hex()))
    return key


class CommitWatcher:
    """Registered with app.store.database for one open vault: counts each commit in the database, then
    rewrites the marks file. Shared by the vault's connections (the UI's and the workers'), so it never writes
    a lower count after a higher one.

    The file stays open and each mark overwrites it in place with one write of a fixed size: a process killed
    mid-commit leaves the old or the new record (a write to the page cache is not torn by a kill), and it costs
    microseconds, where a temporary file and a rename cost over a millisecond a commit on ext4. A record torn by
    a power cut fails its MAC and is written again at the next open.
    """

    def __init__(self, path: Path, key: bytes, vault_id: str) -> None:
        self.path, self._key, self._vault_id = path, key, vault_id
        self._guard = threading.Lock()
        self._written = -1
        self._fd: int | None = None

    def before_commit(self, conn: Connection) -> tuple[int, int]:
        row = conn.execute(
            "INSERT INTO vault_meta(key, value) VALUES (?, '1') ON CONFLICT(key) DO UPDATE SET "
            "value = CAST(value AS INTEGER) + 1 RETURNING value",
            (COMMITS_KEY,),
        ).fetchone()
        return int(row[0]), person_high_water(conn)

    def after_commit(self, marks: tuple[int, int]) -> None:
        commits, person_ids = marks
        with self._guard:
            if commits <= self._written:
                return
            try:
                if self._fd is None:
                    self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
                os.lseek(self._fd, 0, os.SEEK_SET)
                os.write(self._fd, _record(self._key, self._vault_id, commits, person_ids))
            except OSError:
                return  # the commit stands; a missing mark only weakens the check (a full disk, a read-only drive)
            self._written = commits

    def write_now(self, conn: Connection) -> None:
        self._written = -1
        self.after_commit((db_commits(conn), person_high_water(conn)))

    def close(self) -> None:
        with self._guard:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
