"""Reading and exporting the audit log, as services: permission-checked, and themselves audited."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.access.roles import Permission
from app.access.session import Session
from app.consent.ledger import ConsentService
from app.crm.deals import DealService
from app.privacy.audit_actions import SummaryNames
from app.store import audit


def page(
    session: Session,
    flt: audit.AuditFilter = audit.EVERYTHING,
    *,
    after_id: int = 0,
    limit: int = 500,
    newest_first: bool = False,
) -> list[audit.AuditEntry]:
    """One keyset page for a view that records its opening itself (scrolling is not a new viewing)."""
    session.require(Permission.VIEW_AUDIT)
    return audit.entries(session.conn, flt, after_id=after_id, limit=limit, newest_first=newest_first)


def view(
    session: Session,
    flt: audit.AuditFilter = audit.EVERYTHING,
    *,
    after_id: int = 0,
    limit: int = 500,
    newest_first: bool = False,
) -> list[audit.AuditEntry]:
    """One page of entries; the first page of a viewing is itself recorded."""
    session.require(Permission.VIEW_AUDIT)
    if after_id == 0:
        session.record("audit.view")
    return page(session, flt, after_id=after_id, limit=limit, newest_first=newest_first)


def filter_choices(session: Session) -> tuple[list[tuple[int, str]], list[str]]:
    """The users and action names the viewer can filter by (auditors may not list users otherwise)."""
    session.require(Permission.VIEW_AUDIT)
    return audit.actors(session.conn), audit.actions(session.conn)


def export_csv(
    session: Session,
    out: Path,
    flt: audit.AuditFilter = audit.EVERYTHING,
    progress: Callable[[int], None] | None = None,
) -> int:
    """The log (or the filtered part) as CSV, ending with the chain's signed head: the export's own entry names
    that head (entity audit_event N), and `verify --head-from` compares the log with it later. `progress(rows)`
    every 1,000 rows may raise to stop (no file, no entry)."""
    session.require(Permission.EXPORT_AUDIT)
    head = audit.export_head(session.conn, session.vault.signer)
    rows = audit.write_csv(session.conn, out, flt, head, progress)
    session.record("audit.export", *audit.head_entity(head), summary=f"{rows} rows")
    return rows


def summary_names(session: Session) -> SummaryNames:
    """What the audit table needs to put summaries in words: stage and purpose names (no personal data)."""
    session.require(Permission.VIEW_AUDIT)
    stages = {stage.id: stage.name for pipeline in DealService(session).pipelines() for stage in pipeline.stages}
    purposes = {purpose.key: purpose.name for purpose in ConsentService(session).purposes(active_only=False)}
    return SummaryNames(stages, purposes)
