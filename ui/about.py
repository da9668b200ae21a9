"""Help › About: name, version, and the open-source licences the app is built on."""

from __future__ import annotations

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from app import APP_NAME, __version__
from app.locale import _
from ui.resources import app_icon


def about_text() -> str:
    return _("{app} {version}\n\nA customer database that keeps its data encrypted on this computer.").format(
        app=APP_NAME, version=__version__)


def licences_text() -> str:
    return _("Built with open-source software: Qt {qt} and PySide6 {pyside} (LGPL-3.0), SQLCipher (BSD-style) "
             "through sqlcipher3 (zlib licence), cryptography (Apache-2.0 or BSD-3-Clause), argon2-cffi, keyring, "
             "platformdirs and filelock (MIT), ReportLab, segno and Babel (BSD), and the Noto fonts (SIL Open "
             "Font Licence) and Droid Sans Fallback (Apache-2.0). Each licence text ships with its package."
             ).format(qt=qVersion(), pyside=pyside_version)


def show_about(parent: QWidget) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.NoIcon, _("About {app}").format(app=APP_NAME), about_text(),
                      QMessageBox.StandardButton.Ok, parent)
    box.setIconPixmap(app_icon().pixmap(64, 64))
    box.setInformativeText(licences_text())
    box.open()
    return box
