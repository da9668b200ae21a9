"""Consent paperwork on a worker: the paper form as a PDF, and an audience's list as CSV."""

from __future__ import annotations

from pathlib import Path

from app.access.session import Session
from app.documents.consent_form import form_pdf, print_form
from app.privacy.audience import export_audience
from ui.operation import Work


def save_form(session: Session, path: Path, language: str, contact_id: int | None) -> Work[str]:
    """The paper form saved to `path`; returns its reference code."""
    return lambda progress, cancelled: print_form(session, path, language, contact_id)


def form_for_printer(session: Session, language: str, contact_id: int | None) -> Work[tuple[bytes, str]]:
    """The paper form in memory (so no file with the customer's name is left) and its reference code."""
    return lambda progress, cancelled: form_pdf(session, language, contact_id)


def export_list(session: Session, key: str, path: Path) -> Work[int]:
    """Those who agreed to `key`, as CSV; returns how many were written."""
    return lambda progress, cancelled: len(export_audience(session, key, path))
