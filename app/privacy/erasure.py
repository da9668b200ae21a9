"""Erasure and anonymisation that leave no trace of the person, while the audit chain stays valid.

Erase: every row about the person goes (contact points, notes, activities, tags, consent events and evidence,
privacy flags, holds); deals keep their amounts and dates but lose the link. Anonymise: the person's row stays
for statistics with its name replaced, and everything identifying goes.

"No trace" also means the places a DELETE leaves behind: the full-text index keeps deleted tokens in its
segments until they are merged (so the index is optimised), freed pages are zeroed (secure_delete, on for every
connection), and old page images in the write-ahead log are checkpointed away.

The erasure ledger keeps only an HMAC of the person's id, so erasures can be re-applied to a restored backup
without keeping anything that identifies the person.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from app.access.roles import Permission
from app.access.session import Session
from app.errors import InvalidInput, PermissionDenied
from app.locale import _
from app.store import search_index
from app.store.database import Connection

ERASE, ANONYMISE = "erase", "anonymise"
LEGAL_HOLD = "legal hold"  # why an erasure was refused (the access.refused summary)


def _pseudonym_key(conn: Connection) -> bytes:
    row = conn.execute("SELECT value FROM vault_meta WHERE key = 'audit_key'").fetchone()
    return bytes.fromhex(str(row[0])) if row else b"counterpart"


def _pseudonym(key: bytes, contact_id: int) -> str:
    return hmac.new(key, f"contact:{contact_id}".encode(), hashlib.sha256).hexdigest()


def pseudonym(conn: Connection, contact_id: int) -> str:
    """HMAC of the contact id under the vault's audit key: stable across rekeys and backups, reveals nothing."""
    return _pseudonym(_pseudonym_key(conn), contact_id)


def on_hold(conn: Connection, contact_id: int, now: datetime | None = None) -> str | None:
    """The reason of an active legal hold on the person (or one of their deals), else None."""
    stamp = (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")
    row = conn.execute(
        "SELECT reason FROM legal_hold WHERE released_at IS NULL AND (until IS NULL OR until > ?) AND "
        "(contact_id = ? OR deal_id IN (SELECT id FROM deal WHERE contact_id = ?)) LIMIT 1",
        (stamp, contact_id, contact_id),
    ).fetchone()
    return None if row is None else str(row[0])


# Rows about the person that go even where their foreign key would only unlink them (a deal stays, unlinked).
_PERSON_ROWS = (
    "contact_point",
    "contact_tag",
    "contact_organisation",
    "note",
    "activity",
    "consent_event",
    "consent_evidence",
    "privacy_flag_event",
    "legal_hold",
)


def erase_in_transaction(conn: Connection, contact_id: int, action: str, at: datetime | None = None) -> None:
    """Erase or anonymise one person inside the caller's transaction."""
    erase_many(conn, [contact_id], action, at or datetime.now(UTC))


def references_to_contact(conn: Connection) -> list[tuple[str, str, str]]:
    """(table, column, ON DELETE action) of every foreign key pointing at a person, read from the schema, so a
    table added later is never missed by the batch eraser."""
    tables = [
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql NOT LIKE "
            "'CREATE VIRTUAL%' ORDER BY name"
        )
    ]
    found = []
    for table in tables:
        for row in conn.execute('SELECT "table", "from", on_delete FROM pragma_foreign_key_list(?)', (table,)):
            if row[0] == "contact":
                found.append((table, str(row[1]), str(row[2]).upper()))
    return found


