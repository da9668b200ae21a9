"""The window's memory (issue #21): small page caches on its connections that bulk work raises and puts back,
python-fido2 left unloaded by a login without a security key, PySide's copies of module sources dropped."""

from __future__ import annotations

import linecache
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from app.access.session import Session, create_vault, open_session
from app.crm import demo
from app.crm.contacts import ContactService
from app.crm.importing import service as importing
from app.store import database
from app.store.database import BULK_CACHE_KIB, UI_CACHE_KIB
from app.vault import kdf
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui import test_customers as customers
from tests.ui.test_import_review import SHOPIFY
from tests.ui_helpers import open_import, press, shutdown, signed_in, wait_until
from ui.customers.import_dialog import ImportDialog
from ui.memory import drop_import_leftovers, tune_allocator
from ui.session_context import SessionContext
from ui.unlock import SecurityKeyWhenAsked

ROOT = Path(__file__).resolve().parents[2]


def cache_kib(conn: database.Connection) -> int:
    return -int(conn.execute("PRAGMA cache_size").fetchone()[0])


def test_the_windows_connections_keep_a_small_page_cache(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:  # type: ignore[no-untyped-def]
    session = open_session(new_vault[0], OWNER, OWNER_PASSWORD)
    ContactService(session).create_many(demo.generate(30), source="test")
    session.lock("logout")
    controller = signed_in(qtbot, tmp_path, new_vault[0], OWNER, OWNER_PASSWORD)
    try:
        window, context = controller.main_window, controller.context
        assert window is not None and context is not None
        assert cache_kib(context.session.conn) == UI_CACHE_KIB < 8000  # SQLite's own default is 8 MB
        window.show_page("customers")
        page = window.customers
        page.search.setText("a")
        page.apply_search_as_typed()
        wait_until(qtbot, lambda: not page.model.searching_in_background)
        worker = page.model._background._conn  # the search worker's own connection, opened by the first search
        assert worker is not None
        with worker.use() as conn:
            assert cache_kib(conn) == UI_CACHE_KIB
    finally:
        shutdown(controller)


def test_an_import_from_the_dialog_raises_the_cache_and_puts_the_windows_back(
    qtbot,  # type: ignore[no-untyped-def]
    owner: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[int] = []
    real = importing.bulk_cache

    @contextmanager
    def watched(conn: database.Connection, kib: int | None = None) -> Iterator[None]:
        with real(conn, kib):
            seen.append(cache_kib(conn))  # what the import runs with
            yield

    monkeypatch.setattr(importing, "bulk_cache", watched)
    _main, page = customers._window(qtbot, owner)
    assert cache_kib(owner.conn) == UI_CACHE_KIB  # the window's SessionContext bounded it
    dialog = open_import(qtbot, page, SHOPIFY)
    assert isinstance(dialog, ImportDialog)
    wait_until(qtbot, lambda: not page.context.busy and dialog.last_preview is not None)
    reports: list[object] = []
    dialog.imported.connect(reports.append)
    press(qtbot, dialog.import_button)
    wait_until(qtbot, lambda: bool(reports) and not page.context.busy)
    assert seen == [BULK_CACHE_KIB]
    assert ContactService(owner).search_ids("Zoë")  # the file's people are in
    assert cache_kib(owner.conn) == UI_CACHE_KIB  # and the window's cache is small again


def test_a_session_context_bounds_the_cache_of_the_session_it_is_given(qtbot, owner: Session) -> None:  # type: ignore[no-untyped-def]
    owner.conn.execute("PRAGMA cache_size = -8000")
    SessionContext(owner)
    assert cache_kib(owner.conn) == UI_CACHE_KIB


def test_a_login_without_a_security_key_never_loads_fido2(tmp_path: Path) -> None:
    """In a process of its own (this one has fido2 loaded by other tests): the real unlock window, pressed."""
    path = tmp_path / "shop.vault"
    session, _key = create_vault(path, OWNER, OWNER_PASSWORD, kdf_params=kdf.CHEAP, use_keychain=False)
    session.vault.close()
    script = textwrap.dedent(
        f"""
        import os, sys, time
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        os.environ["XDG_CONFIG_HOME"] = {str(tmp_path)!r}
        from pathlib import Path
        import keyring, keyring.backends.fail
        keyring.set_keyring(keyring.backends.fail.Keyring())  # no keychain: the vault was made without one
        from PySide6.QtCore import QSettings, Qt
        from PySide6.QtWidgets import QApplication
        from ui.controller import AppController
        from ui.startup import create_application
        app = create_application(["counterpart"])
        controller = AppController(QSettings({str(tmp_path / "s.ini")!r}, QSettings.Format.IniFormat),
                                   default_path=Path({str(path)!r}))
        controller.start()
        unlock = controller.unlock_window
        unlock.names.setCurrentItem(unlock.names.findItems({OWNER!r}, Qt.MatchFlag.MatchExactly)[0])
        unlock.password.setText({OWNER_PASSWORD!r})
        unlock.unlock_button.click()
        deadline = time.monotonic() + 60
        while controller.main_window is None and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)
        print("signed in", controller.main_window is not None, unlock.message.text())
        print("fido2 loaded", "fido2" in sys.modules)
        print("sources kept", len(linecache.cache) if (linecache := sys.modules.get("linecache")) else 0)
        sys.stdout.flush()
        os._exit(0)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120, check=True
    )
    lines = done.stdout.splitlines()
    assert any(line.startswith("signed in True") for line in lines), done.stdout
    assert "fido2 loaded False" in lines
    kept = int(next(line for line in lines if line.startswith("sources kept")).split()[-1])
    assert kept < 20  # PySide read ~500 module sources by then; dropped once the window was built


def test_the_unlocks_security_key_is_made_when_asked_and_a_cancel_before_that_holds(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.vault import second_factor

    cancelled: list[bool] = []

    class Recording(second_factor.Fido2SecondFactor):
        def hmac_secret(self, enrolment, salt):  # type: ignore[no-untyped-def]
            cancelled.append(self._cancelled)
            return b"x" * 32

    monkeypatch.setattr(second_factor, "Fido2SecondFactor", Recording)
    key = SecurityKeyWhenAsked(on_touch=lambda: None)
    assert not key.loaded
    key.cancel()  # the person pressed Cancel before the login asked the key
    assert key.hmac_secret(object(), b"s" * 32) == b"x" * 32  # type: ignore[arg-type]
    assert key.loaded and cancelled == [True]


def test_dropping_import_leftovers_empties_linecache() -> None:
    linecache.getlines(__file__)
    assert __file__ in linecache.cache
    drop_import_leftovers()
    assert __file__ not in linecache.cache


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_the_allocator_takes_the_tuning_on_linux() -> None:
    assert tune_allocator() is True
