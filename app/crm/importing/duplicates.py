"""Is this person already here? Same normalised email or phone as a customer in the vault, or as an earlier
record of the same file (kept as a set of keys, the only thing an import remembers about rows it has passed)."""

from __future__ import annotations

from app.crm.importing.model import DuplicateRow
from app.store.database import Connection

_EXISTING = ("SELECT p.contact_id FROM contact_point p JOIN contact c ON c.id = p.contact_id "
             "WHERE p.kind = ? AND p.normalized = ? AND c.deleted_at IS NULL LIMIT 1")


class DuplicateFinder:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.seen: dict[tuple[str, str], int] = {}

    def find(self, line: int, keys: list[tuple[str, str]]) -> DuplicateRow | None:
        for key in keys:
            if key in self.seen:
                return DuplicateRow(line, key[0], earlier_line=self.seen[key])
        for kind, normalized in keys:
            row = self.conn.execute(_EXISTING, (kind, normalized)).fetchone()
            if row is not None:
                return DuplicateRow(line, kind, existing_id=int(row[0]))
        return None

    def remember(self, line: int, keys: list[tuple[str, str]]) -> None:
        for key in keys:
            self.seen.setdefault(key, line)