def erase_many(
    conn: Connection,
    contact_ids: list[int],
    action: str,
    at: datetime,
    references: list[tuple[str, str, str]] | None = None,
) -> list[str]:
    """Erase or anonymise a batch of people inside the caller's transaction, one statement per table for the
    whole batch; returns their pseudonyms for the ledger file. `references` (from references_to_contact) saves
    reading the schema again for every batch.

    Each ON DELETE action is done explicitly, for every foreign key the schema declares, so the result is the
    same with enforcement on (one person: `erase`) or off (the sweeper's batches, `RetentionService.apply`):
    SQLite runs every cascade as a sub-program per deleted row, ~60 locked allocations per person with memory
    security.
    """
    if not contact_ids:
        return []
    stamp = at.astimezone(UTC).isoformat(timespec="seconds")
    key = _pseudonym_key(conn)
    names = {i: _pseudonym(key, i) for i in contact_ids}
    batch = json.dumps(contact_ids)
    chosen = "(SELECT value FROM json_each(?))"
    for table, column, on_delete in references if references is not None else references_to_contact(conn):
        if on_delete == "CASCADE" or table in _PERSON_ROWS:
            conn.execute(f'DELETE FROM "{table}" WHERE "{column}" IN {chosen}', (batch,))
        elif on_delete == "SET NULL":
            conn.execute(f'UPDATE "{table}" SET "{column}" = NULL WHERE "{column}" IN {chosen}', (batch,))
        else:
            raise RuntimeError(f"{table}.{column} references a person without ON DELETE CASCADE or SET NULL")
    conn.execute(f"DELETE FROM contact_search WHERE rowid IN {chosen}", (batch,))
    conn.execute(f"DELETE FROM contact_phone_search WHERE rowid IN {chosen}", (batch,))
    if action == ERASE:
        conn.execute(f"DELETE FROM contact WHERE id IN {chosen}", (batch,))
    else:
        label = _("Anonymised person {code}")
        conn.executemany(
            "UPDATE contact SET given_name = '', family_name = '', display_name = ?, sort_key = ?, "
            "language = NULL, birth_date = NULL, anonymised_at = ?, updated_at = ? WHERE id = ?",
            [(label.format(code=names[i][:8]), "~" + names[i][:8], stamp, stamp, i) for i in contact_ids],
        )
        for contact_id in contact_ids:
            search_index.reindex(conn, contact_id)
    conn.executemany(
        "INSERT OR REPLACE INTO erasure_ledger(pseudonym, action, at) VALUES (?, ?, ?)",
        [(names[i], action, stamp) for i in contact_ids],
    )
    return [names[i] for i in contact_ids]


SEARCH_INDEXES = ("contact_search", "contact_phone_search")
DELETEMERGE = 10  # FTS5's default: a segment is merged once a tenth of its rows are deleted


def _set_deletemerge(conn: Connection, percent: int) -> None:
    for index in SEARCH_INDEXES:
        conn.execute(f"INSERT INTO {index}({index}, rank) VALUES ('deletemerge', ?)", (int(percent),))


@contextmanager
def index_merges_deferred(conn: Connection) -> Iterator[None]:
    """For a sweep's batches, inside their transaction: FTS5 would merge a segment each time a tenth of its
    rows are deleted, rewriting segments that the trace removal after the sweep rewrites once more anyway (at
    1M people a 100k sweep spent half its phone-index time on such merges). Restored before the commit; a
    crash rolls the setting back with the erasure."""
    _set_deletemerge(conn, 0)
    try:
        yield
    finally:
        _set_deletemerge(conn, DELETEMERGE)


# vault_meta: since when an erasure (a sweep's or one person's) has committed whose words may still be in the
# search index. Holds a time, no personal data. A sweep's run row says when its own removal finished.
TRACES_OWED_KEY = "search_traces_owed"


def owe_trace_removal(conn: Connection) -> None:
    """Inside an erasure's transaction: its words are in the index until `merge_out_deleted` runs (a crash in
    between leaves this, and `verify` names it)."""
    conn.execute(
        "INSERT INTO vault_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING",
        (TRACES_OWED_KEY, datetime.now(UTC).isoformat(timespec="seconds")),
    )


def trace_removal_owed_since(conn: Connection) -> str | None:
    row = conn.execute("SELECT value FROM vault_meta WHERE key = ?", (TRACES_OWED_KEY,)).fetchone()
    return None if row is None else str(row[0])


