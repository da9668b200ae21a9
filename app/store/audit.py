"""The audit log: an append-only hash chain that records who did what, never the personal data itself.

Each entry's hash is HMAC-SHA256 over the previous hash and the canonical entry. The HMAC key is derived with
HKDF from the vault's first data key and kept in the (encrypted) database, so the chain still verifies after
a rekey. Summaries hold ids and counts only, so erasing a person never needs to touch (or break) the chain.

The HMAC key is known to everyone who holds the data key (every user with a slot), so since schema 16 each entry
also names its signer (a slot's public signing key) and carries that key's Ed25519 signature over its hash
(app/store/signing.py). verify trusts the signing keys bound into the current slots' headers (each user's
current and earlier keys), plus, for a user left without a slot (disabled or removed), keys vouched for by an
`audit.key_retired` entry signed by a trusted key of an owner. So a staff member cannot write an entry as someone
who has a slot, and cannot rewrite an entry of someone else (the hash of every later entry changes too) without
verify naming it. Entries from before schema 16 are counted as unsigned.

The chain's head (newest id and hash) is signed and kept outside the database: in the key file at every lock,
and in each backup's manifest. Unlock compares the key file's head with the database before writing anything
and records a cut end as a signed `audit.cut` entry; verify reports those, compares the newest backup's head,
and checks that the anchor left by trimming old entries (`audit_anchor`) is signed by an owner or manager.
Every export carries a head too (`export_head`, written as `head_text` into the file: a CSV's last line, a vCard
property, a PDF's metadata, a JSON member of a ZIP), so a copy kept outside the vault can later prove the log's end
(`counterpart-admin verify --head-from FILE`).
What stays possible for a key holder: cutting the end and sealing the shorter log with her own key (only a backup
made before still names it), trimming the beginning or vouching for a taken-away login's keys after changing roles
in the user table, and anything written with the recovery key alone, which signs nothing.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.fileio import atomic_text
from app.locale import _, ngettext
from app.store.database import Connection
from app.store.signing import PublicSigner, Signer, valid

GENESIS = b"\0" * 32
SIGNED_FROM_KEY = "audit_signed_from"  # vault_meta: the first entry id that must be signed (set by migration 16)
SIGNED_SINCE_KEY = "audit_signed_since"  # vault_meta: the app version that began signing, for the report
KEY_RETIRED, CUT = "audit.key_retired", "audit.cut"


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
    findings: tuple[str, ...] = ()  # a cut end or beginning, a forged anchor or head: one sentence each
    unsigned: int = 0  # entries written before entries were signed (not a fault)
    signed_since: str = ""  # the version that began signing entries

    @property
    def ok(self) -> bool:
        return self.first_broken is None and not self.findings


def _canonical(
    entry_id: int,
    at: str,
    user_id: int | None,
    action: str,
    entity_type: str | None,
    entity_id: str | None,
    summary: str,
    signer: str | None = None,
) -> bytes:
    fields: list[object] = [entry_id, at, user_id, action, entity_type, entity_id, summary]
    if signer is not None:  # a signed entry's hash binds its signer too (an unsigned one hashes as before)
        fields.append(signer)
    return json.dumps(fields, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def _entry_message(digest: bytes) -> bytes:
    return b"counterpart audit entry v1|" + digest


def _head_message(entry_id: int, digest_hex: str, at: str, slot_id: str, kind: str) -> bytes:
    return json.dumps(
        [f"counterpart audit {kind} v1", entry_id, digest_hex, at, slot_id], separators=(",", ":")
    ).encode("ascii")


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


def append(
    conn: Connection,
    data_key: bytes,
    *,
    user_id: int | None,
    action: str,
    entity_type: str | None = None,
    entity_id: str | int | None = None,
    summary: str = "",
    at: datetime | None = None,
    signer: Signer | None = None,
) -> int:
    """Add one entry, signed by `signer` (the slot that unlocked the vault; None only with the recovery key).
    Call inside the transaction of the change it records, so both land or neither."""
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
    slot = signer.key_id if signer is not None else None
    digest = _hash(key, prev_hash, _canonical(entry_id, when, user_id, action, entity_type, eid, summary, slot))
    row = (entry_id, when, user_id, action, entity_type, eid, summary, prev_hash, digest)
    if signer is None:
        conn.execute(
            "INSERT INTO audit_event(id, at, user_id, action, entity_type, entity_id, summary, prev_hash, "
            "hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row,
        )
    else:
        conn.execute(
            "INSERT INTO audit_event(id, at, user_id, action, entity_type, entity_id, summary, prev_hash, "
            "hash, signer, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*row, slot, signer.sign(_entry_message(digest))),
        )
    return entry_id


def record_retired_key(conn: Connection, data_key: bytes, signer: Signer | None, retired: PublicSigner) -> None:
    """Vouch for a slot's signing key as it leaves the key file, so the entries it signed still verify."""
    if signer is None:
        return  # nothing trusted to vouch with (the recovery key signs nothing)
    append(
        conn,
        data_key,
        user_id=signer.user_id,
        action=KEY_RETIRED,
        entity_type="signing_key",
        entity_id=retired.key_id,
        summary=json.dumps({"user": retired.user_id}),
        signer=signer,
    )


