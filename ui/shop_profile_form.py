"""The shop profile's fields, shared by the setup wizard and Settings › Shop: name, address, country, currency,
language and the privacy contacts. Choosing a country offers its currency until the owner picks one."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QPlainTextEdit, QWidget

from app.access.shop import ShopProfile, countries, country_name, currency_of
from app.locale import _, current_language
from ui.consent.labels import add_language_items
from ui.sales.deal_dialogs import COMMON_CURRENCIES


class ShopProfileForm(QWidget):
    """Fields only; whoever shows it saves it (the wizard with the new vault, Settings through ShopService)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLineEdit(self)
        self.name.setMaxLength(200)
        self.name.setAccessibleName(_("Shop name"))
        self.name.setPlaceholderText(_("as customers know it, e.g. Blumen Müller"))
        self.address = QPlainTextEdit(self)
        self.address.setAccessibleName(_("Shop address"))
        self.address.setTabChangesFocus(True)
        self.address.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.country = QComboBox(self)
        self.country.setAccessibleName(_("Country"))
        self.country.addItem(_("Not set"), "")
        language = current_language()
        for name, code in sorted((country_name(code, language), code) for code in countries()):
            self.country.addItem(f"{name} ({code})", code)
        self.currency = QComboBox(self)
        self.currency.setAccessibleName(_("Currency"))
        self.currency.setEditable(True)  # any ISO code; the list offers the common ones
        self.currency.addItems(list(COMMON_CURRENCIES))
        self.currency.setCurrentText("")
        self.language = QComboBox(self)
        self.language.setAccessibleName(_("Language of the shop's documents"))
        add_language_items(self.language)  # each named in itself, as every language list in the app
        self.privacy_contact = QLineEdit(self)
        self.privacy_contact.setAccessibleName(_("Contact for privacy questions"))
        self.privacy_contact.setPlaceholderText(_("an email address or phone number customers can use"))
        self.dpo = QLineEdit(self)
        self.dpo.setAccessibleName(_("Data protection officer (if any)"))
        self.form = form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow(_("Shop nam&e:"), self.name)
        form.addRow(_("A&ddress:"), self.address)
        form.addRow(_("Coun&try:"), self.country)
        form.addRow(_("Currenc&y:"), self.currency)
        form.addRow(_("Documents &in:"), self.language)
        form.addRow(_("Pri&vacy contact:"), self.privacy_contact)
        form.addRow(_("Data p&rotection officer:"), self.dpo)
        self._currency_chosen = False
        self.country.currentIndexChanged.connect(self._country_chosen)
        self.currency.currentTextChanged.connect(self._currency_typed)
        for line in (self.name, self.privacy_contact, self.dpo):
            line.textChanged.connect(self.changed)
        self.address.textChanged.connect(self.changed)
        self.language.currentIndexChanged.connect(self.changed)

    def show_profile(self, profile: ShopProfile) -> None:
        self.name.setText(profile.name)
        self.address.setPlainText(profile.address)
        self.country.setCurrentIndex(max(0, self.country.findData(profile.country)))
        self.currency.setCurrentText(profile.currency or currency_of(profile.country))
        self._currency_chosen = bool(profile.currency)
        self.language.setCurrentIndex(max(0, self.language.findData(profile.language or current_language())))
        self.privacy_contact.setText(profile.privacy_contact)
        self.dpo.setText(profile.dpo)

    def profile(self) -> ShopProfile:
        return ShopProfile(
            name=self.name.text(),
            address=self.address.toPlainText(),
            country=str(self.country.currentData() or ""),
            currency=self.currency.currentText(),
            language=str(self.language.currentData() or ""),
            privacy_contact=self.privacy_contact.text(),
            dpo=self.dpo.text(),
        )

    def set_read_only(self, read_only: bool) -> None:
        for line in (self.name, self.privacy_contact, self.dpo):
            line.setReadOnly(read_only)
        self.address.setReadOnly(read_only)
        for combo in (self.country, self.currency, self.language):
            combo.setEnabled(not read_only)

    def _country_chosen(self) -> None:
        if not self._currency_chosen:
            self.currency.blockSignals(True)
            self.currency.setCurrentText(currency_of(str(self.country.currentData() or "")))
            self.currency.blockSignals(False)
        self.changed.emit()

    def _currency_typed(self) -> None:
        self._currency_chosen = bool(self.currency.currentText().strip())
        self.changed.emit()
