"""Export CSV: the customers shown (everyone, or a search's matches, through the list's filters) to a file, on the
worker.

The file leaves the vault's protection, so the closing message says so every time.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QWidget

from app.access.roles import Permission
from app.crm.contacts import ContactFilter
from app.locale import _, ngettext
from app.privacy.pseudonymise import export_pseudonymised
from app.vault.location import documents_folder
from ui.dialogs import ask_save_path, export_failed_or_stopped, inform
from ui.operation import Cancelled, Progress, stoppable_export
from ui.operations.customers import export_list
from ui.session_context import SessionContext


def ask_export(context: SessionContext, window: QWidget, query: str, where: ContactFilter | None = None) -> None:
    """Ask where to save, then export; nothing happens for a role that may not export lists."""
    if not context.can(Permission.EXPORT_BULK):
        return
    folder = documents_folder()
    suggested = folder / _("customers-{day}.csv").format(day=date.today().isoformat())
    ask_save_path(
        window,
        _("Export customers"),
        suggested,
        _("CSV files (*.csv)"),
        lambda path: export(context, window, path, query, where),
        default_suffix="csv",
    )


def export(
    context: SessionContext, window: QWidget, path: Path, query: str, where: ContactFilter | None = None
) -> None:
    if context.busy or not context.is_open:
        return
    context.run(
        export_list(context.session, path, query, where),
        description=_("Exporting customers…"),
        on_done=lambda rows: exported(window, rows, path),
        on_error=lambda exc: export_failed_or_stopped(window, exc),
        cancellable=True,
    )


def ask_export_pseudonymised(context: SessionContext, window: QWidget) -> None:
    """For analysis: everyone as keyed pseudonyms, no contact details, dates to the month, ages in bands
    (app.privacy.pseudonymise). Managers and the owner; the service checks and audits it."""
    if not context.can(Permission.EXPORT_BULK):
        return
    suggested = documents_folder() / _("customers-pseudonymised-{day}.csv").format(day=date.today().isoformat())
    ask_save_path(
        window,
        _("Export pseudonymised customers"),
        suggested,
        _("CSV files (*.csv)"),
        lambda path: export_pseudonymised_to(context, window, path),
        default_suffix="csv",
    )


def export_pseudonymised_to(context: SessionContext, window: QWidget, path: Path) -> None:
    if context.busy or not context.is_open:
        return
    session = context.session

    def work(progress: Progress, cancelled: Cancelled) -> int:
        return export_pseudonymised(session, path, progress=stoppable_export(progress, cancelled))

    context.run(
        work,
        description=_("Exporting pseudonymised customers…"),
        on_done=lambda rows: inform(
            window,
            _("Export finished"),
            ngettext(
                "Wrote {n} pseudonymised customer to {path}.", "Wrote {n} pseudonymised customers to {path}.", rows
            ).format(n=rows, path=path),
            _(
                "No names or contact details are in it, but it is still personal data: the vault can tell "
                "who each pseudonym is. Keep it safe and delete it when the analysis is done."
            ),
        ),
        on_error=lambda exc: export_failed_or_stopped(window, exc),
        cancellable=True,
    )


def exported(window: QWidget, rows: int, path: Path) -> None:
    inform(
        window,
        _("Export finished"),
        ngettext("Wrote {n} customer to {path}.", "Wrote {n} customers to {path}.", rows).format(n=rows, path=path),
        _(
            "This file is not encrypted: it is outside the vault, and anyone who can open it can read it. "
            "Keep it somewhere safe and delete it when you no longer need it."
        ),
    )
