"""Setting up the QApplication: names (which QSettings uses), icon, and the language of Qt's own texts."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QLibraryInfo, QLocale, QSettings, QTranslator
from PySide6.QtWidgets import QApplication

from app import APP_NAME
from app.locale import set_language
from ui.gui_collector import collect_on_gui_thread
from ui.memory import tune_allocator
from ui.resources import app_icon
from ui.script_fonts import ensure_fonts


def install_qt_translations(app: QApplication, language: str) -> QTranslator | None:
    """Qt's own strings (standard buttons, file dialogs) in `language`, from the catalogs Qt ships."""
    if language.split("_")[0] == "en":
        return None
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(language), "qtbase", "_", folder):
        app.installTranslator(translator)
        return translator
    return None


def create_application(argv: Sequence[str]) -> QApplication:
    tune_allocator()  # before Qt and the workers start threads (ui/memory.py)
    app = QApplication(list(argv))
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setWindowIcon(app_icon())
    collect_on_gui_thread(app)  # Qt objects in reference cycles are freed on this thread, never a worker's
    chosen = QSettings().value("language", "")  # Settings › My account; empty: the system's language
    language = set_language(str(chosen) if chosen else None)
    QLocale.setDefault(QLocale(language))
    install_qt_translations(app, language)
    ensure_fonts(language)  # customers' names in any script, and a Chinese UI, on a computer without those fonts
    return app
