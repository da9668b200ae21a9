"""A pseudonymised export for analysis (GDPR Art. 4(5), 25 and 89; seed 002): what the shop needs to count and
compare, without who.

Each person is a keyed pseudonym (an HMAC of the id under the vault's own `analysis_key`, made by migration 21
and never written out), so two exports line up while nobody holding the file alone can tell who is who, or match
it with the erasure ledger (another key). No names, contact details, notes, tags or organisations; dates are
coarsened to the month and ages to bands. Restricted people (Art. 18) and the bin are left out. Managers and
the owner (export permission); audited with the count.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from app.access.roles import Permission
from app.access.session import Session
from app.consent.jurisdiction import age_on
from app.consent.ledger import ConsentService
from app.consent.restriction import RESTRICTED_IDS
from app.crm.export import write_rows
from app.errors import VaultDamaged
from app.locale import _
from app.store.database import Connection

AGE_BANDS = (
    (0, 14, "0-13"),
    (14, 18, "14-17"),
    (18, 25, "18-24"),
    (25, 35, "25-34"),
    (35, 45, "35-44"),
    (45, 55, "45-54"),
    (55, 65, "55-64"),
    (65, 200, "65+"),
)
BASE_HEADER = [
    "person",
    "language",
    "age_band",
    "first_seen",
    "last_changed",
    "deals",
    "deals_won",
    "won_value",
    "activities",
    "orders_band",
    "spent_band",
]
# An imported total spent or order count, in bands: the exact figure ("1529.90 over 14 orders") is rare enough to
# single a person out when put beside another source, and a band is all an analysis of customers needs.
ORDER_BANDS = ((0, 1, "0"), (1, 2, "1"), (2, 5, "2-4"), (5, 10, "5-9"), (10, 10**12, "10+"))
SPENT_BANDS = ((0, 1, "0"), (1, 100, "1-99"), (100, 500, "100-499"), (500, 1000, "500-999"), (1000, 10**15, "1000+"))


def band(value: object, bands: Sequence[tuple[int, int, str]]) -> str:
    """The band a stored figure falls in (decimal text or integer); "" when not known."""
    try:
        number = Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        number = None
    if number is None:
        return ""
    return next((label for low, high, label in bands if low <= number < high), "")


def analysis_key(conn: Connection) -> bytes:
    row = conn.execute("SELECT value FROM vault_meta WHERE key = 'analysis_key'").fetchone()
    if row is None:
        raise VaultDamaged(_("The vault has no key for pseudonyms; open it with this version once to add it."))
    return bytes.fromhex(str(row[0]))


def pseudonym(key: bytes, contact_id: int) -> str:
    """The same person, the same pseudonym, in every export from this vault; 80 bits, not reversible."""
    return hmac.new(key, f"analysis:{contact_id}".encode(), hashlib.sha256).hexdigest()[:20]


def age_band(born: str | None, today: date) -> str:
    """The band an age falls in ("25-34"); "" when the birth date is unknown or unreadable."""
    try:
        birth = date.fromisoformat(str(born)[:10]) if born else None
    except ValueError:
        birth = None
    if birth is None:
        return ""
    age = age_on(birth, today)
    return next((label for low, high, label in AGE_BANDS if low <= age < high), "")


def month(moment: object) -> str:
    """A timestamp coarsened to its month ("2026-03")."""
    return str(moment)[:7] if moment else ""


def export_pseudonymised(
    session: Session, out: Path, today: date | None = None, progress: Callable[[int], None] | None = None
) -> int:
    """Write the analysis CSV to `out`; returns the number of people in it. `progress(rows)` every 1,000 rows
    may raise to stop: then no file is left and nothing is audited."""
    session.require(Permission.EXPORT_BULK)
    purposes = [p for p in ConsentService(session).purposes() if p.lawful_basis == "consent"]
    header = BASE_HEADER + [f"consent_{p.key}" for p in purposes]
    count = write_rows(out, header, _rows(session, purposes, today or datetime.now(UTC).date()), progress)
    session.record("contact.export_pseudonymised", "contact", None, f"{count} rows")
    return count


def _rows(session: Session, purposes: Sequence[object], today: date) -> Iterator[list[object]]:
    conn = session.conn
    key = analysis_key(conn)
    now = datetime.now(UTC)
    consents = []
    for purpose in purposes:
        days = getattr(purpose, "expires_after_days", None)
        cutoff = (now - timedelta(days=days)).isoformat(timespec="seconds") if days else ""
        consents.append((str(getattr(purpose, "key", "")), cutoff))
    latest = ", ".join(
        "(SELECT action || '|' || at FROM consent_event WHERE purpose_key = ? AND contact_id = c.id "
        "ORDER BY id DESC LIMIT 1)"
        for _purpose in consents
    )
    sql = (
        "SELECT c.id, c.language, c.birth_date, c.created_at, c.updated_at, "
        "(SELECT count(*) FROM deal WHERE contact_id = c.id), "
        "(SELECT count(*) FROM deal WHERE contact_id = c.id AND status = 'won'), "
        "(SELECT coalesce(sum(value_minor), 0) FROM deal WHERE contact_id = c.id AND status = 'won'), "
        "(SELECT count(*) FROM activity WHERE contact_id = c.id), "
        "(SELECT order_count FROM contact_purchases WHERE contact_id = c.id), "
        "(SELECT total_spent FROM contact_purchases WHERE contact_id = c.id)"
        + (", " + latest if latest else "")
        + " FROM contact c WHERE c.deleted_at IS NULL AND c.anonymised_at IS NULL"
        f" AND c.id NOT IN ({RESTRICTED_IDS}) ORDER BY c.id"
    )
    for row in conn.execute(sql, [purpose_key for purpose_key, _cutoff in consents]):
        states = []
        for (_key, cutoff), event in zip(consents, row[11:], strict=True):
            action, _bar, at = str(event or "").partition("|")
            states.append(
                "" if not action else "withdrawn" if action == "withdraw" else "expired" if at < cutoff else "granted"
            )
        yield [
            pseudonym(key, int(row[0])),
            row[1] or "",
            age_band(row[2], today),
            month(row[3]),
            month(row[4]),
            int(row[5]),
            int(row[6]),
            int(row[7]),
            int(row[8]),
            band(row[9], ORDER_BANDS),
            band(row[10], SPENT_BANDS),
            *states,
        ]
