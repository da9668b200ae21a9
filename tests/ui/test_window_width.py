"""The main window fits a 1024-pixel-wide screen in every language it ships in, and showing a customer does not
widen it. In German it asked for 1,176 px at the least (the Pipeline page's five buttons side by side, then the
Requests and Breaches tabs' rows of buttons and the audit log's action filter as wide as its longest action),
so on a small laptop its right edge was off the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.access.session import Session
from app.crm.contacts import ContactInput, ContactPointInput, ContactService
from tests.ui import test_customers as customers
from tests.ui_helpers import catalog_as_written, shot, wait_until

SMALL_SCREEN = 1024


@pytest.mark.parametrize("language", ["en", "de", "fr", "es", "zh_CN"])
def test_the_window_fits_a_small_screen_with_a_customer_shown(
    qtbot, owner: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:  # type: ignore[no-untyped-def]
    if language != "en":
        catalog_as_written(tmp_path, monkeypatch, language)
    person = ContactService(owner).create(
        ContactInput(
            given_name="Maximiliane",
            family_name="Müller-Lüdenscheidt von Hohenzollern",
            points=[ContactPointInput("email", "m.mueller-luedenscheidt@blumen-hohenzollern.example", "work")],
        )
    )
    main, page = customers._window(qtbot, owner)
    narrowest = main.minimumSizeHint().width()
    assert narrowest <= SMALL_SCREEN, f"{language}: the window needs {narrowest} px"
    main.resize(narrowest, 700)
    qtbot.wait(20)
    wait_until(qtbot, lambda: page.model.rowCount() == 1)
    qtbot.mouseClick(
        page.table.viewport(), Qt.MouseButton.LeftButton, pos=page.table.visualRect(page.model.index(0, 0)).center()
    )
    wait_until(qtbot, lambda: page.detail.contact_id == person)
    qtbot.wait(20)
    assert main.width() == narrowest, f"{language}: showing a customer widened the window"
    shown = [label.text() for label in page.detail.overview.findChildren(QLabel)]
    work = {"en": "work", "de": "geschäftlich", "fr": "travail", "es": "trabajo", "zh_CN": "工作"}[language]
    assert any(work in text and text.endswith(":") for text in shown), shown  # the stored "work", in words
    shot(main, f"window-narrowest-{language}")
