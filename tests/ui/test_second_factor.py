"""Settings › My account adds and removes an owner's or a manager's security key; the unlock screen asks for a
touch, off the UI thread, with Cancel. python-fido2's real client talks to the software authenticator (issue #20)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from app.access.second_factor import SecurityKeyService
from app.access.session import open_session
from app.vault import second_factor
from app.vault.second_factor import Fido2SecondFactor
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.fido_soft_authenticator import SoftAuthenticator
from tests.ui_helpers import make_controller, press, shot, shutdown, sign_in, signed_in, type_into, wait_until
from ui.settings.security_key import SecurityKeyDialog


@pytest.fixture
def plug(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    def plugged(*keys: SoftAuthenticator) -> None:
        monkeypatch.setattr(second_factor, "list_devices", lambda: list(keys))

    return plugged


def keyed(path: Path) -> None:
    """The owner's login needs the security key now plugged in."""
    session = open_session(path, OWNER, OWNER_PASSWORD)
    SecurityKeyService(session).add(OWNER_PASSWORD, Fido2SecondFactor())
    session.lock("logout")


def test_the_owner_adds_and_removes_a_key_on_my_account(
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    new_vault: tuple[Path, str],
    plug: Callable[..., None],
) -> None:
    path = new_vault[0]
    key = SoftAuthenticator()
    plug(key)
    controller = signed_in(qtbot, tmp_path, path, OWNER, OWNER_PASSWORD)
    main = controller.main_window
    main.show_page("settings")
    main.settings.tabs.setCurrentWidget(main.settings.account)  # My account: it is about one's own login
    page = main.settings.account.security_key
    assert "password alone" in page.security_key_state.text()
    assert not page.remove_key_button.isVisible()
    shot(main, "security-key-none")
    press(qtbot, page.add_key_button)
    dialog = next(d for d in page.findChildren(SecurityKeyDialog) if d.isVisible())
    shot(dialog, "security-key-add-dialog")
    press(qtbot, dialog.go_button)
    assert "Type your password" in dialog.message.text()
    type_into(qtbot, dialog.password, "not-the-password")
    press(qtbot, dialog.go_button)
    wait_until(qtbot, lambda: not controller.context.busy and dialog.go_button.isEnabled())
    assert dialog.isVisible() and "not right" in dialog.message.text()
    type_into(qtbot, dialog.password, OWNER_PASSWORD)
    press(qtbot, dialog.go_button)
    wait_until(qtbot, lambda: not dialog.isVisible())
    assert "password and your security key" in page.security_key_state.text()
    assert "Security key added" in page.message.text()
    assert page.remove_key_button.isVisible() and not page.add_key_button.isVisible()
    assert controller.context.session.vault.security_key_of(OWNER) is not None
    shot(main, "security-key-added")

    plug(SoftAuthenticator())  # another key cannot take it off
    press(qtbot, page.remove_key_button)
    dialog = next(d for d in page.findChildren(SecurityKeyDialog) if d.isVisible())
    type_into(qtbot, dialog.password, OWNER_PASSWORD)
    press(qtbot, dialog.go_button)
    wait_until(qtbot, lambda: not controller.context.busy and dialog.go_button.isEnabled())
    assert "not the security key" in dialog.message.text()
    plug(key)
    type_into(qtbot, dialog.password, OWNER_PASSWORD)
    press(qtbot, dialog.go_button)
    wait_until(qtbot, lambda: not dialog.isVisible())
    assert "password alone" in page.security_key_state.text()
    assert controller.context.session.vault.security_key_of(OWNER) is None
    shutdown(controller)


def test_the_unlock_screen_asks_for_a_touch_and_opens(
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    new_vault: tuple[Path, str],
    plug: Callable[..., None],
) -> None:
    path = new_vault[0]
    key = SoftAuthenticator()
    plug(key)
    keyed(path)
    controller = make_controller(tmp_path)
    window = controller.show_unlock(path)
    asked: list[str] = []
    window.touch_needed.connect(lambda: asked.append(window.message.text()))
    plug()
    sign_in(qtbot, window, OWNER, OWNER_PASSWORD)
    wait_until(qtbot, lambda: "No security key is plugged in" in window.message.text())
    assert controller.main_window is None and window.unlock_button.isEnabled()
    plug(key)
    sign_in(qtbot, window, OWNER, OWNER_PASSWORD)
    wait_until(qtbot, lambda: controller.main_window is not None)
    assert asked, "the key's wait for a touch reached the screen"
    assert not window.cancel_touch.isVisible()
    shutdown(controller)


def test_cancel_stops_the_wait_for_a_touch(
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    new_vault: tuple[Path, str],
    plug: Callable[..., None],
) -> None:
    path = new_vault[0]
    key = SoftAuthenticator()
    plug(key)
    keyed(path)

    def nobody_touches() -> bool:
        """A real key blinks until the client's cancel reaches it (the event python-fido2 hands the device)."""
        cancel = waiting._event
        assert cancel is not None and cancel.wait(10), "the cancel never reached the key"
        cancelled.set()
        return False

    cancelled = threading.Event()
    waiting = SoftAuthenticator(master_key=key._master, user_presence=nobody_touches)
    plug(waiting)
    controller = make_controller(tmp_path)
    window = controller.show_unlock(path)
    sign_in(qtbot, window, OWNER, OWNER_PASSWORD)
    wait_until(qtbot, lambda: window.cancel_touch.isVisible())
    assert "Touch your security key" in window.message.text()
    assert not window.unlock_button.isEnabled()
    shot(window, "unlock-touch-your-security-key")
    press(qtbot, window.cancel_touch)
    wait_until(qtbot, lambda: "Cancelled while waiting for the security key" in window.message.text())
    assert cancelled.is_set() and controller.main_window is None and not window.cancel_touch.isVisible()
    assert window.unlock_button.isEnabled()
    shutdown(controller)


def test_a_manager_without_a_security_tab_adds_a_key_on_my_account(
    qtbot,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    new_vault: tuple[Path, str],
    plug: Callable[..., None],
) -> None:
    from app.access.users import UserService
    from app.vault import kdf

    path = new_vault[0]
    owner = open_session(path, OWNER, OWNER_PASSWORD)
    UserService(owner, kdf.CHEAP).add("Mia Manager", "manager", "temporary-1")
    owner.lock("logout")
    mia = open_session(path, "Mia Manager", "temporary-1")
    UserService(mia, kdf.CHEAP).change_own_password("temporary-1", "mias-own-pass-1")
    mia.lock("logout")
    key = SoftAuthenticator()
    plug(key)
    controller = signed_in(qtbot, tmp_path, path, "Mia Manager", "mias-own-pass-1")
    main = controller.main_window
    main.show_page("settings")
    assert main.settings.security is None  # the vault's security is the owner's; her own login is hers
    main.settings.tabs.setCurrentWidget(main.settings.account)
    box = main.settings.account.security_key
    assert box.add_key_button.isEnabled() and "password alone" in box.security_key_state.text()
    press(qtbot, box.add_key_button)
    dialog = next(d for d in box.findChildren(SecurityKeyDialog) if d.isVisible())
    type_into(qtbot, dialog.password, "mias-own-pass-1")
    press(qtbot, dialog.go_button)
    wait_until(qtbot, lambda: not dialog.isVisible())
    assert controller.context.session.vault.security_key_of("Mia Manager") is not None
    assert "password and your security key" in box.security_key_state.text()
    shutdown(controller)
