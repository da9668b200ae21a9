"""Is this person already here? The same id from the same source tool (Shopify's Customer ID, Mailchimp's
EUID), or the same normalised email or own phone, as a customer in the vault or an earlier record of the file.
A delivery address's phone is never a key (validate leaves it out): a shop's or a family's landline is shared.

Earlier records are remembered by a salted 64-bit digest of each key (Python's own string hash, SipHash keyed
per process, mixed with a salt random per import), not the address or number itself, with the first line that
had it. Memory stays bounded whatever the file's size (issue #18: a 10M-row dry run in at most 300 MB):

- up to MEMORY_SLOTS slots (50 MB: 3.1M keys, a million-row Shopify export) sit in an open-addressing table of
  two flat arrays (_Seen, 12 bytes a slot, at most 3/4 used); below that nothing touches the disk;
- when it is full its keys move, in digest order, into a SQLCipher database of its own (_Spill) in a private
  temporary folder, encrypted with a random key that lives only in this process (no journal, temporary
  structures in memory: nothing is written in plaintext), and the table starts again empty;
- a fixed 32 MB Bloom filter (one 64-bit word a key, three bits) answers "not there" for nearly every new key,
  so the spilled keys are looked up in the database only for the few it cannot rule out.

A key costs the table 16 to 32 bytes until a spill and then nothing in memory. (A dict of ints took ~110 bytes a
key; blake2b as the digest cost 1.2 µs a key where the salted hash costs 0.1 µs.) Two different keys share a
digest with odds of about 1 in 5 million at a million rows (1 in 50,000 at ten million), and then the second is
offered as a duplicate, which the person importing can keep.
"""

from __future__ import annotations

import os
import random
import tempfile
from array import array
from collections.abc import Iterator
from pathlib import Path

import sqlcipher3

from app.crm.contacts import any_customer
from app.crm.importing.model import DuplicateRow
from app.store.database import Connection, classify, key_pragma

_BY_SOURCE = (
    "SELECT s.contact_id FROM contact_source s JOIN contact c ON c.id = s.contact_id "
    "WHERE s.source_kind = ? AND s.source_id = ? AND c.deleted_at IS NULL"
)
_EXISTING = (
    "SELECT p.contact_id FROM contact_point p JOIN contact c ON c.id = p.contact_id "
    "WHERE p.kind = ? AND p.normalized = ? AND c.deleted_at IS NULL LIMIT 1"
)

MEMORY_SLOTS = 1 << 22  # the in-memory table's largest size, a power of two (read when a table is made)
BLOOM_WORDS = 1 << 22  # 32 MB, made at the first spill; a power of two
SPILL_CACHE_KIB = 4096  # the spill database's page cache: its writes and reads go in digest order
_U64 = (1 << 64) - 1
_SIGN = 1 << 63


class _Spill:
    """Keys moved out of memory: an encrypted database keyed by digest, behind a Bloom filter."""

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="counterpart-import-")
        self._bloom = array("Q", [0]) * BLOOM_WORDS
        self._mask = BLOOM_WORDS - 1
        try:
            self.conn = sqlcipher3.connect(
                str(Path(self._folder.name) / "seen.db"), isolation_level=None, check_same_thread=False
            )
            self.conn.execute(key_pragma(os.urandom(32)))
            for pragma in (
                "cipher_memory_security = OFF",
                "journal_mode = OFF",
                "synchronous = OFF",
                "temp_store = MEMORY",
                "locking_mode = EXCLUSIVE",
                f"cache_size = -{SPILL_CACHE_KIB}",
            ):
                self.conn.execute(f"PRAGMA {pragma}")
            self.conn.execute("CREATE TABLE seen (digest INTEGER PRIMARY KEY, line INTEGER NOT NULL)")
        except sqlcipher3.DatabaseError as exc:
            self.close()
            raise classify(exc) or exc from None

    @staticmethod
    def _bits(digest: int) -> int:
        return (1 << ((digest >> 40) & 63)) | (1 << ((digest >> 46) & 63)) | (1 << ((digest >> 52) & 63))

    def add(self, pairs: Iterator[tuple[int, int]]) -> None:
        """Store (digest, line) pairs given in unsigned digest order (stored shifted so that order is SQLite's)."""
        bloom, mask, bits = self._bloom, self._mask, self._bits

        def rows() -> Iterator[tuple[int, int]]:
            for digest, line in pairs:
                bloom[digest & mask] |= bits(digest)
                yield (digest & _U64) - _SIGN, line

        try:
            self.conn.execute("BEGIN")
            self.conn.executemany("INSERT OR IGNORE INTO seen(digest, line) VALUES (?, ?)", rows())
            self.conn.execute("COMMIT")
        except sqlcipher3.DatabaseError as exc:
            raise classify(exc) or exc from None

    def get(self, digest: int) -> int | None:
        wanted = self._bits(digest)
        if self._bloom[digest & self._mask] & wanted != wanted:
            return None
        row = self.conn.execute("SELECT line FROM seen WHERE digest = ?", ((digest & _U64) - _SIGN,)).fetchone()
        return None if row is None else int(row[0])

    def close(self) -> None:
        if getattr(self, "conn", None) is not None:
            self.conn.close()
            self.conn = None
        self._bloom = array("Q")
        self._folder.cleanup()


