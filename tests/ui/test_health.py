"""Privacy › Health: each open duty is a line whose button opens the place it is fixed; the yearly review and
the impact assessment are done from here; looked at in English and German."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLabel, QPushButton, QWidget

from app.access.roles import Role
from app.privacy.review import ReviewService
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import (
    add_user,
    catalog_as_written,
    open_session_for_ui,
    press,
    shot,
    shutdown,
    shutdown_session,
    signed_in,
    type_into,
    wait_until,
)
from ui.controller import AppController
from ui.privacy.dpia_dialog import DpiaDialog
from ui.privacy.review_dialog import ReviewDialog

ROOT = Path(__file__).resolve().parents[2]


def _health(qtbot, controller: AppController):  # type: ignore[no-untyped-def]
    """Privacy › Health shown, its lines read (on a worker)."""
    main = controller.main_window
    assert main is not None
    main.show_privacy_tab(main.privacy.health)
    _idle(qtbot, controller)
    return main, main.privacy.health


def _idle(qtbot, controller: AppController) -> None:  # type: ignore[no-untyped-def]
    context = controller.context
    assert context is not None
    wait_until(qtbot, lambda: not context.busy)


@pytest.fixture
def german(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    catalog_as_written(tmp_path, monkeypatch, "de")
    yield


def test_each_line_opens_the_place_where_it_is_fixed(
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    new_vault: tuple[Path, str],
) -> None:
    controller = signed_in(qtbot, tmp_path, new_vault[0], OWNER, OWNER_PASSWORD)
    main, health = _health(qtbot, controller)
    assert [line.key for line in health.lines] == ["drill_due", "ropa_gaps", "dpia_missing", "training_due"]
    assert health.summary.text() == "4 things need attention:"
    assert health.fix_button("ropa_gaps").text() == "Open Shop details"
    shot(main, "health-owner-en")
    press(qtbot, health.fix_button("ropa_gaps"))
    assert main.current_page() == "settings" and main.settings.tabs.currentWidget() is main.settings.shop
    main.show_privacy_tab(health)
    press(qtbot, health.fix_button("drill_due"))
    assert main.current_page() == "settings" and main.settings.tabs.currentWidget() is main.settings.backups
    main.show_privacy_tab(health)
    press(qtbot, health.fix_button("dpia_missing"))
    assert isinstance(health.dialog, DpiaDialog) and health.dialog.isVisible()
    health.dialog.reject()
    _idle(qtbot, controller)
    shutdown(controller)


def test_the_impact_assessment_is_saved_and_printed_from_the_health_tab(
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    new_vault: tuple[Path, str],
) -> None:
    controller = signed_in(qtbot, tmp_path, new_vault[0], OWNER, OWNER_PASSWORD)
    main, health = _health(qtbot, controller)
    press(qtbot, health.dpia_button)
    dialog = health.dialog
    assert isinstance(dialog, DpiaDialog)
    assert "Email marketing" in dialog.prefilled.toPlainText() and dialog.version.text() == "No version saved yet."
    assert not dialog.pdf_button.isEnabled()  # nothing saved to print yet
    press(qtbot, dialog.ok_button)
    assert "risks and the measures" in dialog.message.text()
    type_into(qtbot, dialog.fields["risks"], "A leak of purchase histories")
    type_into(qtbot, dialog.fields["measures"], "Only the owner exports")
    shot(dialog, "dpia-dialog-en")
    press(qtbot, dialog.ok_button)
    assert dialog.message.text() == "Saved version no. 1."
    assert dialog.version.text().startswith("Version no. 1, saved by Ana Owner on ")
    _idle(qtbot, controller)
    assert "dpia_missing" not in [line.key for line in health.lines]  # the tab read again
    press(qtbot, dialog.pdf_button)
    chooser = dialog.chooser
    assert isinstance(chooser, QFileDialog) and chooser.isVisible()
    out = tmp_path / "assessment.pdf"
    chooser.setDirectory(str(tmp_path))
    chooser.selectFile(str(out))
    press(qtbot, chooser.findChild(QDialogButtonBox).buttons()[0])
    wait_until(qtbot, lambda: "Saved the impact assessment" in dialog.message.text())
    text = " ".join(page.extract_text() for page in PdfReader(out).pages)
    assert "A leak of purchase histories" in text and "Only the owner exports" in text
    dialog.reject()
    _idle(qtbot, controller)
    shutdown(controller)


def test_the_yearly_review_is_recorded_from_its_checklist(
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    new_vault: tuple[Path, str],
) -> None:
    controller = signed_in(qtbot, tmp_path, new_vault[0], OWNER, OWNER_PASSWORD)
    main, health = _health(qtbot, controller)
    assert "No yearly review recorded yet." in health.duties.text()
    press(qtbot, health.review_button)
    dialog = health.dialog
    assert isinstance(dialog, ReviewDialog)
    press(qtbot, dialog.ok_button)
    assert "Tick what you checked" in dialog.message.text() and dialog.isVisible()
    for key in ("notice", "ropa", "users"):
        press(qtbot, dialog.items[key])
    type_into(qtbot, dialog.note, "Drill next week")
    shot(dialog, "review-dialog-en")
    press(qtbot, dialog.ok_button)
    assert not dialog.isVisible()
    [review] = ReviewService(controller.context.session).reviews()
    assert (review.by, review.items, review.note) == (OWNER, ["notice", "ropa", "users"], "Drill next week")
    assert "Last yearly review:" in health.duties.text() and "by Ana Owner" in health.duties.text()
    _idle(qtbot, controller)
    assert "review_due" not in [line.key for line in health.lines]
    shutdown(controller)


def test_staff_see_their_own_lesson_only_and_may_not_review(
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    new_vault: tuple[Path, str],
) -> None:
    owner = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    add_user(owner, "Bea Staff", Role.STAFF, "temporary-1")
    owner.conn.execute("UPDATE user SET must_change_password = 0 WHERE name = 'Bea Staff'")
    shutdown_session(owner)
    controller = signed_in(qtbot, tmp_path, new_vault[0], "Bea Staff", "temporary-1")
    main, health = _health(qtbot, controller)
    assert health.texts() == ["Your privacy lesson is due: read it and confirm."]
    assert not health.review_button.isEnabled() and not health.dpia_button.isEnabled()
    assert not health.training_table.isVisible()
    press(qtbot, health.fix_button("training_due"))
    assert health.dialog is not None and health.dialog.isVisible()
    health.dialog.reject()
    _idle(qtbot, controller)
    shutdown(controller)


def test_the_health_tab_in_german(qtbot, tmp_path: Path, new_vault: tuple[Path, str], german) -> None:  # type: ignore[no-untyped-def]
    controller = signed_in(qtbot, tmp_path, new_vault[0], OWNER, OWNER_PASSWORD)
    main, health = _health(qtbot, controller)
    assert main.privacy.tabs.tabText(main.privacy.tabs.indexOf(health)) == "Datenschutz-&Übersicht"
    assert len(health.lines) == 4
    shot(main, "health-owner-de")
    shutdown(controller)


def test_a_review_due_is_said_at_unlock_and_show_me_opens_the_checklist(
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    new_vault: tuple[Path, str],
) -> None:
    owner = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    owner.conn.execute("UPDATE vault_meta SET value = '2024-01-15T09:00:00+00:00' WHERE key = 'created_at'")
    shutdown_session(owner)
    controller = signed_in(qtbot, tmp_path, new_vault[0], OWNER, OWNER_PASSWORD)
    main = controller.main_window
    due = "The yearly privacy review is due: go through the checklist in Privacy › Privacy health."
    assert due in main.notices.notes()
    row = next(
        r for r in main.notices.findChildren(QWidget, "noticeRow") if r.findChild(QLabel, "notice").text() == due
    )
    press(qtbot, row.findChild(QPushButton))
    health = main.privacy.health
    assert main.privacy.tabs.currentWidget() is health
    assert isinstance(health.dialog, ReviewDialog) and health.dialog.isVisible()
    _idle(qtbot, controller)
    assert "The yearly privacy review was due on Jan 15, 2025." in health.texts()
    health.dialog.reject()
    shutdown(controller)


def test_a_line_about_a_privacy_tab_opens_that_tab(
    qtbot,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    new_vault: tuple[Path, str],
) -> None:
    from app.crm.contacts import ContactInput, ContactPointInput, ContactService

    owner = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    ContactService(owner).create(
        ContactInput(given_name="伟", family_name="王", points=[ContactPointInput("phone", "+86 138 0013 8000")])
    )
    shutdown_session(owner)
    controller = signed_in(qtbot, tmp_path, new_vault[0], OWNER, OWNER_PASSWORD)
    main, health = _health(qtbot, controller)
    assert health.fix_button("pipl_basis:postal_mail").text() == "Open Consent"
    press(qtbot, health.fix_button("pipl_basis:postal_mail"))
    assert main.current_page() == "privacy" and main.privacy.tabs.currentWidget() is main.privacy.consent_view
    _idle(qtbot, controller)
    shutdown(controller)
