"""Privacy duties on a worker: the health lines, the retention sweep, completing and exporting requests, and
the audit log's export. The Art. 15 documents load reportlab, so they are imported when first made."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app.access.session import Session
from app.privacy import audit_service
from app.privacy.breach import BreachService
from app.privacy.health import HealthLine, health
from app.privacy.requests import RequestService
from app.privacy.retention import RetentionService, SweepItem, SweepResult
from app.store import audit
from ui.operation import Cancelled, Progress, Work, stoppable_export

if TYPE_CHECKING:
    from ui.privacy.breach_dialogs import AffectedChoice


def health_lines(session: Session, now: datetime) -> Work[list[HealthLine]]:
    """The privacy duties still open (they count over every person and consent: 0.44 s at 100k people)."""
    return lambda progress, cancelled: health(session, now)


def preview_sweep(session: Session, now: datetime) -> Work[list[SweepItem]]:
    """What the retention sweep would do now, and why; changes nothing."""
    return lambda progress, cancelled: RetentionService(session).preview(now)


def apply_sweep(session: Session, now: datetime) -> Work[SweepResult]:
    """Apply the sweep as previewed at `now`, in batches (cancel stops between batches), then remove the erased
    people's traces from the search index."""

    def work(progress: Progress, cancelled: Cancelled) -> SweepResult:
        return RetentionService(session).apply(now, progress, cancelled)

    return work


def remove_sweep_traces(session: Session) -> Work[datetime | None]:
    """Finish a sweep's trace removal that a crash (or a closed app) left owed."""
    return lambda progress, cancelled: RetentionService(session).remove_traces()


def complete_request(session: Session, request_id: int, response: str) -> Work[None]:
    """Close the request, doing what it asks (an erasure erases the person, rewriting much of the vault)."""
    return lambda progress, cancelled: RequestService(session).complete(request_id, response)


def subject_pdf(session: Session, contact_id: int, request_id: int) -> Work[bytes]:
    """The person's data as a PDF in memory, for the printer at the counter."""

    def work(progress: Progress, cancelled: Cancelled) -> bytes:
        from app.documents.access_export import subject_pdf  # reportlab behind it: load on use

        return subject_pdf(session, contact_id, request_id=request_id)

    return work


def export_subject(
    session: Session,
    contact_id: int,
    request_id: int,
    *,
    pdf: Path | None,
    zip_path: Path | None,
    language: str,
    pdf_password: str | None,
) -> Work[dict[str, str]]:
    """The person's data to files; returns each file's fingerprint (also recorded on the request)."""

    def work(progress: Progress, cancelled: Cancelled) -> dict[str, str]:
        from app.documents.access_export import export_subject  # reportlab behind it: load on use

        return export_subject(
            session,
            contact_id,
            pdf=pdf,
            zip_path=zip_path,
            language=language,
            pdf_password=pdf_password,
            request_id=request_id,
        )

    return work


def export_audit_log(session: Session, path: Path, flt: audit.AuditFilter) -> Work[int]:
    """The entries matching `flt` as CSV (the export is audited too); returns how many were written."""
    return lambda progress, cancelled: audit_service.export_csv(
        session, path, flt, progress=stoppable_export(progress, cancelled)
    )


def notice_letters(session: Session, folder: Path) -> Work[tuple[int, int]]:
    """Art. 14 letters for the open notice tasks, one PDF each, into `folder`, with progress; cancel stops
    between letters. Returns (written, of how many)."""

    def work(progress: Progress, cancelled: Cancelled) -> tuple[int, int]:
        from app.documents.notice_letter import write_letters  # reportlab: loaded when first used

        total = [0]
        written = write_letters(session, folder, progress=_counting(progress, total), cancelled=cancelled)
        return len(written), max(total[0], len(written))

    return work


def _counting(progress: Progress, total: list[int]) -> Progress:
    """`progress`, remembering the total it was last given (how many letters there were to write)."""

    def report(done: int, of: int) -> None:
        total[0] = of
        progress(done, of)

    return report


def choose_affected(session: Session, breach_id: int, choice: AffectedChoice) -> Work[int]:
    """Mark the people a breach touched, as the person chose them; returns how many."""

    def work(progress: Progress, cancelled: Cancelled) -> int:
        return BreachService(session).select_affected(
            breach_id,
            purpose=choice.purpose,
            created_before=choice.created_before,
            tag=choice.tag,
            everyone=choice.everyone,
        )

    return work


def breach_letters(session: Session, breach_id: int, folder: Path) -> Work[tuple[int, int]]:
    """A letter to each person a breach touched (Art. 34), into `folder`, with progress; cancel stops between
    letters. Returns (written, of how many)."""

    def work(progress: Progress, cancelled: Cancelled) -> tuple[int, int]:
        from app.documents.breach_letters import write_letters  # reportlab: loaded when first used

        total = [0]
        written = write_letters(session, breach_id, folder, progress=_counting(progress, total), cancelled=cancelled)
        return len(written), max(total[0], len(written))

    return work


def breach_report(session: Session, breach_id: int, path: Path, language: str) -> Work[None]:
    """The draft report to the supervisory authority (Art. 33) as a PDF at `path`."""

    def work(progress: Progress, cancelled: Cancelled) -> None:
        from app.documents.breach_letters import save_regulator_report  # reportlab: loaded when first used

        save_regulator_report(session, breach_id, path, language)

    return work