def seal_head(conn: Connection, signer: Signer, kind: str = "head") -> dict[str, Any] | None:
    """The newest entry's id and hash, signed: kept outside the database (key file, backup manifest)."""
    row = conn.execute("SELECT id, hash FROM audit_event ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        return None
    at = datetime.now(UTC).isoformat(timespec="microseconds")  # as entries are: later ones sort after it
    digest = bytes(row[1]).hex()
    return {
        "id": int(row[0]),
        "hash": digest,
        "at": at,
        "signer": signer.key_id,
        "sig": signer.sign(_head_message(int(row[0]), digest, at, signer.key_id, kind)).hex(),
    }


HEAD_TEXT = "counterpart-audit-head/1"  # how an exported file names the head it carries (see head_text)
_HEAD_FIELDS = ("id", "hash", "at", "signer", "sig")
_HEAD_PATTERN = re.compile(re.escape(HEAD_TEXT) + r"((?: [a-z]+=[0-9A-Za-z:.+-]+)+)")


PDF_HEAD_KEY = "/CounterpartAuditHead"  # the Art. 15 PDF's metadata entry holding the log's signed head
ZIP_HEAD_MEMBER = "audit_head.json"  # the portability ZIP's member holding it


def export_head(conn: Connection, signer: Signer | None) -> dict[str, Any] | None:
    """The head an export carries, sealed as it starts: None with the recovery key (it signs nothing) or in a
    log from before signing. The export's own entry names it (`head_note`)."""
    if signer is None or not _has_signatures(conn):
        return None
    return seal_head(conn, signer)


def head_note(head: dict[str, Any] | None) -> str:
    """How an export's audit entry that has an entity of its own (a person, a purpose) names the head it sealed,
    at the end of its summary ("" when it sealed none)."""
    return f"; head {head['id']}" if head else ""


def head_entity(head: dict[str, Any] | None) -> tuple[str | None, str | None]:
    """How an export's audit entry with no entity of its own names the head it sealed: as its entity."""
    return ("audit_event", str(head["id"])) if head else (None, None)


def head_text(head: dict[str, Any]) -> str:
    """The head on one line without commas, quotes or semicolons: a CSV reads it as one cell of one row, a vCard
    as one property value, a PDF keeps it as a metadata string."""
    return HEAD_TEXT + "".join(f" {name}={head[name]}" for name in _HEAD_FIELDS)


def read_head_text(text: str) -> dict[str, Any] | None:
    """The last head written with `head_text` in `text` (folded vCard lines joined first), else None."""
    found = _HEAD_PATTERN.findall(re.sub(r"\r?\n[ \t]", "", text))
    if not found:
        return None
    fields = dict(part.split("=", 1) for part in found[-1].split())
    if set(_HEAD_FIELDS) - set(fields) or not fields["id"].isdigit():
        return None
    return {**fields, "id": int(fields["id"])}


def _anchor_id(conn: Connection) -> int:
    anchor = conn.execute("SELECT value FROM vault_meta WHERE key = 'audit_anchor'").fetchone()
    return int(json.loads(anchor[0])["id"]) if anchor else 0


def head_finding(conn: Connection, head: dict[str, Any] | None) -> dict[str, Any] | None:
    """How the log differs from a sealed head: None when it still holds that entry unchanged (or trimmed it)."""
    if not head:
        return None
    try:
        sealed = int(head["id"])
    except (KeyError, ValueError, TypeError):
        return {"forged": True}
    if sealed <= _anchor_id(conn):
        return None
    row = conn.execute("SELECT hash FROM audit_event WHERE id = ?", (sealed,)).fetchone()
    if row is not None and bytes(row[0]).hex() == head.get("hash"):
        return None
    # The newest entry written before the seal: entries written since (a login after the cut) were never sealed.
    kept = conn.execute("SELECT max(id) FROM audit_event WHERE at <= ?", (str(head.get("at", "")),)).fetchone()[0]
    return {"sealed": sealed, "found": int(kept) if kept is not None else _anchor_id(conn), "changed": row is not None}


def record_cut(conn: Connection, data_key: bytes, signer: Signer | None, finding: dict[str, Any]) -> None:
    """Found at unlock, before anything else was written: the log lost its end since the last lock."""
    append(
        conn,
        data_key,
        user_id=signer.user_id if signer else None,
        action=CUT,
        summary=json.dumps(finding, sort_keys=True),
        signer=signer,
    )


def set_anchor(conn: Connection, signer: Signer | None, entry_id: int, digest: bytes) -> None:
    """Remember, signed by whoever trims the log, the last removed entry: the chain goes on from its hash."""
    anchor: dict[str, Any] = {"id": entry_id, "hash": digest.hex()}
    if signer is not None:
        at = datetime.now(UTC).isoformat(timespec="seconds")
        anchor.update(
            at=at,
            signer=signer.key_id,
            sig=signer.sign(_head_message(entry_id, digest.hex(), at, signer.key_id, "anchor")).hex(),
        )
    conn.execute(
        "INSERT INTO vault_meta(key, value) VALUES ('audit_anchor', ?) ON CONFLICT(key) DO UPDATE SET "
        "value = excluded.value",
        (json.dumps(anchor),),
    )


def _has_signatures(conn: Connection) -> bool:
    return any(str(r[1]) == "signer" for r in conn.execute("PRAGMA table_info(audit_event)"))


def _meta(conn: Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM vault_meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def _roles(conn: Connection) -> dict[int, str]:
    return {int(r[0]): str(r[1]) for r in conn.execute("SELECT id, role FROM user")}


def _names(conn: Connection) -> dict[int, str]:
    return {int(r[0]): str(r[1]) for r in conn.execute("SELECT id, name FROM user")}


def trusted_signers(conn: Connection, current: dict[str, PublicSigner]) -> dict[str, PublicSigner]:
    """The keys in the current slot headers; then, for users without a slot, every retired key vouched for (by a
    validly signed `audit.key_retired` entry) by a trusted key of an owner, until nothing more is added.

    A user with a slot has all her keys in its header: a vouch never adds one (the owner role is read from the
    user table, which a key holder can change, so it must not decide about anyone who can still sign in)."""
    trusted = dict(current)
    with_slot = {signer.user_id for signer in current.values()}
    records = conn.execute(
        "SELECT user_id, entity_id, summary, signer, signature, hash FROM audit_event "
        "WHERE action = ? AND signer IS NOT NULL",
        (KEY_RETIRED,),
    ).fetchall()
    roles = _roles(conn)
    added = True
    while added:
        added = False
        for user_id, key_id, summary, by_key, signature, digest in records:
            by = trusted.get(str(by_key))
            if str(key_id) in trusted or by is None or by.user_id != user_id:
                continue
            if not valid(by.public_key, signature, _entry_message(bytes(digest))):
                continue
            try:
                retired = PublicSigner(json.loads(summary)["user"], bytes.fromhex(str(key_id)))
            except (ValueError, KeyError, TypeError):
                continue
            if retired.user_id not in with_slot and (
                retired.user_id == by.user_id or roles.get(by.user_id or 0) == "owner"
            ):
                trusted[retired.key_id] = retired
                added = True
    return trusted


def verify_chain(
    conn: Connection, current: dict[str, PublicSigner] | None = None, heads: Iterable[tuple[str, dict[str, Any]]] = ()
) -> ChainReport:
    """Recompute every hash: an edited, deleted or inserted entry names the first id where the chain breaks.

    With `current` (the signing keys in the key file's slots, see app/store/signing.py) every signature is
    checked too, the anchor must be signed by an owner or manager, cuts recorded at unlock are reported, and
    each of `heads` ((where it was kept, sealed head)) must still be in the log.
    """
    signed = _has_signatures(conn)
    columns = ", signer, signature" if signed else ", NULL, NULL"
    rows = conn.execute(
        "SELECT id, at, user_id, action, entity_type, entity_id, summary, prev_hash, hash"
        + columns
        + " FROM audit_event ORDER BY id"
    )
    prev_hash, expected_id, count = GENESIS, 1, 0
    anchor = conn.execute("SELECT value FROM vault_meta WHERE key = 'audit_anchor'").fetchone()
    start: dict[str, Any] = {}
    if anchor is not None:  # entries before it were removed under the retention policy
        start = json.loads(anchor[0])
        prev_hash, expected_id = bytes.fromhex(start["hash"]), int(start["id"]) + 1
    checking = current is not None and signed
    trusted = trusted_signers(conn, current or {}) if checking else {}
    names = _names(conn)
    signed_from = int(_meta(conn, SIGNED_FROM_KEY) or 0) if signed else 0
    since = _meta(conn, SIGNED_SINCE_KEY) or ""
    key: bytes | None = None
    unsigned, seen_signed = 0, False
    findings: list[str] = []
    if checking:  # cuts found at unlock come first: a cut end may also have taken a key's vouching entry along
        findings += [
            _cut_sentence(json.loads(summary), at)
            for at, summary in conn.execute("SELECT at, summary FROM audit_event WHERE action = ? ORDER BY id", (CUT,))
        ]

    def broken(entry_id: int, reason: str) -> ChainReport:
        return ChainReport(count, entry_id, reason, tuple(findings), unsigned, since)

    for (
        entry_id,
        at,
        user_id,
        action,
        entity_type,
        entity_id,
        summary,
        stored_prev,
        stored_hash,
        slot,
        signature,
    ) in rows:
        count += 1
        if key is None:
            key = _chain_key(conn, None)
        if entry_id != expected_id:
            return broken(int(entry_id), _("an entry before it is missing or was inserted"))
        if bytes(stored_prev) != prev_hash:
            return broken(int(entry_id), _("it does not follow the entry before it"))
        recomputed = _hash(
            key, prev_hash, _canonical(entry_id, at, user_id, action, entity_type, entity_id, summary, slot)
        )
        if not hmac.compare_digest(recomputed, bytes(stored_hash)):
            return broken(int(entry_id), _("its content was changed after it was written"))
        if checking:
            claimed = names.get(user_id, str(user_id))
            if slot is not None:
                signer = trusted.get(str(slot))
                if signer is None:
                    return broken(int(entry_id), _("it is signed with a key that belongs to no login of this vault"))
                if signer.user_id != user_id:
                    return broken(
                        int(entry_id),
                        _("it says {claimed} wrote it, but it was signed with the key of {signer}").format(
                            claimed=claimed, signer=names.get(signer.user_id or 0, "?")
                        ),
                    )
                if not valid(signer.public_key, signature, _entry_message(recomputed)):
                    return broken(
                        int(entry_id),
                        _("its signature does not match: it was changed after {user} signed it").format(user=claimed),
                    )
                seen_signed = True
            elif user_id is not None and (entry_id >= signed_from or seen_signed):
                return broken(int(entry_id), _("it says {user} wrote it, but it is not signed").format(user=claimed))
            elif not seen_signed:
                unsigned += 1
        prev_hash, expected_id = recomputed, expected_id + 1
    if checking:
        findings += _anchor_findings(conn, start, trusted, signed_from)
        for where, head in heads:
            findings.extend(_head_findings(conn, where, head, trusted))
    return ChainReport(count, None, "", tuple(findings), unsigned, since)


def _cut_sentence(cut: dict[str, Any], at: str) -> str:
    when = at[:10]
    if cut.get("forged"):
        return _(
            "On {date} the key file's record of the log's end was not signed by a login of this vault: it "
            "was forged, and whether the end of the log was cut could not be checked."
        ).format(date=when)
    if cut.get("changed"):
        return _(
            "On {date} the log no longer held entry {id} as it was when the vault was last locked: its end "
            "was cut off and written again."
        ).format(date=when, id=cut["sealed"])
    missing = int(cut["sealed"]) - int(cut["found"])
    return ngettext(
        "On {date} the last entry was missing: the vault was last locked after entry {id}, but the "
        "log ended at {found}.",
        "On {date} the last {n} entries were missing: the vault was last locked after entry {id}, but "
        "the log ended at {found}.",
        missing,
    ).format(date=when, n=missing, id=cut["sealed"], found=cut["found"])


def _anchor_findings(
    conn: Connection, anchor: dict[str, Any], trusted: dict[str, PublicSigner], signed_from: int
) -> list[str]:
    """Trimming old entries leaves an anchor; since entries are signed it must be signed by someone who may erase."""
    if not anchor or int(anchor["id"]) < signed_from:
        return []  # no trim, or one of entries from before signing (its anchor could not be signed)
    signer = trusted.get(str(anchor.get("signer")))
    message = _head_message(
        int(anchor["id"]), str(anchor["hash"]), str(anchor.get("at")), str(anchor.get("signer")), "anchor"
    )
    if (
        signer is not None
        and _roles(conn).get(signer.user_id or 0) in ("owner", "manager")
        and valid(signer.public_key, bytes.fromhex(str(anchor.get("sig", ""))), message)
    ):
        return []
    return [
        ngettext(
            "The first entry is missing, and the record saying the retention sweep removed it is not "
            "signed by an owner or manager: it was forged.",
            "The first {n} entries are missing, and the record saying the retention sweep removed them "
            "is not signed by an owner or manager: it was forged.",
            int(anchor["id"]),
        ).format(n=int(anchor["id"]))
    ]


def _genuine_head(head: dict[str, Any], trusted: dict[str, PublicSigner]) -> bool:
    signer = trusted.get(str(head.get("signer")))
    try:
        message = _head_message(int(head["id"]), str(head["hash"]), str(head["at"]), str(head["signer"]), "head")
        return signer is not None and valid(signer.public_key, bytes.fromhex(str(head["sig"])), message)
    except (KeyError, ValueError, TypeError):
        return False


def head_signed(conn: Connection, head: dict[str, Any], current: dict[str, PublicSigner]) -> bool:
    """Whether a sealed head bears the signature of a login's key (the slots' keys first: the common case)."""
    return _genuine_head(head, current) or (
        _has_signatures(conn) and _genuine_head(head, trusted_signers(conn, current))
    )


def _head_findings(conn: Connection, where: str, head: dict[str, Any], trusted: dict[str, PublicSigner]) -> list[str]:
    if not _genuine_head(head, trusted):
        return [
            _("The end of the log recorded in {where} is not signed by a login of this vault: it was forged.").format(
                where=where
            )
        ]
    finding = head_finding(conn, head)
    if finding is None:
        return []
    if finding.get("changed"):
        return [
            _(
                "Entry {id}, recorded in {where}, is no longer in the log as it was: the end of the log was "
                "cut off and written again."
            ).format(id=finding["sealed"], where=where)
        ]
    missing = int(finding["sealed"]) - int(finding["found"])
    return [
        ngettext(
            "The last entry is missing: {where} records entry {id}, the log ends at {found}.",
            "The last {n} entries are missing: {where} records entry {id}, the log ends at {found}.",
            missing,
        ).format(n=missing, where=where, id=finding["sealed"], found=finding["found"])
    ]


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
    for column, value in (
        ("a.user_id", flt.user_id),
        ("a.action", flt.action),
        ("a.entity_type", flt.entity_type),
        ("a.entity_id", flt.entity_id),
    ):
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


def entries(
    conn: Connection, flt: AuditFilter = EVERYTHING, *, after_id: int = 0, limit: int = 500, newest_first: bool = False
) -> list[AuditEntry]:
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
    rows = conn.execute(
        "SELECT a.id, a.at, a.user_id, u.name, a.action, a.entity_type, a.entity_id, a.summary "
        "FROM audit_event a LEFT JOIN user u ON u.id = a.user_id"
        + where
        + f" ORDER BY a.id {'DESC' if newest_first else ''} LIMIT ?",
        [*args, limit],
    ).fetchall()
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


def write_csv(
    conn: Connection,
    out: Path,
    flt: AuditFilter = EVERYTHING,
    head: dict[str, Any] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Export for auditors; the caller audits the export itself. Returns the number of rows written. `head`
    (export_head) ends the file as a last line of its own, `#` and head_text. `progress(rows)` every 1,000
    rows may raise to stop: then no file is left."""
    count = 0
    with atomic_text(out, encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "time_utc", "user", "action", "entity_type", "entity_id", "summary"])
        for entry in iter_entries(conn, flt):
            writer.writerow(
                [
                    entry.id,
                    entry.at,
                    neutralise_formula(entry.user_name or ""),
                    entry.action,
                    entry.entity_type or "",
                    entry.entity_id or "",
                    neutralise_formula(entry.summary),
                ]
            )
            count += 1
            if progress is not None and count % 1000 == 0:
                progress(count)
        if head is not None:
            handle.write(head_line(head))
    return count


def head_line(head: dict[str, Any]) -> str:
    """A CSV export's last line: a comment (`#`) many readers skip, one cell for those that do not."""
    return "#" + head_text(head) + "\r\n"


def neutralise_formula(cell: str) -> str:
    """Stop spreadsheets from running a cell as a formula (CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
