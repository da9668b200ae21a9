"""CSV export of a customer list: a permission of its own (managers and owner), audited, formula-safe.

People whose processing is restricted (GDPR Art. 18) are left out: a list export is processing, not storage.
The file holds the customers and nothing else (it goes into spreadsheets and mailing tools, where a trailing
comment line would be read as one more customer). Its audit entry names the log's newest entry as the export
began (#17); the audit log's own export carries the signed head itself.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from app.access.roles import Permission
from app.access.session import Session
from app.crm.contacts import ContactFilter, ContactService, ContactSummary
from app.fileio import atomic_text
from app.keyset import pages
from app.store import audit
from app.store.audit import neutralise_formula

HEADER = ["id", "name", "email", "phone", "organisation"]


def export_csv(
    session: Session,
    out: Path,
    query: str = "",
    where: ContactFilter | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write everyone (or the people matching `query`, and those `where` lets through) to `out`; returns the
    number of rows. `progress(rows)` every 1,000 rows; it may raise to stop, and then no file is left (the file
    is written aside and moved into place at the end) and nothing is audited."""
    session.require(Permission.EXPORT_BULK)
    head = audit.export_head(session.conn, session.vault.signer)  # the log's end as the export starts
    contacts = ContactService(session)
    rows: Iterable[ContactSummary]
    if query.strip():
        rows = contacts.search(query, limit=1_000_000, where=where)
    else:
        rows = pages(
            lambda after: contacts.page(after=after, limit=1000, where=where),
            lambda last: contacts.sort_position(last.id),
        )
    count = write_rows(
        out,
        HEADER,
        ((p.id, p.name, p.email, p.phone, p.organisation) for p in rows if not p.restricted),  # Art. 18
        progress,
    )
    filtered = bool(query.strip()) or (where is not None and where.active)
    session.record(
        "contact.export", *audit.head_entity(head), summary=f"{count} rows" + (" (filtered)" if filtered else "")
    )
    return count


def write_rows(
    out: Path,
    header: list[str],
    rows: Iterable[Sequence[object]],
    progress: Callable[[int], None] | None = None,
) -> int:
    """CSV for spreadsheets: UTF-8 with BOM (Excel reads accents right), every text cell formula-safe.
    `progress(rows)` every 1,000 rows; an exception from it (or anywhere) leaves no file at `out`."""
    count = 0
    with atomic_text(out, encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            writer.writerow([neutralise_formula(v) if isinstance(v, str) else ("" if v is None else v) for v in row])
            count += 1
            if progress is not None and count % 1000 == 0:
                progress(count)
    return count
