"""Reading and exporting the audit log, as services: permission-checked, and themselves audited."""

from __future__ import annotations

from pathlib import Path

from app.access.roles import Permission
from app.access.session import Session
from app.privacy import audit


def view(session: Session, flt: audit.AuditFilter = audit.EVERYTHING, *, after_id: int = 0,
         limit: int = 500) -> list[audit.AuditEntry]:
    """One page of entries; the first page of a viewing is itself recorded."""
    session.require(Permission.VIEW_AUDIT)
    if after_id == 0:
        session.record("audit.view")
    return audit.entries(session.conn, flt, after_id=after_id, limit=limit)


def export_csv(session: Session, out: Path, flt: audit.AuditFilter = audit.EVERYTHING) -> int:
    session.require(Permission.EXPORT_AUDIT)
    rows = audit.write_csv(session.conn, out, flt)
    session.record("audit.export", summary=f"{rows} rows")
    return rows
