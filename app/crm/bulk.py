"""Writing many new people at once (import, demo data): one `executemany` per table per batch.

Each statement is prepared once and run for the whole batch, so the per-row cost is the row itself. Ids are
handed out here (the write transaction is held, so nobody else inserts meanwhile), which lets every child row
be batched with its person.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from app.store import search_index
from app.store.database import Connection

Point = tuple[str, str, str, str]  # kind, label, value, normalized
BULK_BATCH = 1000
_STATEMENTS = (
    "INSERT INTO contact(id, given_name, family_name, display_name, sort_key, language, owner_user_id, created_at, "
    "updated_at, birth_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "INSERT INTO contact_point(contact_id, kind, label, value, normalized, is_primary, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)",
    "INSERT INTO contact_organisation(contact_id, organisation_id, job_title) VALUES (?, ?, ?) "
    "ON CONFLICT DO UPDATE SET job_title = excluded.job_title",
    "INSERT OR IGNORE INTO contact_tag(contact_id, tag_id) VALUES (?, ?)",
    "INSERT INTO note(contact_id, body, author_user_id, created_at) VALUES (?, ?, ?, ?)",
    "INSERT INTO contact_search(rowid, doc) VALUES (?, ?)",
    "INSERT INTO contact_phone_search(rowid, digits) VALUES (?, ?)",
    "INSERT INTO contact_purchases(contact_id, total_spent, order_count, currency, source, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?)",
)


def next_contact_id(conn: Connection) -> int:
    """The next person id, never one that was used before: an erased person's id must not come back, or the
    erasure ledger (keyed by id) would erase the newcomer when a backup is restored, and the audit log would
    mix two people under one id."""
    row = conn.execute(
        "SELECT max(coalesce((SELECT max(id) FROM contact), 0), "
        "coalesce((SELECT CAST(value AS INTEGER) FROM vault_meta WHERE key = 'contact_high_water'), 0))"
    ).fetchone()
    return int(row[0]) + 1


class BulkWriter:
    """Collects new people and their details, and writes them a batch at a time."""

    def __init__(
        self, conn: Connection, owner_user_id: int, stamp: str, source: str = "", currency: str | None = None
    ) -> None:
        """`source` and `currency` go with the shop's totals an import brings ("import:shopify", the shop's)."""
        self.conn, self.owner, self.stamp = conn, owner_user_id, stamp
        self.source, self.currency = source, currency
        self.next_id = next_contact_id(conn)
        self.organisations: dict[str, int] = {}
        self.tags: dict[str, int] = {}
        self._clear()

    def _clear(self) -> None:
        self.contacts: list[tuple[object, ...]] = []
        self.points: list[tuple[object, ...]] = []
        self.links: list[tuple[object, ...]] = []
        self.tag_links: list[tuple[int, int]] = []
        self.notes: list[tuple[object, ...]] = []
        self.texts: list[tuple[int, str]] = []
        self.phones: list[tuple[int, str]] = []
        self.purchases: list[tuple[object, ...]] = []

    def __len__(self) -> int:
        return len(self.contacts)

    def add(
        self,
        given: str,
        family: str,
        display: str,
        language: str | None,
        points: list[Point],
        organisation: str,
        job_title: str,
        tags: list[str],
        note: str,
        more_organisations: Sequence[tuple[str, str]] = (),
        birth_date: date | None = None,
        total_spent: Decimal | None = None,
        order_count: int | None = None,
    ) -> int:
        """Queue one person (already cleaned and validated); returns the id they will have. Someone who works
        for several organisations has the others, as (name, job title), in `more_organisations`; an import
        also brings a birthday and the shop's totals for them."""
        contact_id, self.next_id = self.next_id, self.next_id + 1
        self.contacts.append(
            (
                contact_id,
                given,
                family,
                display,
                search_index.fold(display),
                language,
                self.owner,
                self.stamp,
                self.stamp,
                birth_date.isoformat() if birth_date else None,
            )
        )
        if total_spent is not None or order_count is not None:
            spent = None if total_spent is None else str(total_spent)
            self.purchases.append((contact_id, spent, order_count, self.currency, self.source, self.stamp))
        first_of_kind: set[str] = set()
        for kind, label, value, normalized in points:
            self.points.append((contact_id, kind, label, value, normalized, int(kind not in first_of_kind), self.stamp))
            first_of_kind.add(kind)
        if organisation:
            self.links.append((contact_id, self._organisation_id(organisation), job_title))
        for name, title in more_organisations:
            self.links.append((contact_id, self._organisation_id(name), title))
        for tag in dict.fromkeys(tags):
            self.tag_links.append((contact_id, self._tag_id(tag)))
        if note:
            self.notes.append((contact_id, note, self.owner, self.stamp))
        self.texts.append(
            (
                contact_id,
                search_index.document_text(
                    [display, given, family, organisation, *(name for name, _title in more_organisations), *tags, note]
                    + [value for kind, _label, value, _n in points if kind in ("email", "address")]
                ),
            )
        )
        digits = search_index.phone_digits([n or v for kind, _l, v, n in points if kind == "phone"])
        if digits:
            self.phones.append((contact_id, digits))
        return contact_id

    def flush(self) -> None:
        """Write the batch, one `executemany` per table."""
        # in the order of _STATEMENTS
        batch = (
            self.contacts,
            self.points,
            self.links,
            self.tag_links,
            self.notes,
            self.texts,
            self.phones,
            self.purchases,
        )
        for statement, rows in zip(_STATEMENTS, batch, strict=True):
            if rows:
                self.conn.executemany(statement, rows)
        self._clear()

    def _organisation_id(self, name: str) -> int:
        key = search_index.fold(name)
        if key not in self.organisations:
            row = self.conn.execute("SELECT id FROM organisation WHERE sort_key = ? LIMIT 1", (key,)).fetchone()
            self.organisations[key] = (
                int(row[0])
                if row
                else int(
                    self.conn.execute(
                        "INSERT INTO organisation(name, sort_key, created_at) VALUES (?, ?, ?)", (name, key, self.stamp)
                    ).lastrowid
                )
            )
        return self.organisations[key]

    def _tag_id(self, name: str) -> int:
        key = search_index.fold(name)
        if key not in self.tags:
            self.conn.execute("INSERT OR IGNORE INTO tag(name, name_key) VALUES (?, ?)", (name, key))
            self.tags[key] = int(self.conn.execute("SELECT id FROM tag WHERE name_key = ?", (key,)).fetchone()[0])
        return self.tags[key]