def merge_out_deleted(conn: Connection) -> datetime:
    """Merge every search index into one segment, which drops the tokens of the rows deleted from it; clear the
    owed mark and stamp the sweeps that owed the removal; returns that time. Rewrites each index whole."""
    _set_deletemerge(conn, DELETEMERGE)
    for index in SEARCH_INDEXES:
        conn.execute(f"INSERT INTO {index}({index}) VALUES ('optimize')")
    done = datetime.now(UTC)
    conn.execute("DELETE FROM vault_meta WHERE key = ?", (TRACES_OWED_KEY,))
    conn.execute(
        "UPDATE sweep_run SET traces_removed_at = ? WHERE dry_run = 0 AND traces_removed_at IS NULL",
        (done.isoformat(timespec="seconds"),),
    )
    return done


def scrub_leftovers(conn: Connection) -> None:
    """Merge the search index (dropping deleted tokens) and empty the write-ahead log. Run after an erasure
    outside a sweep, outside a transaction: each index commits its merge, the owed mark goes last."""
    merge_out_deleted(conn)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def remember_outside(path: Path, entries: Iterable[tuple[str, str]]) -> None:
    """Append (pseudonym, action) lines to the vault's .erasures file, so a restore of an older backup can erase
    these people again without unlocking the current vault. Pseudonyms are keyed HMACs: no personal data."""
    lines = "".join(f"{name} {action}\n" for name, action in entries)
    if not lines:
        return
    with path.open("a", encoding="ascii") as handle:
        handle.write(lines)
        handle.flush()
        os.fsync(handle.fileno())


def read_outside(path: Path) -> list[tuple[str, str]]:
    try:
        text = path.read_text("ascii")
    except FileNotFoundError:
        return []
    return [
        (name, action)
        for name, _sep, action in (line.partition(" ") for line in text.splitlines())
        if name and action in (ERASE, ANONYMISE)
    ]


def erase(session: Session, contact_id: int, *, anonymise: bool = False, reason: str = "request") -> None:
    """Erase (or anonymise) one person now: managers and owner only, refused under a legal hold, audited."""
    session.require(Permission.ERASE)
    conn = session.conn
    if conn.execute("SELECT 1 FROM contact WHERE id = ? AND anonymised_at IS NULL", (contact_id,)).fetchone() is None:
        raise InvalidInput(_("There is no customer with id {id}.").format(id=contact_id))
    hold = on_hold(conn, contact_id)
    if hold is not None:
        session.refuse(Permission.ERASE, LEGAL_HOLD)  # audited like a role's refusal (the reason is not logged)
        raise PermissionDenied(
            _("Customer {id} is under a legal hold ({reason}); release it first.").format(id=contact_id, reason=hold)
        )
    action = ANONYMISE if anonymise else ERASE
    with session.change():
        erase_in_transaction(conn, contact_id, action)
        owe_trace_removal(conn)
        session.audit("contact." + action, "contact", contact_id, reason)
    remember_outside(session.vault.paths.erasures, [(pseudonym(conn, contact_id), action)])
    scrub_leftovers(conn)


def reapply_ledger(conn: Connection, entries: Iterable[tuple[str, str]]) -> int:
    """After restoring a backup: erase again everyone the ledger says was erased since. Returns how many.

    `entries` are (pseudonym, action) pairs: the union of every copy of the ledger that restore found (see
    app.vault.backup.restore); ids are matched by their pseudonym, and all of them join this database's ledger.
    """
    wanted = dict(entries)
    if not wanted:
        return 0
    count = 0
    people = [(int(r[0]), r[1] is not None) for r in conn.execute("SELECT id, anonymised_at FROM contact")]
    with_transaction = not conn.in_transaction
    if with_transaction:
        conn.execute("BEGIN IMMEDIATE")
    try:
        for contact_id, anonymised in people:
            action = wanted.get(pseudonym(conn, contact_id))
            if action is not None and not (anonymised and action == ANONYMISE):  # done already, in the backup
                erase_in_transaction(conn, contact_id, action)
                count += 1
        if count:
            owe_trace_removal(conn)
        for name, action in wanted.items():
            conn.execute(
                "INSERT OR IGNORE INTO erasure_ledger(pseudonym, action, at) VALUES (?, ?, ?)",
                (name, action, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        if with_transaction:
            conn.execute("COMMIT")
    except BaseException:
        if with_transaction:
            conn.execute("ROLLBACK")
        raise
    if count:
        scrub_leftovers(conn)
    return count
