"""The first-run wizard, driven like a person would: it makes a real vault and shows its recovery key once."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QWizard

from app.vault.vault import Vault
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import make_controller, shot, shutdown, shutdown_session, wait_until
from ui.wizard import WelcomeWizard


def _fill_owner(wizard: WelcomeWizard, password: str, again: str) -> None:
    wizard.owner.name.setText(OWNER)
    wizard.owner.passwords.first.setText(password)
    wizard.owner.passwords.again.setText(again)


def test_the_wizard_creates_a_vault_and_shows_the_key_that_opens_it(qtbot, tmp_path: Path) -> None:
    controller = make_controller(tmp_path)
    controller.start()  # no vault anywhere yet: the wizard
    wizard = controller.wizard
    assert isinstance(wizard, WelcomeWizard) and wizard.isVisible()
    target = tmp_path / "shop" / "shop.vault"
    wizard.location.path.setText(str(target))
    shot(wizard, "wizard-1-location")
    wizard.next()
    _fill_owner(wizard, OWNER_PASSWORD, OWNER_PASSWORD)
    shot(wizard, "wizard-2-owner")
    wizard.next()
    assert wizard.currentPage() is wizard.protection
    assert wizard.protection.use_keychain.isChecked()  # the in-memory keychain works
    shot(wizard, "wizard-3-keychain")
    wizard.next()
    shot(wizard, "wizard-4-create")
    wizard.next()  # the commit button: creates on a worker thread
    wait_until(qtbot, lambda: wizard.currentPage() is wizard.recovery)
    shot(wizard, "wizard-5-recovery-key")

    finish = wizard.button(QWizard.WizardButton.FinishButton)
    assert not finish.isEnabled()  # not before the owner says the key is kept safe
    wizard.reject()  # Cancel/Escape cannot throw the only copy of the key away
    assert wizard.isVisible()
    wizard.recovery.panel.confirmed.setChecked(True)
    assert finish.isEnabled()
    shown_key = wizard.recovery.panel.shown_key()
    finish.click()

    assert controller.main_window is not None and controller.main_window.isVisible()
    assert controller.context is not None and controller.context.session.user.name == OWNER
    assert target.exists() and controller.remembered_path() == target
    shutdown(controller)
    with Vault.open_with_recovery_key(target, shown_key) as vault:
        assert vault.recovery_key() == shown_key


@pytest.mark.parametrize(("password", "again", "problem"), [
    ("short", "short", "at least 8 characters"),
    ("long-enough-1", "long-enough-2", "not the same"),
])
def test_the_owner_page_refuses_bad_passwords(qtbot, tmp_path: Path, password: str, again: str,
                                               problem: str) -> None:
    wizard = WelcomeWizard(tmp_path / "shop.vault")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    _fill_owner(wizard, password, again)
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.next()  # even when forced, validatePage refuses and says why
    assert wizard.currentPage() is wizard.owner
    assert problem in wizard.owner.passwords.message.text()
    assert not (tmp_path / "shop.vault").exists()


def test_the_wizard_refuses_to_overwrite_an_existing_vault(qtbot, new_vault: tuple[Path, str]) -> None:
    wizard = WelcomeWizard(new_vault[0])
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    assert wizard.currentPage() is wizard.location
    assert "already a file" in wizard.location.message.text()


def test_without_a_keychain_the_wizard_says_password_only(qtbot, tmp_path: Path, no_keyring) -> None:
    wizard = WelcomeWizard(tmp_path / "shop.vault")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    _fill_owner(wizard, OWNER_PASSWORD, OWNER_PASSWORD)
    wizard.next()
    assert not wizard.protection.use_keychain.isChecked()
    assert not wizard.protection.use_keychain.isEnabled()
    assert "password only" in wizard.protection.unavailable.text()
    shot(wizard, "wizard-3-no-keychain")
    wizard.next()
    wizard.next()
    wait_until(qtbot, lambda: wizard.session is not None)
    assert not wizard.session.vault.keychain_bound
    shutdown_session(wizard.session)
