"""`counterpart --self-test FOLDER`: prove an installation works without touching the shop's own vault.

Makes a throwaway password-only vault in FOLDER, opens the main window on it (every page, so Qt plugins,
fonts, catalogs and SQLCipher are all exercised) and Help › About (every package's version must be readable),
writes a recovery kit PDF, and exits 0. Packaging tests and support use it; it never reads or writes the real
vault or the keychain.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from app.access.session import create_vault
from app.admin import recovery_kit
from app.vault import kdf


def run(folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    session, _key = create_vault(
        folder / "self-test.vault", "Self Test", "self-test-password", use_keychain=False, kdf_params=kdf.CHEAP
    )  # password only: the keychain is untouched
    from ui.main_window import PAGES, MainWindow
    from ui.session_context import SessionContext

    window = MainWindow(SessionContext(session))
    window.show()
    for key in PAGES:
        window.show_page(key)
        QApplication.processEvents()
    missing = _about_without_versions(window)
    recovery_kit.write_recovery_kit(session, folder / "self-test-kit.pdf")
    window.clear()
    window.discarded = True
    window.close()
    session.lock("logout")
    if missing:
        print("self-test failed: Help › About cannot tell the version of " + ", ".join(missing))
        return 1
    print("self-test ok")
    return 0


def _about_without_versions(window: QWidget) -> list[str]:
    """Open Help › About as a person would; every runtime package must be there with its version (the bundle
    carries their metadata for this)."""
    from app.about import RUNTIME_PACKAGES
    from ui.about_dialog import AboutDialog

    dialog = AboutDialog(window)
    dialog.show()
    QApplication.processEvents()
    shown = {c.name: c.version for c in dialog.components}
    dialog.close()
    return [name for name in RUNTIME_PACKAGES if not shown.get(name)]
