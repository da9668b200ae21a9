"""Issue #15: window titles name the app once, the main window opens where the person signed in, and each
person finds it as they left it (per vault and user). Real vault files, the real controller, offscreen.

The offscreen screen is 800 × 800 px, narrower than the main window's minimum width; Qt keeps a window that
is wider than its screen at the screen's left edge, so across the screen only what fits there is checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget

from app import APP_NAME
from app.access.roles import Role
from app.access.users import UserService
from app.privacy.training import TrainingService
from app.vault import kdf
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import (
    add_user,
    make_controller,
    open_session_for_ui,
    shot,
    shutdown,
    shutdown_session,
    sign_in,
    wait_until,
)
from ui.controller import AppController
from ui.main_window import MainWindow

STAFF, STAFF_PASSWORD = "Bea Staff", "bea-own-pass-1"


@pytest.fixture
def display_name() -> Iterator[str]:
    """The display name ui/startup.py gives the application (the test application has its own)."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    previous = app.applicationDisplayName()
    app.setApplicationDisplayName(APP_NAME)
    yield APP_NAME
    app.setApplicationDisplayName(previous)


def as_shown(window: QWidget) -> str:
    """The title bar's text on Linux and Windows, which QWidget.windowTitle() does not include: Qt appends
    " — " and the application's display name unless the title already ends with it
    (QPlatformWindow::formatWindowTitle; the offscreen platform draws no title bar)."""
    title, name = window.windowTitle(), QGuiApplication.applicationDisplayName()
    return title if not name or title.endswith(name) else f"{title} — {name}"


def signed_in(qtbot, controller: AppController, name: str, password: str) -> MainWindow:
    assert controller.unlock_window is not None
    sign_in(qtbot, controller.unlock_window, name, password)
    wait_until(qtbot, lambda: controller.main_window is not None and controller.main_window.isVisible())
    main = controller.main_window
    assert main is not None and main.context.session.user.name == name
    qtbot.waitExposed(main)
    return main


def lock_with_keys(qtbot, main: MainWindow, *, switch_user: bool = False) -> None:
    """Ctrl+L, or Ctrl+Shift+L to let someone else sign in."""
    main.activateWindow()
    qtbot.waitActive(main)
    modifiers = Qt.KeyboardModifier.ControlModifier
    if switch_user:
        modifiers |= Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(main.sidebar, Qt.Key.Key_L, modifiers)


def same_place(shown: QRect, left: QRect, screen: QRect) -> bool:
    """Where the person left it; across the screen only when the window fits across it (see the module doc)."""
    if left.width() < screen.width():
        return shown == left
    return (shown.top(), shown.height()) == (left.top(), left.height())


def test_titles_name_the_app_once(qtbot, tmp_path: Path, new_vault: tuple[Path, str], display_name: str) -> None:
    controller = make_controller(tmp_path)
    unlock = controller.show_unlock(new_vault[0])
    assert as_shown(unlock) == f"Unlock the vault — {display_name}"
    main = signed_in(qtbot, controller, OWNER, OWNER_PASSWORD)
    shown = as_shown(main)
    assert shown == f"{new_vault[0].name} — {display_name}"  # "shop.vault — Counterpart"
    assert shown.count(display_name) == 1
    shutdown(controller)


def test_the_main_window_opens_where_the_unlock_screen_was(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    controller = make_controller(tmp_path)
    unlock = controller.show_unlock(new_vault[0])
    qtbot.waitExposed(unlock)
    unlock.move(40, 200)  # where the person had it (their window manager moves it)
    where = unlock.frameGeometry()
    main = signed_in(qtbot, controller, OWNER, OWNER_PASSWORD)
    assert not unlock.isVisible()
    frame, screen = main.frameGeometry(), unlock.screen().availableGeometry()
    assert main.screen() is unlock.screen()
    assert abs(frame.center().y() - where.center().y()) <= 4  # centred over it, give or take the frame
    if frame.width() < screen.width():
        assert abs(frame.center().x() - where.center().x()) <= 4
    else:
        assert frame.left() == screen.left()  # too wide to centre: from the screen's edge, all of it on screen
    assert frame.topLeft() != screen.topLeft()  # not the top-left corner where it used to jump
    shot(main, "main-opens-over-unlock")
    shutdown(controller)


def test_each_person_finds_the_main_window_as_they_left_it(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    owner = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    add_user(owner, STAFF, Role.STAFF, "temporary-1")
    TrainingService(owner).acknowledge()  # no lesson notice above the page: it would make the window taller
    shutdown_session(owner)
    staff = open_session_for_ui(new_vault[0], STAFF, "temporary-1")
    UserService(staff, kdf.CHEAP).change_own_password("temporary-1", STAFF_PASSWORD)
    shutdown_session(staff)
    staff = open_session_for_ui(new_vault[0], STAFF, STAFF_PASSWORD)
    TrainingService(staff).acknowledge()
    shutdown_session(staff)

    controller = make_controller(tmp_path)
    controller.show_unlock(new_vault[0])
    main = signed_in(qtbot, controller, OWNER, OWNER_PASSWORD)
    screen = main.screen().availableGeometry()
    fresh = main.geometry()
    main.setGeometry(QRect(30, 40, main.width() + 40, 600))  # the owner makes it shorter, lower, wider
    owners = main.geometry()
    assert owners != fresh
    lock_with_keys(qtbot, main)
    assert controller.main_window is None
    main = signed_in(qtbot, controller, OWNER, OWNER_PASSWORD)  # the lock screen kept their name selected
    assert same_place(main.geometry(), owners, screen)
    lock_with_keys(qtbot, main, switch_user=True)

    main = signed_in(qtbot, controller, STAFF, STAFF_PASSWORD)
    assert main.geometry().size() == fresh.size()  # Bea's first time: not the owner's window
    # Lower than the owner's, and all of it on the (800 px tall) test screen: a window running off the screen's
    # bottom is moved back onto it when restored, as it should be.
    main.setGeometry(QRect(60, 100, main.width(), main.minimumHeight()))
    bea = main.geometry()
    assert bea.bottom() < screen.bottom() and bea.top() != owners.top()
    lock_with_keys(qtbot, main, switch_user=True)

    main = signed_in(qtbot, controller, OWNER, OWNER_PASSWORD)
    assert same_place(main.geometry(), owners, screen)
    lock_with_keys(qtbot, main, switch_user=True)
    main = signed_in(qtbot, controller, STAFF, STAFF_PASSWORD)
    assert same_place(main.geometry(), bea, screen)
    shutdown(controller)

    settings = (tmp_path / "settings.ini").read_text(encoding="utf-8")
    assert OWNER not in settings and STAFF not in settings  # kept under a digest of vault and user
