"""Privacy › Legal holds: who is kept out of retention sweeps and erasure, why, and until when.

A hold past its end date stays in the list until someone releases it, but no longer protects anyone; the list
says so in words (with red and an icon as extra signs), so nobody relies on a hold that has lapsed.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QStyle,
    QWidget,
)

from app.access.roles import Permission
from app.errors import CounterpartError
from app.locale import _, ngettext
from app.privacy.retention import Hold, RetentionService
from ui.dialogs import confirm
from ui.privacy.common import (
    Clock,
    RefreshedWhenShown,
    Row,
    RowsModel,
    button,
    forbid,
    local_time,
    make_table,
    select_key,
    selected_key,
    system_clock,
)
from ui.privacy.hold_dialog import PlaceHoldDialog
from ui.session_context import SessionContext
from ui.widgets import MessageLine, paragraph

_PERSON, _REASON, _UNTIL, _PLACED_BY, _PLACED_ON, _STATUS = range(6)


def hold_person(hold: Hold) -> str:
    """The person's name, or their number once the name is gone (anonymised), or the deal a hold is on."""
    if hold.contact_id is not None:
        return hold.person or _("Customer no. {id}").format(id=hold.contact_id)
    if hold.deal_id is not None:
        return _("Deal no. {id}").format(id=hold.deal_id)
    return "—"


def until_text(hold: Hold, now: datetime) -> str:
    if hold.until is None:
        return _("No end date")
    day = local_time(hold.until)[:10]  # the day on this computer's clock (the hold ends at its last second)
    if hold.released_at is None and hold.lapsed(now):
        return _("{date} (lapsed: no longer protects)").format(date=day)
    return day


def status_text(hold: Hold, now: datetime) -> str:
    if hold.released_at is not None:
        return _("Released {date}").format(date=local_time(hold.released_at)[:10])
    return _("Lapsed") if hold.lapsed(now) else _("In force")


