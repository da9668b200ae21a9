"""The first-run wizard, driven like a person would: it makes a real vault and shows its recovery key once."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QWizard

from app.access.shop import ShopService
from app.vault.vault import Vault
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import make_controller, press, shot, shutdown, shutdown_session, type_into, type_text, wait_until
from ui.wizard import WelcomeWizard


def _fill_owner(qtbot, wizard: WelcomeWizard, password: str, again: str) -> None:  # type: ignore[no-untyped-def]
    type_into(qtbot, wizard.owner.name, OWNER)
    type_into(qtbot, wizard.owner.passwords.first, password)
    type_into(qtbot, wizard.owner.passwords.again, again)


def _fill_shop(qtbot, wizard: WelcomeWizard) -> None:  # type: ignore[no-untyped-def]
    form = wizard.shop.form
    type_into(qtbot, form.name, "Blumen Müller")
    form.address.setFocus()
    type_text(qtbot, form.address, "Hauptstraße 5\n10115 Berlin")
    form.country.setFocus()
    qtbot.keyClicks(form.country, "Germany")  # a closed drop-down jumps to what is typed
    type_into(qtbot, form.privacy_contact, "datenschutz@blumen.example")


def _next(wizard: WelcomeWizard) -> QAbstractButton:
    return wizard.button(QWizard.WizardButton.NextButton)


def test_a_new_owner_clicks_through_the_whole_wizard_with_the_suggested_path(qtbot, tmp_path: Path) -> None:
    """The first-hour path: nothing typed on the first page, every step by the real buttons."""
    controller = make_controller(tmp_path)
    controller.start()  # no vault anywhere yet: the wizard
    wizard = controller.wizard
    assert isinstance(wizard, WelcomeWizard) and wizard.isVisible()
    suggested = controller.default_path
    assert wizard.location.path.text() == str(suggested)
    shot(wizard, "wizard-1-location")
    press(qtbot, _next(wizard))  # failed here: the suggested path left Next disabled
    assert wizard.currentPage() is wizard.shop
    assert not _next(wizard).isEnabled()  # a name and a country first (C.UTF-8 suggests no country)
    _fill_shop(qtbot, wizard)
    assert wizard.shop.form.country.currentData() == "DE"
    assert wizard.shop.form.currency.currentText() == "EUR"  # the country's currency, offered
    shot(wizard, "wizard-2-shop")
    press(qtbot, _next(wizard))
    assert wizard.currentPage() is wizard.owner
    assert not _next(wizard).isEnabled()  # nothing typed yet
    _fill_owner(qtbot, wizard, OWNER_PASSWORD, OWNER_PASSWORD)
    shot(wizard, "wizard-3-owner")
    press(qtbot, _next(wizard))
    assert wizard.currentPage() is wizard.protection
    assert wizard.protection.use_keychain.isChecked()  # the in-memory keychain works
    shot(wizard, "wizard-4-keychain")
    press(qtbot, _next(wizard))
    assert wizard.currentPage() is wizard.create_page
    assert "Blumen Müller" in wizard.create_page.shop.text()
    shot(wizard, "wizard-5-create")
    press(qtbot, wizard.button(QWizard.WizardButton.CommitButton))  # creates on a worker thread
    wait_until(qtbot, lambda: wizard.currentPage() is wizard.recovery)
    shot(wizard, "wizard-6-recovery-key")

    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()  # not before the owner says the key is kept safe
    qtbot.keyClick(wizard, Qt.Key.Key_Escape)  # Escape cannot throw the only copy of the key away
    assert wizard.isVisible()
    press(qtbot, wizard.recovery.panel.confirmed)
    shown_key = wizard.recovery.panel.shown_key()
    press(qtbot, finish)

    assert controller.main_window is not None and controller.main_window.isVisible()
    assert controller.context is not None and controller.context.session.user.name == OWNER
    assert suggested.exists() and controller.remembered_path() == suggested
    profile = ShopService(controller.context.session).profile()
    assert (profile.name, profile.address, profile.country, profile.currency) == (
        "Blumen Müller",
        "Hauptstraße 5\n10115 Berlin",
        "DE",
        "EUR",
    )
    assert profile.privacy_contact == "datenschutz@blumen.example"
    shutdown(controller)
    with Vault.open_with_recovery_key(suggested, shown_key) as vault:
        assert vault.recovery_key() == shown_key


def test_the_first_page_needs_a_path(qtbot, tmp_path: Path) -> None:
    wizard = WelcomeWizard(tmp_path / "shop.vault")
    qtbot.addWidget(wizard)
    wizard.show()
    assert _next(wizard).isEnabled()
    type_into(qtbot, wizard.location.path, "   ")
    assert not _next(wizard).isEnabled()
    type_into(qtbot, wizard.location.path, str(tmp_path / "elsewhere.vault"))
    assert _next(wizard).isEnabled()


@pytest.mark.parametrize(
    ("password", "again", "problem"),
    [
        ("short", "short", "at least 8 characters"),
        ("long-enough-1", "long-enough-2", "not the same"),
    ],
)
def test_the_owner_page_refuses_bad_passwords(qtbot, tmp_path: Path, password: str, again: str, problem: str) -> None:
    wizard = WelcomeWizard(tmp_path / "shop.vault")
    qtbot.addWidget(wizard)
    wizard.show()
    press(qtbot, _next(wizard))
    _fill_shop(qtbot, wizard)
    press(qtbot, _next(wizard))
    _fill_owner(qtbot, wizard, password, again)
    assert not _next(wizard).isEnabled()
    wizard.next()  # even when forced past the disabled button, validatePage refuses and says why
    assert wizard.currentPage() is wizard.owner
    assert problem in wizard.owner.passwords.message.text()
    assert not (tmp_path / "shop.vault").exists()


def test_the_wizard_refuses_to_overwrite_an_existing_vault(qtbot, new_vault: tuple[Path, str]) -> None:
    wizard = WelcomeWizard(new_vault[0])
    qtbot.addWidget(wizard)
    wizard.show()
    press(qtbot, _next(wizard))
    assert wizard.currentPage() is wizard.location
    assert "already a file" in wizard.location.message.text()


def test_without_a_keychain_the_wizard_says_password_only(qtbot, tmp_path: Path, no_keyring) -> None:
    wizard = WelcomeWizard(tmp_path / "shop.vault")
    qtbot.addWidget(wizard)
    wizard.show()
    press(qtbot, _next(wizard))
    _fill_shop(qtbot, wizard)
    press(qtbot, _next(wizard))
    _fill_owner(qtbot, wizard, OWNER_PASSWORD, OWNER_PASSWORD)
    press(qtbot, _next(wizard))
    assert not wizard.protection.use_keychain.isChecked()
    assert not wizard.protection.use_keychain.isEnabled()
    assert "password only" in wizard.protection.unavailable.text()
    shot(wizard, "wizard-3-no-keychain")
    press(qtbot, _next(wizard))
    press(qtbot, wizard.button(QWizard.WizardButton.CommitButton))
    wait_until(qtbot, lambda: wizard.session is not None)
    assert not wizard.session.vault.keychain_bound
    shutdown_session(wizard.session)


def test_the_shop_page_suggests_country_currency_and_language_from_the_system(
    qtbot, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("LANG", "de_AT.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MONETARY", raising=False)
    wizard = WelcomeWizard(tmp_path / "shop.vault")
    qtbot.addWidget(wizard)
    wizard.show()
    press(qtbot, _next(wizard))
    form = wizard.shop.form
    assert (form.country.currentData(), form.currency.currentText(), form.language.currentData()) == ("AT", "EUR", "de")
    assert not _next(wizard).isEnabled()  # the name is the owner's to give
    type_into(qtbot, form.name, "Café Central")
    press(qtbot, _next(wizard))
    assert wizard.currentPage() is wizard.owner
