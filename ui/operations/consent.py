"""Consent paperwork on a worker: the paper form as a PDF, and an audience's list as CSV."""

from __future__ import annotations

from pathlib import Path

from app.access.session import Session
from app.privacy.audience import write_audience
from ui.operation import Cancelled, Progress, Work, stoppable_export

# The documents (reportlab, fonts) load on the worker the first time someone prints: a window that never prints
# never carries them (bench/bench_window.py measures the window's memory).


def save_form(session: Session, path: Path, language: str, contact_id: int | None) -> Work[str]:
    """The paper form saved to `path`; returns its reference code."""

    def work(progress: Progress, cancelled: Cancelled) -> str:
        from app.documents.consent_form import print_form

        return print_form(session, path, language, contact_id)

    return work


def form_for_printer(session: Session, language: str, contact_id: int | None) -> Work[tuple[bytes, str]]:
    """The paper form in memory (so no file with the customer's name is left) and its reference code."""

    def work(progress: Progress, cancelled: Cancelled) -> tuple[bytes, str]:
        from app.documents.consent_form import form_pdf

        return form_pdf(session, language, contact_id)

    return work


def export_list(session: Session, key: str, path: Path) -> Work[int]:
    """Those who agreed to `key`, as CSV; returns how many were written. A cancel stops it at the next thousand
    rows and leaves no file."""
    return lambda progress, cancelled: write_audience(
        session, key, path, progress=stoppable_export(progress, cancelled)
    )
