"""`counterpart --self-test FOLDER`: prove an installation works without touching the shop's own vault.

Makes a throwaway password-only vault in FOLDER, opens the main window on it (every page, so Qt plugins,
fonts, catalogs and SQLCipher are all exercised), writes a recovery kit PDF, and exits 0. Packaging tests
and support use it; it never reads or writes the real vault or the keychain.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from app.access import security
from app.access.session import create_vault
from app.vault import kdf


def run(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    session, _key = create_vault(folder / "self-test.vault", "Self Test", "self-test-password",
                                 use_keychain=False, kdf_params=kdf.CHEAP)  # password only: the keychain is untouched
    from ui.main_window import PAGES, MainWindow
    from ui.session_context import SessionContext

    window = MainWindow(SessionContext(session))
    window.show()
    for key in PAGES:
        window.show_page(key)
        QApplication.processEvents()
    security.write_recovery_kit(session, folder / "self-test-kit.pdf")
    window.clear()
    window.discarded = True
    window.close()
    session.lock("logout")
    print("self-test ok")
    return 0
