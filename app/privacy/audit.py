"""The audit log: an append-only hash chain that records who did what, never the personal data itself.

Each entry's hash is HMAC-SHA256 over the previous hash and the canonical entry. The HMAC key is derived with
HKDF from the vault's first data key and kept in the (encrypted) database, so the chain still verifies after
a rekey. Summaries hold ids and counts only, so erasing a person never needs to touch (or break) the chain.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.fileio import atomic_text
from app.store.database import Connection

GENESIS = b"\0" * 32


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    user_id: int | None
    user_name: str | None
    action: str
    entity_type: str | None
    entity_id: str | None
    summary: str


@dataclass(frozen=True)
class ChainReport:
    entries: int
    first_broken: int | None  # id of the first entry that fails, None when the chain is intact
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_broken is None


def _canonical(entry_id: int, at: str, user_id: int | None, action: str, entity_type: str | None,
               entity_id: str | None, summary: str) -> bytes:
    return json.dumps([entry_id, at, user_id, action, entity_type, entity_id, summary],
                      ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _chain_key(conn: Connection, data_key: bytes | None) -> bytes:
    """The chain's HMAC key; made from the data key on first use (inside the caller's transaction)."""
    row = conn.execute("SELECT value FROM vault_meta WHERE key = 'audit_key'").fetchone()
    if row is not None:
        return bytes.fromhex(str(row[0]))
    if data_key is None:
        raise RuntimeError("the audit key is not set up yet")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"counterpart audit chain v1").derive(data_key)
    conn.execute("INSERT INTO vault_meta(key, value) VALUES ('audit_key', ?)", (key.hex(),))
    return key


def _hash(key: bytes, prev_hash: bytes, canonical: bytes) -> bytes:
    return hmac.new(key, prev_hash + canonical, hashlib.sha256).digest()


def append(conn: Connection, data_key: bytes, *, user_id: int | None, action: str,
           entity_type: str | None = None, entity_id: str | int | None = None, summary: str = "",
           at: datetime | None = None) -> int:
    """Add one entry. Call inside the transaction of the change it records, so both land or neither."""
    if not conn.in_transaction:
        raise RuntimeError("audit entries are written inside the transaction of the change they record")
    key = _chain_key(conn, data_key)
    last = conn.execute("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
    if last is None:  # a new log, or one whose every entry was trimmed: continue from the anchor
        anchor = conn.execute("SELECT value FROM vault_meta WHERE key = 'audit_anchor'").fetchone()
        start: dict[str, Any] = json.loads(anchor[0]) if anchor else {"id": 0, "hash": GENESIS.hex()}
        last = (int(start["id"]), bytes.fromhex(str(start["hash"])))
    prev_hash, entry_id = bytes(last[1]), int(last[0]) + 1
    when = (at or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="microseconds")
    eid = None if entity_id is None else str(entity_id)
    digest = _hash(key, prev_hash, _canonical(entry_id, when, user_id, action, entity_type, eid, summary))
    conn.execute("INSERT INTO audit_event(id, at, user_id, action, entity_type, entity_id, summary, prev_hash, "
                 "hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (entry_id, when, user_id, action, entity_type, eid, summary, prev_hash, digest))
    return entry_id


def verify_chain(conn: Connection) -> ChainReport:
    """Recompute every hash: an edited, deleted or inserted entry names the first id where the chain breaks."""
    rows = conn.execute("SELECT id, at, user_id, action, entity_type, entity_id, summary, prev_hash, hash "
                        "FROM audit_event ORDER BY id")
    prev_hash, expected_id, count = GENESIS, 1, 0
    anchor = conn.execute("SELECT value FROM vault_meta WHERE key = 'audit_anchor'").fetchone()
    if anchor is not None:  # entries before it were removed under the retention policy
        start = json.loads(anchor[0])
        prev_hash, expected_id = bytes.fromhex(start["hash"]), int(start["id"]) + 1
    key: bytes | None = None
    for entry_id, at, user_id, action, entity_type, entity_id, summary, stored_prev, stored_hash in rows:
        count += 1
        if key is None:
            key = _chain_key(conn, None)
        if entry_id != expected_id:
            return ChainReport(count, int(entry_id), "an entry before it is missing or was inserted")
        if bytes(stored_prev) != prev_hash:
            return ChainReport(count, int(entry_id), "it does not follow the entry before it")
        recomputed = _hash(key, prev_hash, _canonical(entry_id, at, user_id, action, entity_type, entity_id,
                                                      summary))
        if not hmac.compare_digest(recomputed, bytes(stored_hash)):
            return ChainReport(count, int(entry_id), "its content was changed after it was written")
        prev_hash, expected_id = recomputed, expected_id + 1
    return ChainReport(count, None)


@dataclass(frozen=True)
class AuditFilter:
    user_id: int | None = None
    action: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    since: str | None = None  # ISO date or datetime, UTC
    until: str | None = None


EVERYTHING = AuditFilter()


def _where(flt: AuditFilter) -> tuple[str, list[object]]:
    clauses: list[str] = []
    args: list[object] = []
    for column, value in (("a.user_id", flt.user_id), ("a.action", flt.action),
                          ("a.entity_type", flt.entity_type), ("a.entity_id", flt.entity_id)):
        if value is not None:
            clauses.append(f"{column} = ?")
            args.append(value)
    if flt.since:
        clauses.append("a.at >= ?")
        args.append(flt.since)
    if flt.until:
        clauses.append("a.at < ?")
        args.append(flt.until)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", args


def entries(conn: Connection, flt: AuditFilter = EVERYTHING, *, after_id: int = 0, limit: int = 500,
            newest_first: bool = False) -> list[AuditEntry]:
    """One keyset page of entries, for views and exports that never load the whole log.

    Oldest first continues after `after_id`; newest first continues below it (0 starts at the newest).
    """
    where, args = _where(flt)
    if newest_first:
        where = (where + " AND" if where else " WHERE") + " (? = 0 OR a.id < ?)"
        args += [after_id, after_id]
    else:
        where = (where + " AND" if where else " WHERE") + " a.id > ?"
        args.append(after_id)
    rows = conn.execute("SELECT a.id, a.at, a.user_id, u.name, a.action, a.entity_type, a.entity_id, a.summary "
                        "FROM audit_event a LEFT JOIN user u ON u.id = a.user_id" + where +
                        f" ORDER BY a.id {'DESC' if newest_first else ''} LIMIT ?", [*args, limit]).fetchall()
    return [AuditEntry(*row) for row in rows]


def actors(conn: Connection) -> list[tuple[int, str]]:
    """Everyone who can appear in the log (removed users included), for the viewer's filter."""
    return [(int(r[0]), str(r[1])) for r in conn.execute("SELECT id, name FROM user ORDER BY name_key")]


def actions(conn: Connection) -> list[str]:
    return [str(r[0]) for r in conn.execute("SELECT DISTINCT action FROM audit_event ORDER BY action")]


def iter_entries(conn: Connection, flt: AuditFilter = EVERYTHING, batch: int = 1000) -> Iterator[AuditEntry]:
    after = 0
    while page := entries(conn, flt, after_id=after, limit=batch):
        yield from page
        after = page[-1].id


def write_csv(conn: Connection, out: Path, flt: AuditFilter = EVERYTHING) -> int:
    """Export for auditors; the caller audits the export itself. Returns the number of rows written."""
    count = 0
    with atomic_text(out, encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "time_utc", "user", "action", "entity_type", "entity_id", "summary"])
        for entry in iter_entries(conn, flt):
            writer.writerow([entry.id, entry.at, neutralise_formula(entry.user_name or ""), entry.action,
                             entry.entity_type or "", entry.entity_id or "", neutralise_formula(entry.summary)])
            count += 1
    return count


def neutralise_formula(cell: str) -> str:
    """Stop spreadsheets from running a cell as a formula (CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
