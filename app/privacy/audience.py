"""Who may be contacted for a purpose: the list itself (a bulk export, audited) and, for the owner, why the
others may not be (counts only). Both select through the consent ledger's `audience_sql`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.access.roles import Permission
from app.access.session import Session
from app.consent.jurisdiction import pipl_people_sql
from app.consent.ledger import ConsentService, Purpose, audience_sql, eligible_sql, utc
from app.consent.restriction import RESTRICTED_IDS
from app.crm.export import write_rows
from app.store import audit


@dataclass(frozen=True)
class AudienceOverview:
    """Who may be contacted for a purpose, and why the others may not (counts only, no names)."""

    purpose: Purpose
    included: int
    excluded: dict[str, int]  # reason -> people: withdrawn, expired, never_asked, opted_out, restricted,
    # limited_sensitive


def audience_overview(session: Session, purpose_key: str, now: datetime | None = None) -> AudienceOverview:
    session.require(Permission.VIEW_CUSTOMERS)
    service = ConsentService(session)
    purpose = service.purpose(purpose_key)
    now = now or datetime.now(UTC)
    conn = session.conn
    sql, args = audience_sql(session, purpose, now)
    everyone = int(
        conn.execute("SELECT count(*) FROM contact WHERE deleted_at IS NULL AND anonymised_at IS NULL").fetchone()[0]
    )
    included = int(
        conn.execute(
            f"SELECT count(*) FROM ({sql}) e JOIN contact c ON c.id = e.id "
            "WHERE c.deleted_at IS NULL AND c.anonymised_at IS NULL",
            args,
        ).fetchone()[0]
    )
    excluded: dict[str, int] = {}
    # Restricted people who would otherwise be on the list (Art. 18 keeps them off it)
    basis_sql, basis_args = eligible_sql(purpose, now, pipl_people=pipl_people_sql(conn))
    excluded["restricted"] = int(
        conn.execute(
            f"SELECT count(*) FROM ({basis_sql}) e JOIN contact c ON c.id = e.id WHERE c.deleted_at IS NULL AND "
            f"c.anonymised_at IS NULL AND e.id IN ({RESTRICTED_IDS})",
            basis_args,
        ).fetchone()[0]
    )
    if purpose.sensitive:
        excluded["limited_sensitive"] = int(
            conn.execute(
                "SELECT count(*) FROM privacy_flag_event f WHERE f.flag = 'limit_sensitive' AND f.value = 1 AND "
                "f.id = (SELECT max(id) FROM privacy_flag_event WHERE flag = f.flag AND contact_id = f.contact_id)"
            ).fetchone()[0]
        )
    if purpose.key == "sale_sharing":
        excluded["opted_out"] = int(
            conn.execute(
                "SELECT count(*) FROM privacy_flag_event f WHERE f.flag = 'opt_out_sale_sharing' AND f.value = 1 AND "
                "f.id = (SELECT max(id) FROM privacy_flag_event WHERE flag = f.flag AND contact_id = f.contact_id)"
            ).fetchone()[0]
        )
    if purpose.lawful_basis == "consent":
        latest = (
            "SELECT e.action, e.at FROM consent_event e JOIN contact c ON c.id = e.contact_id "
            "WHERE c.deleted_at IS NULL AND c.anonymised_at IS NULL AND e.purpose_key = ? AND e.id = "
            "(SELECT max(id) FROM consent_event WHERE purpose_key = e.purpose_key AND contact_id = e.contact_id)"
        )
        withdrawn = int(
            conn.execute(f"SELECT count(*) FROM ({latest}) WHERE action = 'withdraw'", (purpose.key,)).fetchone()[0]
        )
        asked = int(conn.execute(f"SELECT count(*) FROM ({latest})", (purpose.key,)).fetchone()[0])
        excluded["withdrawn"] = withdrawn
        excluded["never_asked"] = everyone - asked
        if purpose.expires_after_days:
            cutoff = utc(now - timedelta(days=purpose.expires_after_days))
            excluded["expired"] = int(
                conn.execute(
                    f"SELECT count(*) FROM ({latest}) WHERE action = 'grant' AND at < ?", (purpose.key, cutoff)
                ).fetchone()[0]
            )
    return AudienceOverview(purpose, included, {k: v for k, v in excluded.items() if v})


AudienceRow = tuple[int, str, str | None, str | None]  # id, name, email, phone


def _audience_rows(session: Session, purpose_key: str, now: datetime) -> Iterator[AudienceRow]:
    """The people who may be contacted for a purpose, in name order, read from the cursor as they are used."""
    sql, args = audience_sql(session, ConsentService(session).purpose(purpose_key), now)
    for r in session.conn.execute(
        f"SELECT c.id, c.display_name, "
        "(SELECT value FROM contact_point WHERE contact_id = c.id AND kind = 'email' ORDER BY is_primary DESC, id "
        "LIMIT 1), (SELECT value FROM contact_point WHERE contact_id = c.id AND kind = 'phone' "
        f"ORDER BY is_primary DESC, id LIMIT 1) FROM ({sql}) e JOIN contact c ON c.id = e.id "
        "WHERE c.deleted_at IS NULL ORDER BY c.sort_key, c.id",
        args,
    ):
        yield int(r[0]), str(r[1]), r[2], r[3]


def export_audience(session: Session, purpose_key: str, now: datetime | None = None) -> list[AudienceRow]:
    """The people who may be contacted for a purpose (id, name, email, phone), for the CLI to print.

    A marketing list is a bulk export: managers and owner only, and audited with its count and the log's newest
    entry as it began.
    """
    session.require(Permission.EXPORT_BULK)
    head = audit.export_head(session.conn, session.vault.signer)
    rows = list(_audience_rows(session, purpose_key, now or datetime.now(UTC)))
    session.record("consent.list", "purpose", purpose_key, f"{len(rows)} people" + audit.head_note(head))
    return rows


def write_audience(
    session: Session,
    purpose_key: str,
    out: Path,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """The same list written as CSV to `out`, row by row (a large list is never held whole); returns how many.
    `progress(rows)` every 1,000 rows may raise to stop: then no file is left and nothing is audited. The CSV
    holds the list only: it goes to a mailing tool, which would read a trailing signed head as one more person.
    """
    session.require(Permission.EXPORT_BULK)
    head = audit.export_head(session.conn, session.vault.signer)
    count = write_rows(
        out, ["id", "name", "email", "phone"], _audience_rows(session, purpose_key, now or datetime.now(UTC)), progress
    )
    session.record("consent.list", "purpose", purpose_key, f"{count} people to CSV" + audit.head_note(head))
    return count