class _Seen:
    """digest -> the first line that had it: an open-addressing table in two arrays (8 + 4 bytes a slot, at most
    3/4 of them used), indexed by the digest's top bits so that slot order is digest order; past MEMORY_SLOTS
    its keys spill (see the module's docstring)."""

    def __init__(self, size: int = 1 << 16) -> None:
        self._limit = 1 << (max(MEMORY_SLOTS, 4).bit_length() - 1)  # sizes are powers of two
        self._spill: _Spill | None = None
        self._spilled = 0
        self._make(min(1 << (max(size, 4).bit_length() - 1), self._limit))

    def _make(self, size: int) -> None:
        self._digests = array("q", [0]) * size  # 0: an empty slot (a digest of 0 is stored as 1)
        self._lines = array("i", [0]) * size
        self._shift = 64 - (size.bit_length() - 1)
        self._count = 0

    def get(self, digest: int) -> int | None:
        digests, mask = self._digests, len(self._digests) - 1
        digest = digest or 1
        slot = (digest & _U64) >> self._shift
        while True:
            found = digests[slot]
            if found == digest:
                return self._lines[slot]
            if found == 0:
                break
            slot = (slot + 1) & mask
        return None if self._spill is None else self._spill.get(digest)

    def setdefault(self, digest: int, line: int) -> None:
        digest = digest or 1
        if self._spill is not None and self._spill.get(digest) is not None:
            return
        digests, mask = self._digests, len(self._digests) - 1
        slot = (digest & _U64) >> self._shift
        while True:
            found = digests[slot]
            if found == digest:
                return
            if found == 0:
                break
            slot = (slot + 1) & mask
        digests[slot], self._lines[slot] = digest, line
        self._count += 1
        if self._count * 4 > len(digests) * 3:
            if len(digests) < self._limit:
                self._grow()
            else:
                self._move_out()

    def _pairs(self) -> Iterator[tuple[int, int]]:
        """(digest, line) in slot order, which is unsigned digest order but for a few keys probing past their
        slot."""
        return ((digest, line) for digest, line in zip(self._digests, self._lines, strict=True) if digest)

    def _grow(self) -> None:
        old = self._pairs()
        self._make(len(self._digests) * 2)
        for digest, line in old:
            self._place(digest, line)

    def _place(self, digest: int, line: int) -> None:
        digests, mask = self._digests, len(self._digests) - 1
        slot = (digest & _U64) >> self._shift
        while digests[slot]:
            slot = (slot + 1) & mask
        digests[slot], self._lines[slot] = digest, line
        self._count += 1

    def _move_out(self) -> None:
        if self._spill is None:
            self._spill = _Spill()
        self._spill.add(self._pairs())
        self._spilled += self._count
        size = len(self._digests)
        del self._digests, self._lines  # freed before the empty table is made
        self._make(size)

    def close(self) -> None:
        if self._spill is not None:
            self._spill.close()
            self._spill = None
        self._make(4)

    def __len__(self) -> int:
        return self._count + self._spilled


class DuplicateFinder:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._salt = random.SystemRandom().getrandbits(64)
        self._seen = _Seen()
        self._last: tuple[int, list[int]] = (0, [])  # the line find() last looked at, and its digests
        # Into a vault with no customer yet (a first import), whatever the vault holds later came from this
        # file and is found among the digests first: no queries per row (100k rows: 26.4 s, 30.4 s with them).
        self._vault_empty = not any_customer(conn)

    def _digests(self, keys: list[tuple[str, str]], sources: list[tuple[str, str]]) -> list[int]:
        """The digests of a record's keys, the source ids first (as find() looks at them)."""
        salt = self._salt
        digests = [hash((salt, "source:" + kind, source_id)) for kind, source_id in sources] if sources else []
        digests += [hash((salt, kind, value)) for kind, value in keys]
        return digests

    def find(
        self, line: int, keys: list[tuple[str, str]], sources: list[tuple[str, str]] | None = None
    ) -> DuplicateRow | None:
        sources = sources or []
        digests = self._digests(keys, sources)
        self._last = (line, digests)
        get = self._seen.get
        for index, digest in enumerate(digests):
            earlier = get(digest)
            if earlier is not None:
                kind = "source" if index < len(sources) else keys[index - len(sources)][0]
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

    def remember(self, line: int, keys: list[tuple[str, str]], sources: list[tuple[str, str]] | None = None) -> None:
        last_line, digests = self._last
        if last_line != line or not line:  # find() did not just work them out for this record
            digests = self._digests(keys, sources or [])
        for digest in digests:
            self._seen.setdefault(digest, line)

    def close(self) -> None:
        """Let go of the digests (and delete the spill database, if the file was that large)."""
        self._seen.close()
        self._last = (0, [])


def keep_sources(conn: Connection, people: list[tuple[int, list[tuple[str, str]]]]) -> None:
    """Remember the ids the source tools gave people, as (contact id, [(source kind, id)]), in one statement for
    a batch (an id already someone else's stays theirs)."""
    rows = [(kind, source_id, contact_id) for contact_id, sources in people for kind, source_id in sources]
    if rows:
        conn.executemany(
            "INSERT INTO contact_source(source_kind, source_id, contact_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            rows,
        )
