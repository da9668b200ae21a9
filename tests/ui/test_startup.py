"""Application start: Qt's own translations, the icon, and which screen comes first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from app.access.session import create_vault
from app.vault import kdf
from tests.conftest import OWNER, OWNER_PASSWORD
from tests.ui_helpers import make_controller, shutdown
from ui.controller import free_vault_path
from ui.resources import app_icon
from ui.startup import install_qt_translations


def test_qt_texts_follow_the_language(qapp) -> None:
    translator = install_qt_translations(qapp, "de")
    try:
        assert translator is not None
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Abbrechen"
    finally:
        qapp.removeTranslator(translator)
    assert install_qt_translations(qapp, "en") is None  # English is Qt's own language


def test_the_icon_is_drawn(qapp) -> None:
    assert not app_icon().pixmap(64, 64).isNull()


def test_the_default_vault_opens_the_unlock_screen(qtbot, tmp_path: Path, new_vault: tuple[Path, str]) -> None:
    controller = make_controller(tmp_path, default_path=new_vault[0])
    controller.start()
    assert controller.wizard is None and controller.unlock_window.isVisible()
    shutdown(controller)


def test_a_missing_remembered_vault_falls_back_to_the_wizard(qtbot, tmp_path: Path) -> None:
    controller = make_controller(tmp_path)
    controller.settings.setValue("vault/last_path", str(tmp_path / "gone.vault"))
    controller.start()
    assert controller.wizard is not None and controller.wizard.isVisible()
    shutdown(controller)


def test_a_new_vault_never_suggests_a_taken_name(new_vault: tuple[Path, str]) -> None:
    taken = new_vault[0]
    assert free_vault_path(taken) == taken.with_name("shop-2.vault")
    assert free_vault_path(taken.with_name("other.vault")) == taken.with_name("other.vault")


# Loaded when first needed (unlocking, the main window, the first-run wizard), never to show the unlock screen:
# `import ui.main` used to load every page, reportlab and the services first (issue #15; bench/bench_startup.py).
NOT_ON_THE_UNLOCK_PATH = (
    "reportlab",
    "app.documents",
    "ui.main_window",
    "ui.privacy",
    "ui.consent",
    "ui.customers",
    "ui.sales",
    "ui.settings",
    "ui.dashboard",
    "ui.operations",
    "ui.wizard",
    "ui.recovery",
    "ui.operation",
    "app.access.session",
    "app.admin.security",
    "app.vault.vault",
    "app.privacy.retention",
    "app.locale.formatting",
    "babel",
    "sqlcipher3",
    "cryptography",
    "keyring",
    "filelock",
    "argon2",
)
STARTED = """
import sys
from ui.main import main
code = main()
heavy = sorted(name for name in sys.modules if name.startswith(tuple(sys.argv[1:])))
print("exit", code, "heavy", " ".join(heavy) or "-")
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the default vault place follows XDG_DATA_HOME")
def test_the_unlock_screen_comes_up_without_the_rest_of_the_app(tmp_path: Path) -> None:
    """The real entry point, in a fresh process, up to the painted unlock screen (COUNTERPART_EXIT_WHEN_SHOWN)."""
    data = tmp_path / "data"
    session, _key = create_vault(
        data / "Counterpart" / "counterpart.vault", OWNER, OWNER_PASSWORD, use_keychain=False, kdf_params=kdf.CHEAP
    )
    session.vault.close()
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        COUNTERPART_EXIT_WHEN_SHOWN="1",
        HOME=str(tmp_path),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(data),
    )
    done = subprocess.run(
        [sys.executable, "-c", STARTED, *NOT_ON_THE_UNLOCK_PATH],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1].parent,
    )
    assert done.returncode == 0, done.stderr
    shown, result = done.stdout.splitlines()
    assert shown.startswith("first_window_shown ") and shown.endswith(" UnlockWindow"), shown
    assert result == "exit 0 heavy -", "imported before the unlock screen showed: " + result