class HoldsTab(RefreshedWhenShown):
    permission = Permission.ERASE

    def __init__(self, context: SessionContext, parent: QWidget | None = None, *, clock: Clock = system_clock) -> None:
        super().__init__(context, parent, clock=clock)
        self._holds: dict[int, Hold] = {}
        self.intro = paragraph(
            _(
                "A legal hold keeps a person out of retention sweeps and erasure while a legal "
                "reason lasts: a dispute, a tax audit, a court order. Release it when the reason "
                "ends, so the person's data is again kept only as long as your policies say."
            ),
            self,
        )
        self.model = RowsModel(
            [_("Person"), _("Reason"), _("Until"), _("Placed by"), _("Placed on"), _("Status")], self
        )
        self.table = make_table(self.model, _("Legal holds, newest first"), self)
        self._size_columns()
        self.table.selectionModel().selectionChanged.connect(lambda *_args: self._update_actions())
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.detail = QLabel(self)  # the whole reason, which the table may cut short
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message = MessageLine(self)

        self.place_button = button(_("&Place hold…"), _("Place a legal hold on a customer"), self, self.ask_place)
        self.release_button = button(_("R&elease hold…"), _("Release the selected legal hold"), self, self.ask_release)
        self.show_released = QCheckBox(_("&Show released holds"), self)
        self.show_released.setAccessibleName(_("Show released holds too"))
        self.show_released.toggled.connect(self._show_released_toggled)
        self._buttons = (self.place_button, self.release_button)
        actions = QHBoxLayout()
        actions.addWidget(self.place_button)
        actions.addWidget(self.release_button)
        actions.addStretch(1)
        actions.addWidget(self.show_released)

        self.lay_out(
            [self.summary, actions, self.table, self.detail],
            lead=[self.intro],
            grows=self.table,
            buttons=[*self._buttons, self.show_released],
            data=[self.table, self.summary, self.detail],
        )

    def _size_columns(self) -> None:
        """Dates and names get what their text needs (measured, so translations fit); the reason takes the rest,
        so the table never scrolls sideways at a normal window size."""
        metrics = self.table.fontMetrics()
        bold = QFont(self.table.font())
        bold.setBold(True)
        alert = QFontMetrics(bold)  # a lapsed end date is bold, with a warning icon
        icon = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize) + 8
        padding = 20
        stamp = local_time(datetime(2026, 12, 31, 23, 59))
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(_REASON, QHeaderView.ResizeMode.Stretch)
        widths = {
            _PERSON: 160,
            _UNTIL: alert.horizontalAdvance(_("{date} (lapsed: no longer protects)").format(date="2026-12-31"))
            + icon
            + padding,
            _PLACED_BY: 120,
            _PLACED_ON: max(metrics.horizontalAdvance(stamp), metrics.horizontalAdvance(_("Placed on"))) + padding,
            _STATUS: max(
                metrics.horizontalAdvance(_("Released {date}").format(date="2026-12-31")),
                metrics.horizontalAdvance(_("In force")),
                metrics.horizontalAdvance(_("Lapsed")),
                metrics.horizontalAdvance(_("Status")),
            )
            + padding,
        }
        for column, width in widths.items():
            self.table.setColumnWidth(column, width)
        self.table.setColumnHidden(_STATUS, True)

    # --- reading -------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        if not self._may_read():
            return
        keep = selected_key(self.table, self.model)
        now = self.clock()
        try:
            holds = RetentionService(self.context.session).holds(include_released=self.show_released.isChecked())
        except CounterpartError as exc:
            self.message.show_error(str(exc))
            return
        self._holds = {h.id: h for h in holds}
        self.model.set_rows([self._row(h, now) for h in holds])
        select_key(self.table, self.model, keep)
        self.summary.setText(self._summary(holds, now))
        self._update_actions()

    def _row(self, hold: Hold, now: datetime) -> Row:
        lapsed = hold.released_at is None and hold.lapsed(now)
        tips = {_REASON: hold.reason}
        if hold.released_at is not None:
            tips[_STATUS] = _("Released {time}").format(time=local_time(hold.released_at))
        if hold.until is not None:
            tips[_UNTIL] = _("Ends {time}").format(time=local_time(hold.until))
        return Row(
            [
                hold_person(hold),
                " ".join(hold.reason.split()),
                until_text(hold, now),
                hold.placed_by or "—",
                local_time(hold.placed_at),
                status_text(hold, now),
            ],
            key=hold.id,
            alerts={_UNTIL} if lapsed else set(),
            tips=tips,
        )

    def why_not_allowed(self) -> str:
        return _(
            "Your role ({role}) may not place or release legal holds: that is for those who may erase people."
        ).format(role=self.context.session.role.label())

    def _summary(self, holds: list[Hold], now: datetime) -> str:
        active = [h for h in holds if h.released_at is None]
        lapsed = sum(1 for h in active if h.lapsed(now))
        in_force = len(active) - lapsed  # a lapsed hold protects no one: the table says "Lapsed", not "In force"
        text = (
            ngettext("{n} legal hold in force.", "{n} legal holds in force.", in_force).format(n=in_force)
            if in_force
            else _("No legal hold is in force.")
        )
        if lapsed:
            text += " " + ngettext(
                "{n} is past its end date and no longer protects anyone: release it, or place "
                "a new hold if the reason still lasts.",
                "{n} are past their end date and no longer protect anyone: release them, or "
                "place new holds if the reason still lasts.",
                lapsed,
            ).format(n=lapsed)
        return text

    def selected(self) -> Hold | None:
        key = selected_key(self.table, self.model)
        return self._holds.get(key) if key is not None else None

    def _update_actions(self) -> None:
        if not self.allowed:
            return
        hold = self.selected()
        self.detail.setText(
            self._detail(hold)
            if hold is not None
            else _("Select a hold to see it in full or release it.")
            if self._holds
            else ""
        )
        self.release_button.setEnabled(True)
        self.release_button.setToolTip("")
        if hold is None:
            forbid(_("Select a hold first."), self.release_button)
        elif hold.released_at is not None:
            forbid(_("This hold is already released."), self.release_button)

    def _detail(self, hold: Hold) -> str:
        text = _("{person}: {reason}. Placed by {user} on {time}.").format(
            person=hold_person(hold),
            reason=hold.reason.rstrip("."),
            user=hold.placed_by or "—",
            time=local_time(hold.placed_at),
        )
        now = self.clock()
        if hold.released_at is not None:
            end = _("Released {time}.").format(time=local_time(hold.released_at))
        elif hold.until is None:
            end = _("It has no end date: it protects until someone releases it.")
        elif hold.lapsed(now):
            end = _("It ended {time} and no longer protects anyone.").format(time=local_time(hold.until))
        else:
            end = _("It protects until {time}.").format(time=local_time(hold.until))
        return f"{text} {end}"

    def _show_released_toggled(self, checked: bool) -> None:
        self.table.setColumnHidden(_STATUS, not checked)
        self.refresh()

    # --- actions -------------------------------------------------------------------------------------------

    def ask_place(self) -> QDialog | None:
        if self.context.busy or not self.allowed:
            return None
        self.message.clear()
        dialog = PlaceHoldDialog(self.context, self.clock().astimezone().date(), self)
        dialog.accepted.connect(lambda: self._placed(dialog))
        return self.open_dialog(dialog)

    def _placed(self, dialog: PlaceHoldDialog) -> None:
        if dialog.hold_id is None:
            return
        select_key(self.table, self.model, dialog.hold_id)
        self.message.show_info(
            _(
                "The legal hold on {person} is in place: retention sweeps and erasure skip them until it is released."
            ).format(person=dialog.customer.contact_name())
        )

    def ask_release(self) -> QMessageBox | None:
        hold = self.selected()
        if hold is None or hold.released_at is not None or self.context.busy or not self.allowed:
            return None
        self.message.clear()
        self.dialog = confirm(
            self.window(),
            _("Release the legal hold"),
            _("Release the legal hold on {person} ({reason})?").format(person=hold_person(hold), reason=hold.reason),
            _("&Release hold"),
            lambda: self.release(hold),
            _(
                "From then on, retention sweeps and erasure requests apply to this person again. "
                "The hold stays in the list as released."
            ),
            destructive=True,
        )
        return self.dialog

    def release(self, hold: Hold) -> None:
        if self.context.busy:
            return
        try:
            RetentionService(self.context.session).release(hold.id)
        except CounterpartError as exc:
            self.message.show_error(str(exc))
            return
        self.context.changed.emit()
        self.message.show_info(_("The legal hold on {person} is released.").format(person=hold_person(hold)))

    def clear(self) -> None:
        """Forget every row and close any open dialog (they hold names and reasons)."""
        self._cleared = True
        self.close_dialog()
        self._holds = {}
        self.model.clear()
        self.summary.clear()
        self.detail.clear()
        self.message.clear()
