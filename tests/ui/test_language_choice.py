"""Settings › My account: the program's language, remembered on this computer, used from the next start."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

from tests.ui_helpers import open_session_for_ui, shutdown_session
from ui.session_context import SessionContext
from ui.settings import account


def test_language_choice_is_remembered_for_the_next_start(qtbot, new_vault, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ini = str(tmp_path / "settings.ini")
    monkeypatch.setattr(account, "QSettings", lambda: QSettings(ini, QSettings.Format.IniFormat))
    session = open_session_for_ui(new_vault[0], "Ana Owner", "owner-pass-1")
    page = account.AccountPage(SessionContext(session))
    qtbot.addWidget(page)
    assert page.language.currentData() == ""  # the system's language until someone chooses
    page.language.setCurrentIndex(page.language.findData("zh_CN"))
    assert QSettings(ini, QSettings.Format.IniFormat).value("language") == "zh_CN"
    assert "next start" in page.message.text()
    again = account.AccountPage(SessionContext(session))
    qtbot.addWidget(again)
    assert again.language.currentData() == "zh_CN"
    shutdown_session(session)
