"""Privacy › Health: every open privacy duty on one page, each with a button to the place it is fixed; and the
accountability chores themselves: the privacy lesson, who has read it, the yearly review, the impact assessment.

The lines come from app.privacy.health (plain data); a line's `place` is handled here when it is one of this
tab's dialogs, else handed on through `go` (PrivacyPage opens its tab or the Settings tab).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.access.roles import Permission
from app.locale import _
from app.locale.formatting import day
from app.privacy.health import HealthLine
from app.privacy.review import ReviewService
from app.privacy.training import TrainingService
from ui.operations.privacy import health_lines
from ui.privacy.common import RefreshedWhenShown, Row, RowsModel, button, error_text, forbid, make_table
from ui.privacy.dpia_dialog import DpiaDialog
from ui.privacy.review_dialog import ReviewDialog
from ui.privacy.training_dialog import TrainingDialog
from ui.session_context import SessionContext
from ui.widgets import MessageLine, heading, paragraph

if TYPE_CHECKING:
    from ui.main_window import MainWindow


def _fix_text(place: str) -> str:
    """What a line's button says: where it leads."""
    return {
        "lists": _("Open Lists"),
        "requests": _("Open Requests"),
        "retention": _("Open Retention"),
        "backups": _("Open Backups"),
        "shop": _("Open Shop details"),
        "consent": _("Open Consent"),
        "training": _("Read the lesson"),
        "training_status": _("Show who"),
        "review": _("Start the review"),
        "dpia": _("Open the assessment"),
    }.get(place, _("Open"))


