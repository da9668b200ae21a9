"""Is this person already here? The same id from the same source tool (Shopify's Customer ID, Mailchimp's
EUID), or the same normalised email or own phone, as a customer in the vault or an earlier record of the file.
A delivery address's phone is never a key (validate leaves it out): a shop's or a family's landline is shared.

Earlier records are remembered by a salted 64-bit digest of each key (Python's own string hash, SipHash keyed
per process, mixed with a salt random per import), not the address or number itself: no personal data is held
for the length of the import, and the digests mean nothing afterwards. They are kept with the first line that
had them in two flat arrays (_Seen), 24 to 48 bytes a key where a dict of ints took ~110: about 100 MB for a
million rows of email, phone and customer id (half as much again for a moment while the table doubles), where a
dict took ~300 MB and strings ~500 MB. (A TEMP table took ~30 MB but made the import 20% slower.) Two different
keys share a digest with odds of about 1 in 10^7 at a million rows, and then the second is offered as a
duplicate, which the person importing can keep.
"""

from __future__ import annotations

import random
from array import array

from app.crm.contacts import any_customer
from app.crm.importing.model import DuplicateRow
from app.store.database import Connection

_BY_SOURCE = ("SELECT s.contact_id FROM contact_source s JOIN contact c ON c.id = s.contact_id "
              "WHERE s.source_kind = ? AND s.source_id = ? AND c.deleted_at IS NULL")
_EXISTING = ("SELECT p.contact_id FROM contact_point p JOIN contact c ON c.id = p.contact_id "
             "WHERE p.kind = ? AND p.normalized = ? AND c.deleted_at IS NULL LIMIT 1")


class _Seen:
    """digest -> the first line that had it: an open-addressing table in two arrays (8 + 4 bytes a slot, at most
    half of them used), so that memory per key is a fraction of a dict's."""

    def __init__(self, size: int = 1 << 16) -> None:
        self._digests = array("q", bytes(8 * size))  # 0: an empty slot (a digest of 0 is stored as 1)
        self._lines = array("i", bytes(4 * size))
        self._count = 0

    def get(self, digest: int) -> int | None:
        digests, mask = self._digests, len(self._digests) - 1
        digest = digest or 1
        slot = digest & mask
        while True:
            found = digests[slot]
            if found == digest:
                return self._lines[slot]
            if found == 0:
                return None
            slot = (slot + 1) & mask

    def setdefault(self, digest: int, line: int) -> None:
        digests, mask = self._digests, len(self._digests) - 1
        digest = digest or 1
        slot = digest & mask
        while True:
            found = digests[slot]
            if found == digest:
                return
            if found == 0:
                break
            slot = (slot + 1) & mask
        digests[slot], self._lines[slot] = digest, line
        self._count += 1
        if self._count * 2 > len(digests):
            self._grow()

    def _grow(self) -> None:
        old = zip(self._digests, self._lines, strict=True)
        size = len(self._digests) * 2
        self._digests, self._lines, self._count = array("q", bytes(8 * size)), array("i", bytes(4 * size)), 0
        for digest, line in old:
            if digest:
                self.setdefault(digest, line)

    def __len__(self) -> int:
        return self._count


class DuplicateFinder:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._salt = random.SystemRandom().getrandbits(64)
        self._seen = _Seen()
        self._last: tuple[int, list[int]] = (0, [])  # the line find() last looked at, and its digests
        # Into a vault with no customer yet (a first import), whatever the vault holds later came from this
        # file and is found among the digests first: no queries per row (100k rows: 26.4 s, 30.4 s with them).
        self._vault_empty = not any_customer(conn)

    def _digest(self, key: tuple[str, str]) -> int:
        return hash((self._salt, key[0], key[1]))

    def _digests(self, keys: list[tuple[str, str]], sources: list[tuple[str, str]]) -> list[int]:
        """The digests of a record's keys, the source ids first (as find() looks at them)."""
        return [*(self._digest(("source:" + kind, source_id)) for kind, source_id in sources),
                *(self._digest(key) for key in keys)]

    def find(self, line: int, keys: list[tuple[str, str]],
             sources: list[tuple[str, str]] | None = None) -> DuplicateRow | None:
        sources = sources or []
        digests = self._digests(keys, sources)
        self._last = (line, digests)
        kinds = ["source"] * len(sources) + [kind for kind, _value in keys]
        for kind, digest in zip(kinds, digests, strict=True):
            earlier = self._seen.get(digest)
            if earlier is not None:
                return DuplicateRow(line, kind, earlier_line=earlier)
        if self._vault_empty:
            return None
        for source in sources:
            row = self.conn.execute(_BY_SOURCE, source).fetchone()
            if row is not None:
                return DuplicateRow(line, "source", existing_id=int(row[0]))
        for kind, normalized in keys:
            row = self.conn.execute(_EXISTING, (kind, normalized)).fetchone()
            if row is not None:
                return DuplicateRow(line, kind, existing_id=int(row[0]))
        return None

    def remember(self, line: int, keys: list[tuple[str, str]],
                 sources: list[tuple[str, str]] | None = None) -> None:
        last_line, digests = self._last
        if last_line != line or not line:  # find() did not just work them out for this record
            digests = self._digests(keys, sources or [])
        for digest in digests:
            self._seen.setdefault(digest, line)

    def close(self) -> None:
        self._seen = _Seen(1)
        self._last = (0, [])


def keep_sources(conn: Connection, people: list[tuple[int, list[tuple[str, str]]]]) -> None:
    """Remember the ids the source tools gave people, as (contact id, [(source kind, id)]), in one statement for
    a batch (an id already someone else's stays theirs)."""
    rows = [(kind, source_id, contact_id) for contact_id, sources in people for kind, source_id in sources]
    if rows:
        conn.executemany("INSERT INTO contact_source(source_kind, source_id, contact_id) VALUES (?, ?, ?) "
                         "ON CONFLICT DO NOTHING", rows)
