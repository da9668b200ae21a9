"""Fixtures every UI test shares: the owner signed in for the app (a session, or the session context pages use).
A test module that needs them seeded defines its own fixture of the same name on top."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.access.session import Session
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import open_session_for_ui, shutdown_session, wait_until
from ui import script_fonts
from ui.session_context import SessionContext


@pytest.fixture(scope="session", autouse=True)
def script_fonts_as_the_app_adds_them(qapp: object) -> None:
    """The fonts the app adds at start-up for scripts this machine lacks (ui/startup.py), so that names in any
    script are drawn in screenshots as a shop owner sees them, not as boxes."""
    for system in script_fonts.BUNDLED:
        script_fonts.ensure_script(system)


@pytest.fixture
def owner(qtbot: object, new_vault: tuple[Path, str]) -> Iterator[Session]:
    """The owner's session as the app opens it (closed at the end unless the test locked it)."""
    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    yield session
    if session.vault.is_open:
        shutdown_session(session)


@pytest.fixture
def context(qtbot: object, new_vault: tuple[Path, str]) -> Iterator[SessionContext]:
    """The owner's session context (what pages take); waits for the last operation before closing."""
    session = open_session_for_ui(new_vault[0], OWNER, OWNER_PASSWORD)
    ctx = SessionContext(session)
    yield ctx
    wait_until(qtbot, lambda: not ctx.busy)
    shutdown_session(session)