class HealthTab(RefreshedWhenShown):
    go = Signal(str)  # a place this tab does not hold (see app.privacy.health.PLACES)

    def __init__(self, context: SessionContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.lines: list[HealthLine] = []
        self.message = MessageLine(self)
        self.summary = paragraph("", self)
        self.rows = QVBoxLayout()
        self.rows.setSpacing(4)
        self.lesson_button = button(
            _("Read the privacy lesson…"), _("Read the privacy lesson"), self, self.open_training
        )
        self.review_button = button(
            _("Record the yearly review…"), _("Record the yearly privacy review"), self, self.open_review
        )
        self.dpia_button = button(_("Impact assessment…"), _("Open the impact assessment"), self, self.open_dpia)
        if not context.can(Permission.REVIEW_PRIVACY):
            forbid(context.why_not(Permission.REVIEW_PRIVACY), self.review_button)
        if not context.can(Permission.MANAGE_POLICIES):
            forbid(context.why_not(Permission.MANAGE_POLICIES), self.dpia_button)
        self.duties = paragraph("", self)
        self.training_model = RowsModel([_("User"), _("Role"), _("Read the lesson on"), _("Next due")], self)
        self.training_table = make_table(
            self.training_model, _("Privacy lesson of each user"), self, [200, 110, 150, 150]
        )
        self.training_heading = heading(_("Privacy lesson of each user"), self, 1.1)
        if not context.can(Permission.MANAGE_USERS):
            self.training_heading.hide()
            self.training_table.hide()
        actions = QHBoxLayout()
        for push in (self.lesson_button, self.review_button, self.dpia_button):
            actions.addWidget(push)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addWidget(
            paragraph(
                _(
                    "What the privacy laws ask of the shop that is not done yet. Each line's "
                    "button opens the place where it is fixed."
                ),
                self,
            )
        )
        layout.addWidget(self.summary)
        layout.addLayout(self.rows)
        layout.addSpacing(8)
        layout.addWidget(heading(_("Accountability"), self, 1.1))
        layout.addWidget(self.duties)
        layout.addLayout(actions)
        layout.addWidget(self.training_heading)
        layout.addWidget(self.training_table, 1)
        layout.addStretch(0 if context.can(Permission.MANAGE_USERS) else 1)
        layout.addWidget(self.message)
        self.context.changed.connect(self._changed)

    # --- reading --------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """The lines on a worker (they count over every person and consent: 0.44 s at 100k people), the
        cheap accountability facts here."""
        if not self._may_read():
            return
        session = self.context.session
        now = datetime.now(UTC)
        self._show_duties(now)  # before the worker takes the connection
        self.context.run(
            health_lines(session, now),
            description=_("Checking privacy duties…"),
            changes_data=False,
            on_done=self._got_lines,
            on_error=lambda exc: self.message.show_error(error_text(exc)),
        )

    def _got_lines(self, lines: object) -> None:
        if self._cleared or not isinstance(lines, list):
            return
        self.lines = lines
        self._show_lines()

    def _show_duties(self, now: datetime) -> None:
        session = self.context.session
        parts = []
        training = TrainingService(session).my_status()
        parts.append(
            _("Your privacy lesson: read on {date}.").format(
                date=day(datetime.fromisoformat(training.acknowledged_at).date())
            )
            if training.acknowledged_at
            else _("Your privacy lesson: not read yet.")
        )
        if self.context.can(Permission.REVIEW_PRIVACY):
            review = ReviewService(session)
            last = review.reviews(limit=1)
            parts.append(
                (
                    _("Last yearly review: {date} by {user}.").format(
                        date=day(datetime.fromisoformat(last[0].at).date()), user=last[0].by
                    )
                    if last
                    else _("No yearly review recorded yet.")
                )
                + " "
                + _("Next due: {date}.").format(date=day(review.due_on()))
            )
        self.duties.setText(" ".join(parts))
        if self.context.can(Permission.MANAGE_USERS):
            today = now.date()
            self.training_model.set_rows(
                [
                    Row(
                        [
                            status.name,
                            status.role.label(),
                            day(datetime.fromisoformat(status.acknowledged_at).date())
                            if status.acknowledged_at
                            else _("never"),
                            _("now") if status.due(today) else day(status.due_on) if status.due_on else "",
                        ],
                        key=status.user_id,
                        alerts={3} if status.due(today) else set(),
                    )
                    for status in TrainingService(session).status()
                ]
            )

    def _show_lines(self) -> None:
        while self.rows.count():
            item = self.rows.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.summary.setText(
            _("Nothing needs attention.")
            if not self.lines
            else _("{n} things need attention:").format(n=len(self.lines))
            if len(self.lines) > 1
            else _("One thing needs attention:")
        )
        for line in self.lines:
            row = QWidget(self)
            row.setObjectName("healthLine")
            layout = QHBoxLayout(row)
            layout.setContentsMargins(0, 0, 0, 0)
            label = QLabel("• " + line.text, row)
            label.setObjectName("healthText")
            label.setWordWrap(True)
            label.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(label, 1)
            fix = QPushButton(_fix_text(line.place), row)
            fix.setObjectName("healthFix")
            fix.setAccessibleName(_("{action}: {line}").format(action=_fix_text(line.place), line=line.text))
            fix.clicked.connect(lambda _checked=False, place=line.place: self.open_place(place))
            layout.addWidget(fix, 0, Qt.AlignmentFlag.AlignTop)
            self.rows.addWidget(row)
            row.show()  # now, not at the layout's queued show: the button is there to press at once
        outer = self.layout()
        if outer is not None:
            outer.activate()  # and in its place at once, not piled at the top-left until the next event

    def texts(self) -> list[str]:
        return [line.text for line in self.lines]

    def fix_button(self, key: str) -> QPushButton:
        """The button of the line `key` (for tests and the notices)."""
        index = [line.key for line in self.lines].index(key)
        item = self.rows.itemAt(index)
        row = item.widget() if item is not None else None
        assert row is not None
        found = row.findChild(QPushButton, "healthFix")
        assert found is not None
        return found

    # --- going where things are fixed ----------------------------------------------------------------------

    def open_place(self, place: str) -> None:
        if place == "training":
            self.open_training()
        elif place == "training_status":
            self.training_table.setFocus()
            self.training_table.selectRow(0)
        elif place == "review":
            self.open_review()
        elif place == "dpia":
            self.open_dpia()
        else:
            self.go.emit(place)

    def open_training(self) -> TrainingDialog:
        return self.open_dialog(TrainingDialog(self.context, self))

    def open_review(self) -> ReviewDialog | None:
        if not self.context.can(Permission.REVIEW_PRIVACY):
            return None
        return self.open_dialog(ReviewDialog(self.context, self))  # reads nothing: fine while the lines are read

    def open_dpia(self) -> DpiaDialog | None:
        if self.context.busy or not self.context.can(Permission.MANAGE_POLICIES):
            return None
        return self.open_dialog(DpiaDialog(self.context, self))

    def clear(self) -> None:
        self._cleared = True
        self.close_dialog()
        self.lines = []
        self._show_lines()
        self.summary.clear()
        self.duties.clear()
        self.training_model.clear()
        self.message.clear()


def show_health_place(window: MainWindow, place: str) -> None:
    """A reminder's "Show me": the privacy lesson ("training") or the yearly checklist ("review")."""
    tab = window.privacy.health
    tab.open_place(place)  # first: showing the tab starts reading its lines, which makes the session busy
    window.show_privacy_tab(tab)
