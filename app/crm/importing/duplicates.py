"""Is this person already here? Same normalised email or phone as a customer in the vault, or as an earlier
record of the same file.

Earlier records are remembered as keyed 64-bit digests of their keys in a TEMP table (in memory): a million
rows take ~30 MB there instead of ~500 MB as Python strings, and no address or number is kept for the length
of the import. The key is random per import, so the digests mean nothing afterwards.
"""

from __future__ import annotations

import hashlib
import os

from app.crm.importing.model import DuplicateRow
from app.store.database import Connection

_EXISTING = ("SELECT p.contact_id FROM contact_point p JOIN contact c ON c.id = p.contact_id "
             "WHERE p.kind = ? AND p.normalized = ? AND c.deleted_at IS NULL LIMIT 1")


class DuplicateFinder:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._key = os.urandom(16)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS import_seen (digest INTEGER PRIMARY KEY, line INTEGER NOT NULL)")
        conn.execute("DELETE FROM temp.import_seen")

    def _digest(self, key: tuple[str, str]) -> int:
        text = f"{key[0]}\0{key[1]}".encode()
        return int.from_bytes(hashlib.blake2b(text, digest_size=8, key=self._key).digest(), "big", signed=True)

    def find(self, line: int, keys: list[tuple[str, str]]) -> DuplicateRow | None:
        for key in keys:
            row = self.conn.execute("SELECT line FROM temp.import_seen WHERE digest = ?",
                                    (self._digest(key),)).fetchone()
            if row is not None:
                return DuplicateRow(line, key[0], earlier_line=int(row[0]))
        for kind, normalized in keys:
            row = self.conn.execute(_EXISTING, (kind, normalized)).fetchone()
            if row is not None:
                return DuplicateRow(line, kind, existing_id=int(row[0]))
        return None

    def remember(self, line: int, keys: list[tuple[str, str]]) -> None:
        self.conn.executemany("INSERT OR IGNORE INTO temp.import_seen(digest, line) VALUES (?, ?)",
                              [(self._digest(key), line) for key in keys])

    def close(self) -> None:
        self.conn.execute("DROP TABLE IF EXISTS temp.import_seen")
