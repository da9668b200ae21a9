"""Privacy › Lists: who may be contacted for a purpose, why the others are left out, and the list itself.

Counts only on screen; the list leaves the vault only through an export, which needs the bulk-export
permission and is audited.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.access.roles import Permission
from app.consent.ledger import ConsentService
from app.locale import _, ngettext
from app.privacy.audience import audience_overview
from app.vault.location import documents_folder
from ui.dialogs import ask_save_path
from ui.operation import OperationCancelled, message_for
from ui.operations.consent import export_list
from ui.privacy.common import RefreshedWhenShown
from ui.session_context import SessionContext
from ui.widgets import MessageLine


def reason_text(reason: str, n: int) -> str:
    texts = {
        "withdrawn": ngettext("{n} person withdrew their consent", "{n} people withdrew their consent", n),
        "expired": ngettext("{n} person's consent has expired", "{n} people's consent has expired", n),
        "never_asked": ngettext("{n} person was never asked", "{n} people were never asked", n),
        "opted_out": ngettext("{n} person opted out of sale or sharing", "{n} people opted out of sale or sharing", n),
        "restricted": ngettext("{n} person's processing is restricted", "{n} people's processing is restricted", n),
        "limited_sensitive": ngettext(
            "{n} person limited the use of their sensitive information",
            "{n} people limited the use of their sensitive information",
            n,
        ),
    }
    return texts[reason].format(n=n)


class AudienceView(RefreshedWhenShown):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.purpose = QComboBox(self)
        self.purpose.setAccessibleName(_("Purpose"))
        for purpose in ConsentService(context.session).purposes():
            self.purpose.addItem(_(purpose.name), purpose.key)
        self.purpose.currentIndexChanged.connect(lambda _index: self.refresh())
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.export_button = QPushButton(_("&Export the list…"), self)
        self.export_button.clicked.connect(self.ask_export)
        self.may_export = context.can(Permission.EXPORT_BULK)
        if not self.may_export:
            self.export_button.setEnabled(False)
            self.export_button.setToolTip(context.why_not(Permission.EXPORT_BULK))
        self.message = MessageLine(self)
        form = QFormLayout()
        form.addRow(_("&Purpose:"), self.purpose)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.message)
        layout.addStretch(1)
        context.changed.connect(self._changed)  # counted when first shown, not at sign-in

    def key(self) -> str:
        return str(self.purpose.currentData())

    def refresh(self) -> None:
        if self.context.busy or not self.context.is_open:
            return
        self._stale = False
        overview = audience_overview(self.context.session, self.key())
        lines = [
            ngettext(
                "{n} person may be contacted for this purpose.",
                "{n} people may be contacted for this purpose.",
                overview.included,
            ).format(n=overview.included)
        ]
        if overview.excluded:
            lines.append(_("Left out, and why:"))
            lines += ["• " + reason_text(reason, n) for reason, n in sorted(overview.excluded.items())]
        self.summary.setText("\n".join(lines))
        self.summary.setAccessibleName(self.summary.text())
        if self.may_export:  # an empty list is nothing to export (it was offered, and wrote a header alone)
            self.export_button.setEnabled(overview.included > 0)
            self.export_button.setToolTip("" if overview.included else _("Nobody may be contacted for this purpose."))

    def ask_export(self) -> None:
        folder = documents_folder()
        suggested = folder / f"{self.key()}-{date.today().isoformat()}.csv"
        ask_save_path(self, _("Export the list…"), suggested, _("CSV files (*.csv)"), self.export, default_suffix="csv")

    def export(self, path: Path) -> None:
        if self.context.busy:
            return
        session, key = self.context.session, self.key()
        self.context.run(
            export_list(session, key, path),
            description=_("Exporting…"),
            changes_data=False,
            on_done=lambda n: self.message.show_info(_("Wrote {n} people to {path}.").format(n=n, path=path)),
            on_error=lambda exc: (
                self.message.show_warning(message_for(exc))
                if isinstance(exc, OperationCancelled)
                else self.message.show_error(message_for(exc))
            ),
            cancellable=True,
        )

    def clear(self) -> None:
        self.summary.clear()
        self.message.clear()
