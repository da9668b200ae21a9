"""New / edit deal and lost-reason dialogs. Both check what they can before calling the service, and show the
service's own words when it refuses (it is the one that decides)."""

from __future__ import annotations

from datetime import date

from babel import Locale
from babel.core import get_global
from babel.numbers import get_territory_currencies
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from app.crm.deals import OPEN, Deal, DealService, Pipeline
from app.errors import InvalidInput
from app.locale import N_, _
from app.locale.formatting import babel_locale, check_currency, from_minor_units, money, percent, to_minor_units
from ui.sales.customer_picker import CustomerPicker
from ui.sales.quick import QuickDialog
from ui.sales.text import customer_label, status_label
from ui.session_context import SessionContext
from ui.widgets import paragraph

COMMON_CURRENCIES = ("EUR", "GBP", "USD", "CHF", "CNY", "JPY", "AED", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN")


def default_currency(seen: list[str], shop_currency: str = "") -> str:
    """The shop's currency (its profile) if it is among `seen` or nothing is seen yet; without one, the currency
    of the user's country (babel's likely country for a bare language such as "de"); else the first seen; EUR
    when babel knows no country."""
    if shop_currency and (not seen or shop_currency in seen):
        return shop_currency
    locale = babel_locale()
    territory = locale.territory
    if not territory:
        likely = get_global("likely_subtags").get(locale.language)
        territory = Locale.parse(str(likely)).territory if likely else None
    currencies = [str(code) for code in get_territory_currencies(territory)] if territory else []
    if currencies and (not seen or currencies[0] in seen):
        return currencies[0]
    return seen[0] if seen else "EUR"


def stage_text(name: str, probability: int) -> str:
    return _("{stage} ({probability})").format(stage=name, probability=percent(probability))


class DealDialog(QuickDialog):
    """A new deal in a pipeline or, given `deal`, that deal to edit: the same fields, filled in. The stage is not
    changed here (the board moves deals, and keeps their stage history), so an edit only names it."""

    created = Signal(int)  # the new deal's id
    saved = Signal(int)  # the edited deal's id

    def __init__(
        self,
        context: SessionContext,
        pipeline: Pipeline,
        stage_id: int | None,
        currency: str,
        parent: QWidget | None = None,
        *,
        deal: Deal | None = None,
    ) -> None:
        if deal is None:
            title, ok_text = _("New deal in {pipeline}").format(pipeline=pipeline.name), _("&Add deal")
        else:
            title, ok_text = _("Edit deal"), _("S&ave changes")
        super().__init__(context, title, ok_text, parent)
        self.pipeline = pipeline
        self.deal = deal
        if deal is not None:
            stage_id, currency = deal.stage_id, deal.currency
        self.title = QLineEdit(self)
        self.title.setMaxLength(200)
        self.title.setAccessibleName(_("Deal title"))
        self.customer = CustomerPicker(context, self)
        self.value = QLineEdit(self)
        self.value.setPlaceholderText("0.00")
        self.value.setAccessibleName(_("Value"))
        self.currency = QComboBox(self)
        self.currency.setEditable(True)
        self.currency.setAccessibleName(_("Currency code"))
        codes = list(dict.fromkeys([currency, *COMMON_CURRENCIES]))
        self.currency.addItems(codes)
        self.currency.setCurrentText(currency)
        self.currency.setMaximumWidth(100)
        money_row = QHBoxLayout()
        money_row.addWidget(self.value, 1)
        money_row.addWidget(self.currency)
        self.has_close = QCheckBox(_("Expected to &close on:"), self)
        self.close_date = QDateEdit(QDate.currentDate().addMonths(1), self)
        self.close_date.setCalendarPopup(True)
        self.close_date.setDisplayFormat("yyyy-MM-dd")  # unambiguous, like the audit log's dates
        self.close_date.setEnabled(False)
        self.close_date.setAccessibleName(_("Expected close date"))
        self.has_close.toggled.connect(self.close_date.setEnabled)
        close_row = QHBoxLayout()
        close_row.addWidget(self.has_close)
        close_row.addWidget(self.close_date, 1)
        self.stage = QComboBox(self)
        self.stage.setAccessibleName(_("Stage"))
        for stage in pipeline.stages:
            self.stage.addItem(stage_text(stage.name, stage.probability), stage.id)
        if stage_id is not None and self.stage.findData(stage_id) >= 0:
            self.stage.setCurrentIndex(self.stage.findData(stage_id))
        self.form.addRow(_("&Title:"), self.title)
        self.form.addRow(_("C&ustomer:"), self.customer)
        value_label = QLabel(_("&Value:"), self)
        value_label.setBuddy(self.value)
        self.form.addRow(value_label, money_row)
        self.form.addRow("", close_row)
        if deal is None:
            self.form.addRow(_("&Stage:"), self.stage)
        else:
            self.stage.hide()
            self.stage_note = QLabel(self._stage_note(deal), self)
            self.stage_note.setWordWrap(True)
            self.stage_note.setTextFormat(Qt.TextFormat.PlainText)
            self.form.addRow(_("Stage:"), self.stage_note)
            self._fill(deal)
        self.finish_layout()
        self.customer.reveal()  # the usual list, or the customer of the deal or activity being edited

    def _stage_note(self, deal: Deal) -> str:
        stage = next((s for s in self.pipeline.stages if s.id == deal.stage_id), None)
        name = stage_text(stage.name, stage.probability) if stage is not None else ""
        if deal.status != OPEN:
            return _("{stage}; the deal is closed ({status}).").format(stage=name, status=status_label(deal))
        return _("{stage}. To change the stage, move the card on the board.").format(stage=name)

    def _fill(self, deal: Deal) -> None:
        self.title.setText(deal.title)
        if deal.contact_id is not None and deal.contact_name:
            self.customer.choose(deal.contact_id, deal.contact_name)
        self.value.setText(f"{from_minor_units(deal.value_minor, deal.currency):f}")  # 0.00, never 0E-2
        if deal.expected_close:
            picked = date.fromisoformat(deal.expected_close[:10])
            self.close_date.setDate(QDate(picked.year, picked.month, picked.day))
            self.has_close.setChecked(True)

    def submit(self) -> None:
        title, customer = self.title.text().strip(), self.customer.contact_id()
        organisation = self.deal.organisation_id if self.deal is not None else None
        if not title:
            self.refuse(_("Give the deal a title, for example what the customer wants."), self.title)
            return
        if customer is None and organisation is None:
            self.refuse(
                _("Choose the customer this deal is for: type part of their name and pick them."), self.customer
            )
            return
        amount = self.value.text().strip() or "0"
        try:
            currency = check_currency(self.currency.currentText())
        except InvalidInput as exc:
            self.refuse(str(exc), self.currency)
            return
        try:
            to_minor_units(amount, currency)
        except InvalidInput as exc:
            self.refuse(str(exc), self.value)
            return
        close = None
        if self.has_close.isChecked():
            picked = self.close_date.date()
            close = date(picked.year(), picked.month(), picked.day())
        if self.deal is not None:
            deal_id = self.deal.id
            if self.apply(
                lambda: DealService(self.context.session).update(
                    deal_id,
                    title=title,
                    value=amount,
                    currency=currency,
                    contact_id=customer,
                    organisation_id=organisation,
                    expected_close=close,
                )
            ):
                self.saved.emit(deal_id)
            return
        stage_id = int(self.stage.currentData())
        created: list[int] = []

        def change() -> None:
            created.append(
                DealService(self.context.session).create(
                    title,
                    value=amount,
                    currency=currency,
                    contact_id=customer,
                    pipeline_id=self.pipeline.id,
                    stage_id=stage_id,
                    expected_close=close,
                )
            )

        if self.apply(change):
            self.created.emit(created[0])


NewDealDialog = DealDialog  # the name the pages used before deals could be edited


class LostReasonDialog(QuickDialog):
    """Marking a deal lost needs a reason (the service refuses without one): it helps win the next one."""

    REASONS = (N_("Price too high"), N_("Chose another shop"), N_("No longer needed"), N_("No reply"), N_("Timing"))

    def __init__(self, context: SessionContext, deal: Deal, parent: QWidget | None = None) -> None:
        super().__init__(context, _("Mark “{deal}” as lost").format(deal=deal.title), _("Mark as &lost"), parent)
        self.deal = deal
        intro = _(
            "Why was “{deal}” ({customer}, {value}) lost? A short reason helps with the next one. You can "
            "reopen the deal later."
        ).format(
            deal=deal.title, customer=customer_label(deal.contact_name), value=money(deal.value_minor, deal.currency)
        )
        self.body.insertWidget(0, paragraph(intro, self))
        self.reason = QLineEdit(self)
        self.reason.setMaxLength(500)
        self.reason.setAccessibleName(_("Reason the deal was lost"))
        completer = QCompleter([_(reason) for reason in self.REASONS], self.reason)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.reason.setCompleter(completer)
        self.form.addRow(_("&Reason:"), self.reason)
        self.finish_layout()

    def submit(self) -> None:
        reason, deal_id = self.reason.text(), self.deal.id
        if not self.apply(lambda: DealService(self.context.session).close(deal_id, won=False, reason=reason)):
            self.reason.setFocus()
