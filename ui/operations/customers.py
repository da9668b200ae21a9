"""Work on the customer list that runs on a worker: duplicates, merging, CSV export, importing a file."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app.access.session import Session
from app.crm.contacts import ContactFilter, ContactService, ContactSummary
from app.crm.duplicates import find_duplicates, merge
from app.crm.export import export_csv
from app.locale import _
from app.privacy.notices import create_tasks
from ui.operation import Cancelled, Progress, Work, stoppable, stoppable_export

if TYPE_CHECKING:  # the import service (charset detection, vCard, ~5 MB) loads when a file is imported
    from collections.abc import Collection

    from app.crm.importing.model import FieldChange, ImportPreview, ImportReport

GROUP_LIMIT = 100


def find_groups(session: Session) -> Work[list[list[ContactSummary]]]:
    """Groups of people entered more than once, each as list rows (it looks at every contact detail)."""

    def work(progress: Progress, cancelled: Cancelled) -> list[list[ContactSummary]]:
        service = ContactService(session)
        groups = []
        for ids in find_duplicates(session, limit=GROUP_LIMIT):
            members = service.summaries(ids)  # list rows, one statement a group (no audited full read)
            if len(members) > 1:
                groups.append(members)
        return groups

    return work


def merge_into(session: Session, keep_id: int, other_ids: list[int]) -> Work[int]:
    """Fold each of `other_ids` into `keep_id`; returns how many records were merged."""

    def work(progress: Progress, cancelled: Cancelled) -> int:
        for other_id in other_ids:
            merge(session, keep_id, other_id)
        return len(other_ids)

    return work


def export_list(session: Session, path: Path, query: str, where: ContactFilter | None) -> Work[int]:
    """The customers shown (the search, through the filters) to a CSV file; returns the rows written. A cancel
    stops it at the next thousand rows and leaves no file."""

    def work(progress: Progress, cancelled: Cancelled) -> int:
        return export_csv(session, path, query, where, progress=stoppable_export(progress, cancelled))

    return work


def preview_import(
    session: Session, path: Path, fmt: str, rows: int, mapping: dict[str, str] | None, named: int
) -> Work[tuple[ImportPreview, dict[int, str]]]:
    """Read the whole file as a dry run: what importing it would do (its first `rows` records), and the names
    of the first `named` people it would change."""

    def work(progress: Progress, cancelled: Cancelled) -> tuple[ImportPreview, dict[int, str]]:
        from app.crm.importing.service import ImportService  # loaded already by the import dialog

        preview = ImportService(session).preview(
            path, fmt, rows, mapping=mapping, progress=stoppable(progress, cancelled, _("Reading stopped."))
        )
        shown = [m.contact_id for m in preview.report.matched[:named]]  # who the changes table names
        return preview, ContactService(session).display_names(shown)

    return work


def import_file(
    session: Session,
    path: Path,
    fmt: str,
    mapping: dict[str, str] | None,
    keep_duplicates: bool,
    overwrite: bool | Collection[tuple[int, FieldChange]],
) -> Work[ImportReport]:
    """Import the file in one transaction, then note each new person as one to be told (GDPR Art. 14). A cancel
    stops it at the next thousand rows, and the transaction keeps nothing."""

    def work(progress: Progress, cancelled: Cancelled) -> ImportReport:
        from app.crm.importing.service import ImportService  # loaded already by the import dialog

        report = ImportService(session).run(
            path,
            fmt,
            mapping=mapping,
            keep_duplicates=keep_duplicates,
            overwrite=overwrite,
            progress=stoppable(progress, cancelled, _("The import was stopped; nothing was imported.")),
        )
        create_tasks(session, report.contact_ids, path.name)
        return report

    return work
