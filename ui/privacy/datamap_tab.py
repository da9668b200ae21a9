"""Privacy › Data overview (the data map): each field kept about customers, why (its purpose), for how long
(its retention category)
and how many people have it filled; a field kept with no purpose is flagged in red (app.privacy.datamap).

The counts go over every person, so they are made on a worker through the session context's `run`.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from app.access.session import Session
from app.locale import _, ngettext
from app.privacy.datamap import DataMapRow, DataMapService
from ui.operation import Cancelled, Progress, Work
from ui.privacy.common import RefreshedWhenShown, Row, RowsModel, error_text, make_table
from ui.session_context import SessionContext
from ui.widgets import MessageLine, paragraph

PURPOSE, PEOPLE = 1, 3


def count_fields(session: Session) -> Work[tuple[int, list[DataMapRow]]]:
    """Everyone, and each field with how many of them have it (a count per field over the whole vault)."""

    def work(progress: Progress, cancelled: Cancelled) -> tuple[int, list[DataMapRow]]:
        service = DataMapService(session)
        return service.people(), service.rows()

    return work


def table_row(row: DataMapRow, people: int) -> Row:
    filled = "" if row.people is None else _("{n} of {total}").format(n=row.people, total=people)
    if row.no_purpose:
        return Row(
            [row.name, _("No purpose: take it out, or give it one"), "", filled],
            row.key,
            alerts={0, PURPOSE},
            tips={0: _("Columns: {columns}").format(columns=", ".join(row.columns))},
        )
    return Row(
        [row.name, row.purpose, row.retention_text(), filled],
        row.key,
        tips={0: _("Columns: {columns}").format(columns=", ".join(row.columns))},
    )


class DataMapTab(RefreshedWhenShown):
    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.people = 0
        self.message = MessageLine(self)
        self.summary = paragraph("", self)
        self.model = RowsModel(
            [_("Field"), _("Purpose"), _("Kept for"), _("People who have it")], self, right=(PEOPLE,)
        )
        self.table = make_table(self.model, _("Fields kept about customers"), self, [200, 340, 340, 90])
        self.table.setWordWrap(True)
        intro = paragraph(
            _(
                "Every field a customer record has, why the shop keeps it and for how long. Keep only "
                "what a purpose needs: a field in red has none."
            ),
            self,
        )
        self.lay_out(
            [self.summary, self.table], buttons=[], data=[self.summary, self.table], grows=self.table, lead=[intro]
        )

    def refresh(self) -> None:
        if not self._may_read():
            return
        self.context.run(
            count_fields(self.context.session),
            description=_("Counting the fields kept…"),
            changes_data=False,
            on_done=self._got,
            on_error=lambda exc: self.message.show_error(error_text(exc)),
        )

    def _got(self, result: tuple[int, list[DataMapRow]]) -> None:
        if self._cleared:
            return
        self.people, rows = result
        rows = sorted(rows, key=lambda row: not row.no_purpose)  # what needs fixing first, where it is seen
        self.model.set_rows([table_row(row, self.people) for row in rows])
        self.table.resizeRowsToContents()
        unlisted = sum(1 for row in rows if row.no_purpose)
        text = ngettext("{n} person in the vault.", "{n} people in the vault.", self.people).format(n=self.people)
        if unlisted:
            text += " " + ngettext(
                "{n} field is kept with no purpose.", "{n} fields are kept with no purpose.", unlisted
            ).format(n=unlisted)
            self.message.show_warning(_("Some data is kept with no purpose: take it out, or say why it is needed."))
        else:
            text += " " + _("Every field has a purpose.")
            self.message.clear()
        self.summary.setText(text)

    def clear(self) -> None:
        self._cleared = True
        self.close_dialog()
        self.model.clear()
        self.summary.clear()
        self.message.clear()
