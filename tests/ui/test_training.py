"""The privacy lesson in the app: offered at first sign-in by a notice, read a screen at a time, confirmed once;
the owner sees who has read it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from app.access.roles import Role
from app.privacy.training import TrainingService
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import (
    add_user,
    open_session_for_ui,
    press,
    shot,
    shutdown,
    shutdown_session,
    signed_in,
    wait_until,
)
from ui.privacy.training_dialog import TrainingDialog

LESSON_DUE = "Your privacy lesson is due: a few minutes of reading, once a year."


def _show_me(qtbot, notices, text: str) -> None:  # type: ignore[no-untyped-def]
    row = next(r for r in notices.findChildren(QWidget, "noticeRow") if r.findChild(QLabel, "notice").text() == text)
    press(qtbot, row.findChild(QPushButton))


def test_first_sign_in_offers_the_lesson_and_confirming_it_is_recorded(
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    new_vault: tuple[Path, str],
) -> None:
    controller = signed_in(qtbot, tmp_path, new_vault[0], OWNER, OWNER_PASSWORD)
    main = controller.main_window
    assert LESSON_DUE in main.notices.notes()
    _show_me(qtbot, main.notices, LESSON_DUE)
    wait_until(qtbot, lambda: not controller.context.busy)  # the tab behind reads its lines
    health = main.privacy.health
    assert main.current_page() == "privacy" and main.privacy.tabs.currentWidget() is health
    dialog = health.dialog
    assert isinstance(dialog, TrainingDialog) and dialog.isVisible()
    assert dialog.step.text() == "Screen 1 of 4" and dialog.title.text() == "What counts as personal data"
    assert not dialog.back_button.isEnabled() and not dialog.confirm_button.isVisible()
    shot(dialog, "training-lesson-1")
    for expected in ("Consent", "Requests at the counter", "Breaches"):
        press(qtbot, dialog.next_button)
        assert dialog.title.text() == expected
    assert "72 hours" in dialog.text.text() and dialog.step.text() == "Screen 4 of 4"
    assert not dialog.next_button.isVisible()
    press(qtbot, dialog.back_button)
    assert dialog.title.text() == "Requests at the counter"
    press(qtbot, dialog.next_button)
    shot(dialog, "training-lesson-4")
    press(qtbot, dialog.confirm_button)
    assert not dialog.isVisible()
    wait_until(qtbot, lambda: not controller.context.busy)
    session = controller.context.session
    assert not TrainingService(session).i_am_due()
    assert (
        session.conn.execute("SELECT count(*) FROM audit_event WHERE action = 'training.acknowledge'").fetchone()[0]
        == 1
    )
    assert "Your privacy lesson: read on" in health.duties.text()
    assert health.training_model.text(0, 0) == OWNER and health.training_model.text(0, 3) != "now"
    shutdown(controller)

    controller = signed_in(qtbot, tmp_path, new_vault[0], OWNER, OWNER_PASSWORD)
    assert LESSON_DUE not in controller.main_window.notices.notes()  # read: not asked again this year
    shutdown(controller)


def test_later_records_nothing_and_the_owner_sees_who_has_not_read_it(
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    new_vault: tuple[Path, str],
) -> None:
    owner = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    add_user(owner, "Bea Staff", Role.STAFF, "temporary-1")
    shutdown_session(owner)
    controller = signed_in(qtbot, tmp_path, new_vault[0], OWNER, OWNER_PASSWORD)
    main = controller.main_window
    health = main.privacy.health
    main.show_privacy_tab(health)
    wait_until(qtbot, lambda: not controller.context.busy)  # its lines are read on a worker
    press(qtbot, health.lesson_button)
    dialog = health.dialog
    assert isinstance(dialog, TrainingDialog)
    press(qtbot, dialog.close_button)  # "Later"
    assert not dialog.isVisible() and TrainingService(controller.context.session).i_am_due()
    model = health.training_model
    rows = {model.text(r, 0): [model.text(r, c) for c in range(4)] for r in range(model.rowCount())}
    assert rows == {OWNER: [OWNER, "Owner", "never", "now"], "Bea Staff": ["Bea Staff", "Staff", "never", "now"]}
    assert "2 users have not read this year's privacy lesson: Ana Owner, Bea Staff." in health.texts()
    press(qtbot, health.fix_button("training_due"))  # "Show who": the table of every user
    assert health.training_table.hasFocus() or health.training_table.currentIndex().row() == 0
    wait_until(qtbot, lambda: not controller.context.busy)
    shutdown(controller)
