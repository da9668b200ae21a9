"""Issue 20 on screen: Privacy › Notice tasks (mark done, print letters), the notice editor that edits only the
owner's own text, and the kiosk showing the version the records compose now."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtWidgets import QFileDialog

from app.access.shop import ShopService
from app.consent.ledger import ConsentService
from app.crm.contacts import ContactInput, ContactService
from app.locale import set_language
from app.privacy import notices
from app.privacy.retention import RetentionService
from tests.ui_helpers import choose_path, press, shot, wait_until
from ui.consent.kiosk import KioskWindow
from ui.consent.notice_editor import NoticeEditorDialog
from ui.consent.settings_page import ConsentSettingsView
from ui.privacy.notice_tasks_tab import NoticeTasksTab
from ui.session_context import SessionContext


def _imported(context: SessionContext) -> list[int]:
    contacts = ContactService(context.session)
    ids = [
        contacts.create(ContactInput(given_name=g, family_name=f, language=lang))
        for g, f, lang in (("Anna", "Schmidt", "de"), ("John", "Ode", "en"))
    ]
    notices.create_tasks(context.session, ids, "kunden.csv")
    return ids


@pytest.mark.parametrize("language", ["en", "de"])
def test_the_tasks_tab_marks_done_and_prints_letters(
    qtbot,
    context: SessionContext,
    tmp_path: Path,  # type: ignore[no-untyped-def]
    language: str,
) -> None:
    set_language(language)
    anna, john = _imported(context)
    tab = NoticeTasksTab(context)  # Privacy › Notice tasks
    qtbot.addWidget(tab)
    tab.resize(1000, 520)
    tab.show()
    wait_until(qtbot, lambda: tab.model.rowCount() == 2)
    tab.table.selectRow(0)
    assert tab.done_button.isEnabled()
    tab.method.setCurrentIndex(tab.method.findData("in_person"))
    shot(tab, f"notice-tasks-{language}")
    press(qtbot, tab.done_button)
    wait_until(qtbot, lambda: tab.model.rowCount() == 1)
    assert [t.contact_id for t in notices.tasks(context.session)] == [john]
    done = next(t for t in notices.tasks(context.session, open_only=False) if t.contact_id == anna)
    assert done.method == "in_person"

    press(qtbot, tab.letters_button)
    dialog = tab.dialog
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    (tmp_path / "letters").mkdir()
    dialog.selectFile(str(tmp_path / "letters"))
    dialog.accept()
    wait_until(
        qtbot,
        lambda: (
            not context.busy
            and (tmp_path / "letters").is_dir()
            and len(list((tmp_path / "letters").glob("*.pdf"))) == 1
        ),
        20_000,
    )
    wait_until(qtbot, lambda: "1" in tab.message.text())
    (letter,) = (tmp_path / "letters").glob("*.pdf")
    words = "".join(page.extract_text() for page in PdfReader(letter).pages)
    assert "John Ode" in words and "Anna" not in words  # only the open task's person; Anna was told in person
    set_language("en")


def test_writing_many_letters_shows_progress_and_cancel_keeps_the_whole_ones(
    qtbot,
    context: SessionContext,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    """After a big import there are thousands of letters to write: the tab shows how far it is and Cancel
    stops between letters; the letters written stay, each a whole PDF, and the message says how far it got."""
    contacts = ContactService(context.session)
    ids = [contacts.create(ContactInput(given_name=f"Kunde{n}", family_name="Import")) for n in range(150)]
    notices.create_tasks(context.session, ids, "kunden.csv")
    tab = NoticeTasksTab(context)
    qtbot.addWidget(tab)
    tab.resize(1000, 520)
    tab.show()
    wait_until(qtbot, lambda: tab.model.rowCount() > 0)
    folder = tmp_path / "letters"
    folder.mkdir()
    press(qtbot, tab.letters_button)
    choose_path(tab, folder)

    wait_until(qtbot, lambda: tab.progress.bar.maximum() == 150 and tab.progress.bar.value() >= 1)
    assert tab.progress.cancel_button.isVisible()
    shot(tab, "notice-letters-progress")
    press(qtbot, tab.progress.cancel_button)
    wait_until(qtbot, lambda: not context.busy, 20_000)

    written = sorted(folder.glob("*.pdf"))
    assert 1 <= len(written) < 150
    assert tab.message.text() == f"Stopped: wrote {len(written)} of 150 letters to {folder}."
    assert all(PdfReader(path).pages for path in written)  # whole files, none cut off


def test_the_editor_changes_only_the_owners_text(qtbot, context: SessionContext) -> None:  # type: ignore[no-untyped-def]
    view = ConsentSettingsView(context)
    qtbot.addWidget(view)
    view.show()
    view.language.setCurrentIndex(view.language.findData("en"))
    press(qtbot, view.publish_button)
    editor = next(d for d in view.window().findChildren(NoticeEditorDialog) if d.isVisible())
    assert editor.body.isReadOnly() and "Who is responsible for your data" in editor.body.toPlainText()
    editor.extra.setPlainText("Ask for Maria at the counter.")
    editor.resize(760, 620)
    shot(editor, "notice-editor-en")
    press(qtbot, editor.publish_button)
    assert not editor.isVisible()
    current = ConsentService(context.session).current_notice("en")
    assert current is not None and current.body.endswith("Ask for Maria at the counter.")
    assert view.notice_hash.text() == current.sha256


def test_the_kiosk_shows_the_version_after_a_new_dpo_or_retention(qtbot, context: SessionContext) -> None:  # type: ignore[no-untyped-def]
    ShopService(context.session).update(name="Blumen Weber", country="DE", dpo="Dr. Petra Klein")
    kiosk = KioskWindow(context, None, language="en")
    qtbot.addWidget(kiosk)
    first = kiosk.notice
    assert first is not None and "Dr. Petra Klein" in kiosk.notice_body.text()
    assert f"Notice version {first.version}" == kiosk.notice_version.text()
    kiosk.close()
    ShopService(context.session).update(dpo="Jonas Brandt")
    RetentionService(context.session).set_policy("lead", 400, "delete")
    again = KioskWindow(context, None, language="en")
    qtbot.addWidget(again)
    assert again.notice is not None and again.notice.version == first.version + 1
    assert "Jonas Brandt" in again.notice_body.text() and "400 days" in again.notice_body.text()
    assert f"Notice version {first.version + 1}" == again.notice_version.text()
