"""Privacy › Retention: how long each kind of data is kept, and the sweep that applies it after a preview.

Nothing is deleted from this screen without first showing exactly who and what (person number, policy, action,
reason) and a confirmation; the sweep then runs on a worker in batches with progress and Cancel.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.access.roles import Permission
from app.errors import CounterpartError
from app.locale import N_, _, ngettext
from app.privacy.retention import (
    CATEGORIES,
    CATEGORY_LABELS,
    TEMPLATES,
    Policy,
    RetentionService,
    SweepItem,
    SweepResult,
)
from ui.dialogs import confirm
from ui.operations.privacy import apply_sweep, preview_sweep
from ui.privacy.common import (
    Clock,
    ProgressPanel,
    Row,
    RowsModel,
    button,
    error_text,
    forbid,
    local_time,
    make_table,
    selected_key,
    system_clock,
)
from ui.privacy.labels import action_label
from ui.session_context import SessionContext
from ui.widgets import MessageLine, paragraph

TEMPLATE_NAMES = {"gdpr": N_("GDPR"), "ccpa": N_("CCPA"), "pipl": N_("PIPL")}  # the law as its readers name it (DSGVO)
PERSON_LEVEL = ("lead", "customer")  # the only kinds of data that can be anonymised instead of deleted


def category_label(category: str) -> str:
    return _(CATEGORY_LABELS[category]) if category in CATEGORY_LABELS else category


def months_of(days: int) -> int | None:
    """Whole months when `days` is one (a year is 365 days, so 730 days is 24 months), else None."""
    months = days * 12 / 365
    return round(months) if days >= 60 and abs(months - round(months)) < 0.01 else None


def period_text(days: int) -> str:
    months = months_of(days)
    if months is None:
        return ngettext("{n} day", "{n} days", days).format(n=days)
    return ngettext("{m} month ({n} days)", "{m} months ({n} days)", months).format(m=months, n=days)


class PolicyDialog(QDialog):
    """Change one policy: the period (in days or months), delete or anonymise, on or off. Owner only."""

    def __init__(self, context: SessionContext, policy: Policy, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("Retention policy"))
        self.context = context
        self.policy = policy
        self.amount = QSpinBox(self)
        self.amount.setRange(1, 36500)
        self.amount.setAccessibleName(_("Keep for"))
        self.unit = QComboBox(self)
        self.unit.setAccessibleName(_("Unit"))
        self.unit.addItem(_("days"), 1)
        self.unit.addItem(_("months"), 12)
        months = months_of(policy.period_days)
        self.unit.setCurrentIndex(1 if months else 0)
        self.amount.setValue(months or policy.period_days)
        self.action = QComboBox(self)
        self.action.setAccessibleName(_("Then"))
        for code in ("delete", "anonymise") if policy.category in PERSON_LEVEL else ("delete",):
            self.action.addItem(action_label(code), code)
        self.action.setCurrentIndex(max(0, self.action.findData(policy.action)))
        self.active = QCheckBox(_("&Active (the sweep applies it)"), self)
        self.active.setChecked(policy.active)
        period = QHBoxLayout()
        period.addWidget(self.amount)
        period.addWidget(self.unit)
        period.addStretch(1)
        form = QFormLayout()
        form.addRow(_("Kind of data:"), QLabel(category_label(policy.category), self))
        keep = QLabel(_("&Keep for:"), self)
        keep.setBuddy(self.amount)
        form.addRow(keep, period)
        then = QLabel(_("&Then:"), self)
        then.setBuddy(self.action)
        form.addRow(then, self.action)
        form.addRow("", self.active)
        self.message = MessageLine(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = buttons.addButton(_("&Save policy"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                _(
                    "Anonymising keeps the sales figures and removes everything that identifies "
                    "the person; deleting removes the person and their records."
                ),
                self,
            )
        )
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)

    def days(self) -> int:
        value = self.amount.value()
        return round(value * 365 / 12) if self.unit.currentData() == 12 else value

    def submit(self) -> None:
        if self.context.busy:
            return
        try:
            RetentionService(self.context.session).set_policy(
                self.policy.category, self.days(), str(self.action.currentData()), self.active.isChecked()
            )
        except CounterpartError as exc:
            self.message.show_error(str(exc))
            return
        self.context.changed.emit()
        self.accept()


class RetentionTab(QWidget):
    permission = Permission.VIEW_CUSTOMERS  # everyone reads the policies; the owner edits; owner/manager sweep

    def __init__(self, context: SessionContext, parent: QWidget | None = None, *, clock: Clock = system_clock) -> None:
        super().__init__(parent)
        self.context = context
        self.clock = clock
        self.allowed = context.can(self.permission)
        self.dialog: QDialog | QMessageBox | None = None
        self._policies: dict[str, Policy] = {}
        self._preview_now: datetime | None = None
        self._preview: list[SweepItem] = []
        self._stale = True
        self._cleared = False
        self._build_policies()
        self._build_sweep()
        self.message = MessageLine(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addWidget(self.policy_box, 2)  # its table grows to every kind of data, then the sweep takes the rest
        layout.addWidget(self.sweep_box, 1)
        layout.addWidget(self.message)
        context.changed.connect(self._data_changed)

    def _build_policies(self) -> None:
        self.policy_box = QGroupBox(_("How long data is kept"), self)
        self.policy_model = RowsModel([_("Kind of data"), _("Keep for"), _("Then"), _("Active")], self)
        self.policy_table = make_table(self.policy_model, _("Retention policies"), self.policy_box, (380, 170, 110))
        self.policy_table.doubleClicked.connect(lambda _index: self.ask_edit())
        table = self.policy_table  # every kind of data without scrolling where the screen is tall enough;
        frame = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth() + 4  # on a 700-pixel one,
        rows = table.verticalHeader().defaultSectionSize()  # four rows and a scroll bar: a minimum of all of them
        table.setMinimumHeight(frame + 4 * rows)  # pushed the sweep's table under the buttons
        table.setMaximumHeight(frame + len(CATEGORIES) * rows)
        self.edit_button = button(
            _("&Edit policy…"), _("Edit the selected retention policy"), self.policy_box, self.ask_edit
        )
        self.template = QComboBox(self.policy_box)
        self.template.setAccessibleName(_("Policy template"))
        for key, name in TEMPLATE_NAMES.items():
            self.template.addItem(_("{law} shop").format(law=_(name)), key)
        self.template_button = button(
            _("Apply &template…"),
            _("Replace every policy with the chosen template"),
            self.policy_box,
            self.ask_template,
        )
        row = QHBoxLayout()
        row.addWidget(self.edit_button)
        row.addStretch(1)
        template_label = QLabel(_("Te&mplate:"), self.policy_box)
        template_label.setBuddy(self.template)
        row.addWidget(template_label)
        row.addWidget(self.template)
        row.addWidget(self.template_button)
        layout = QVBoxLayout(self.policy_box)
        layout.addWidget(self.policy_table, 1)
        layout.addLayout(row)
        if not self.context.can(Permission.MANAGE_POLICIES):
            layout.insertWidget(0, paragraph(_("Only the owner changes these policies."), self.policy_box))
            forbid(
                self.context.why_not(Permission.MANAGE_POLICIES), self.edit_button, self.template, self.template_button
            )

    def _build_sweep(self) -> None:
        self.sweep_box = QGroupBox(_("Sweep"), self)
        self.last_run = QLabel(self.sweep_box)
        self.last_run.setWordWrap(True)
        self.preview_model = RowsModel(
            [_("Person"), _("Kind of data"), _("Action"), _("How many"), _("Why")], self, right=(3,)
        )
        self.preview_table = make_table(
            self.preview_model, _("What the sweep would delete or anonymise"), self.sweep_box, (130, 300, 100, 80)
        )
        self.preview_summary = QLabel(self.sweep_box)
        self.preview_summary.setWordWrap(True)
        self.preview_button = button(
            _("&Preview sweep"), _("Show what the sweep would do now"), self.sweep_box, self.preview
        )
        self.apply_button = button(
            _("&Confirm and apply…"), _("Apply the sweep shown in the preview"), self.sweep_box, self.ask_apply
        )
        self.apply_button.setEnabled(False)
        self.apply_button.setToolTip(_("Preview first: only what a preview shows is applied."))
        self.progress = ProgressPanel(self.sweep_box)
        row = QHBoxLayout()
        row.addWidget(self.preview_button)
        row.addWidget(self.apply_button)
        row.addStretch(1)
        layout = QVBoxLayout(self.sweep_box)
        layout.addWidget(self.last_run)
        layout.addLayout(row)
        layout.addWidget(self.preview_table, 1)
        layout.addWidget(self.preview_summary)
        layout.addWidget(self.progress)
        if not self.context.can(Permission.ERASE):
            forbid(self.context.why_not(Permission.ERASE), self.preview_button, self.apply_button, self.preview_table)

    # --- reading -------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        if not self.allowed or self._cleared or not self.context.is_open or self.context.busy:
            self._stale = True
            return
        self._stale = False
        keep = selected_key(self.policy_table, self.policy_model)
        service = RetentionService(self.context.session)
        policies = service.policies()
        self._policies = {p.category: p for p in policies}
        self.policy_model.set_rows(
            [
                Row(
                    [
                        category_label(p.category),
                        period_text(p.period_days),
                        action_label(p.action),
                        _("Yes") if p.active else _("No — not applied"),
                    ],
                    key=p.category,
                )
                for p in policies
            ]
        )
        for number, policy in enumerate(policies):
            if policy.category == keep:
                self.policy_table.selectRow(number)
        self.last_run.setText(self._last_run_text(service))

    def _last_run_text(self, service: RetentionService) -> str:
        last = service.last_run()
        if last is None:
            return _("No sweep has run yet. Preview one to see what is past its retention period.")
        at, status, counts = last
        words = {
            "done": _("finished"),
            "cancelled": _("cancelled (the next sweep continues)"),
            "running": _("did not finish (the next sweep continues)"),
        }.get(status, status)
        done = ", ".join(f"{category_label(k)}: {v}" for k, v in sorted(counts.items())) or _("nothing was due")
        text = _("Last sweep: {time}, {status}. {counts}.").format(time=local_time(at), status=words, counts=done)
        if service.due(self.clock()):
            text += " " + _("A sweep is due (none in the last 24 hours).")
        return text

    def showEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)  # type: ignore[arg-type]
        if self._stale:
            self.refresh()

    def _data_changed(self) -> None:
        """A preview is only true for the data it saw: any change means preview again."""
        if self._preview:
            self._show_preview([], None)
            self.preview_summary.setText(_("The data changed since the preview: preview again before applying."))
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True

    # --- policies ------------------------------------------------------------------------------------------

    def ask_edit(self) -> QDialog | None:
        if self.context.busy or not self.context.can(Permission.MANAGE_POLICIES):
            return None
        policy = self._policies.get(selected_key(self.policy_table, self.policy_model))
        if policy is None:
            return None
        dialog = PolicyDialog(self.context, policy, self)
        self.dialog = dialog
        dialog.open()
        return dialog

    def ask_template(self) -> QMessageBox | None:
        if self.context.busy or not self.context.can(Permission.MANAGE_POLICIES):
            return None
        key = str(self.template.currentData())
        lines = "\n".join(
            _("{kind}: {period}, then {action}").format(
                kind=category_label(category), period=period_text(days), action=action_label(action).lower()
            )
            for category, days, action in TEMPLATES[key]
        )
        self.dialog = confirm(
            self.window(),
            _("Apply a policy template"),
            _("Replace every retention policy with the {law} shop template?").format(law=_(TEMPLATE_NAMES[key])),
            _("&Replace policies"),
            lambda: self.apply_template(key),
            lines,
        )
        return self.dialog

    def apply_template(self, key: str) -> None:
        if self.context.busy:
            return
        try:
            RetentionService(self.context.session).apply_template(key)
        except CounterpartError as exc:
            self.message.show_error(str(exc))
            return
        self.message.show_info(
            _("The {law} template is in place. Preview the sweep to see what it means today.").format(
                law=_(TEMPLATE_NAMES[key])
            )
        )
        self.context.changed.emit()

    # --- the sweep -----------------------------------------------------------------------------------------

    def preview(self) -> None:
        """On a worker (it reads every person's last activity); changes nothing."""
        if self.context.busy or not self.context.can(Permission.ERASE):
            return
        session, now = self.context.session, self.clock()
        self.message.clear()
        operation = self.context.run(
            preview_sweep(session, now),
            description=_("Working out what the sweep would do…"),
            on_done=lambda items: self._show_preview(items, now),
            on_error=lambda exc: self.message.show_error(error_text(exc)),
            changes_data=False,
        )
        self.progress.follow(operation, _("Previewing…"))

    def _show_preview(self, items: list[SweepItem], now: datetime | None) -> None:
        self._preview, self._preview_now = items, now
        self.preview_model.set_rows(
            [
                Row(
                    [
                        _("Customer no. {id}").format(id=item.contact_id)
                        if item.contact_id is not None
                        else _("(records, not a person)"),
                        category_label(item.category),
                        action_label(item.action),
                        str(item.count),
                        item.reason,
                    ],
                    key=(item.category, item.contact_id),
                )
                for item in items
            ]
        )
        if self.context.can(Permission.ERASE):
            self.apply_button.setEnabled(bool(items))
            self.apply_button.setToolTip("" if items else _("Preview first: only what a preview shows is applied."))
        if now is None:
            self.preview_summary.clear()
            return
        people = [item for item in items if item.contact_id is not None]
        anonymised = sum(1 for item in people if item.action == "anonymise")
        records = sum(item.count for item in items if item.contact_id is None)
        from app.consent.restriction import RestrictionService

        kept = RestrictionService(self.context.session).kept_by_sweep() if self.context.is_open else 0
        restricted = (
            (
                " "
                + ngettext(
                    "{n} person is kept: their processing is restricted (GDPR Art. 18).",
                    "{n} people are kept: their processing is restricted (GDPR Art. 18).",
                    kept,
                ).format(n=kept)
            )
            if kept
            else ""
        )
        if not items:
            self.preview_summary.setText(
                _("Nothing is past its retention period. There is nothing to apply.") + restricted
            )
            return
        parts = []
        if len(people) > anonymised:
            parts.append(
                ngettext("{n} person deleted", "{n} people deleted", len(people) - anonymised).format(
                    n=len(people) - anonymised
                )
            )
        if anonymised:
            parts.append(ngettext("{n} person anonymised", "{n} people anonymised", anonymised).format(n=anonymised))
        if records:
            parts.append(ngettext("{n} other record deleted", "{n} other records deleted", records).format(n=records))
        self.preview_summary.setText(
            _("Applying would do this: {what}. Nothing changes until you confirm.").format(what=", ".join(parts))
            + restricted
        )

    def ask_apply(self) -> QMessageBox | None:
        if self.context.busy or not self._preview:
            return None
        people = sum(1 for item in self._preview if item.contact_id is not None)
        self.dialog = confirm(
            self.window(),
            _("Apply the sweep"),
            ngettext(
                "Delete or anonymise {n} person and the other records shown?",
                "Delete or anonymise {n} people and the other records shown?",
                people,
            ).format(n=people),
            _("&Apply sweep"),
            self.apply,
            _(
                "This cannot be undone. People are processed in batches; if you cancel, everyone "
                "is either fully processed or untouched, and the next sweep continues."
            ),
            destructive=True,
        )
        return self.dialog

    def apply(self) -> None:
        if self.context.busy or self._preview_now is None:
            return
        session, now = self.context.session, self._preview_now
        operation = self.context.run(
            apply_sweep(session, now),
            description=_("Applying the retention sweep…"),
            on_done=self._applied,
            on_error=lambda exc: self.message.show_error(error_text(exc)),
        )
        self.progress.follow(operation, _("Sweeping…"), cancellable=True)
        self.apply_button.setEnabled(False)

    def _applied(self, result: SweepResult) -> None:
        done = ", ".join(f"{category_label(k)}: {v}" for k, v in sorted(result.counts.items())) or _("nothing")
        if result.cancelled:
            self.message.show_warning(
                _("The sweep was cancelled; done so far: {counts}. The next sweep continues.").format(counts=done)
                + self._traces(result)
            )
        else:
            self.message.show_info(_("The sweep is done: {counts}.").format(counts=done) + self._traces(result))
        self._show_preview([], None)

    @staticmethod
    def _traces(result: SweepResult) -> str:
        """When the erased people's words left the search index (a step after the erasure)."""
        if result.traces_removed_at is None:
            return ""
        return " " + _("Erased people's words removed from the search index at {time}.").format(
            time=local_time(result.traces_removed_at)
        )

    def clear(self) -> None:
        """Forget the preview (person numbers) and the policies; close an open dialog."""
        self._cleared = True
        if self.dialog is not None:
            self.dialog.reject()
            self.dialog = None
        self._preview, self._preview_now = [], None
        self.policy_model.clear()
        self.preview_model.clear()
        self.preview_summary.clear()
        self.last_run.clear()
        self.message.clear()
