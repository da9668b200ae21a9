"""Fonts for the scripts a customer's name or the UI language can be in, when this computer has none.

A minimal Linux desktop often has no Chinese, Arabic, Hebrew, Korean, Thai or Indic font, and Qt then draws
those letters as empty boxes: a customer named 王芳 becomes "□□", a Chinese UI unreadable. The fonts the PDFs embed
(resources/fonts) are added to Qt only for the scripts the system lacks; Qt's font fallback then uses them
wherever that script is drawn.
"""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontDatabase

from app.resources import resource_path

WritingSystem = QFontDatabase.WritingSystem
BUNDLED = {
    WritingSystem.SimplifiedChinese: "DroidSansFallbackFull.ttf",
    WritingSystem.Arabic: "NotoSansArabic-Regular.ttf",
    WritingSystem.Hebrew: "NotoSansHebrew-Regular.ttf",
    WritingSystem.Korean: "NanumGothic.ttf",
    WritingSystem.Thai: "NotoSansThaiUI-Regular.ttf",
    WritingSystem.Devanagari: "NotoSansDevanagariUI-Regular.ttf",
    WritingSystem.Bengali: "NotoSansBengaliUI-Regular.ttf",
    WritingSystem.Tamil: "NotoSansTamilUI-Regular.ttf",
}
UI_SCRIPTS = {"zh": WritingSystem.SimplifiedChinese}  # UI languages whose script Latin fonts lack
_added: set[WritingSystem] = set()


def ensure_script(system: WritingSystem) -> None:
    """Make sure Qt has a font for `system`: the computer's if it has one, else the bundled one (once)."""
    if system in _added or system not in BUNDLED:
        return
    _added.add(system)
    if not QFontDatabase.families(system):
        QFontDatabase.addApplicationFont(str(resource_path("fonts", BUNDLED[system])))


def ensure_fonts(language: str) -> None:
    """The UI language's script at once (its first screen is in it); the others just after start-up, so the
    unlock screen does not wait for megabytes of fonts it does not show."""
    first = UI_SCRIPTS.get(language.split("_")[0])
    if first is not None:
        ensure_script(first)
    QTimer.singleShot(0, _ensure_every_script)


def _ensure_every_script() -> None:
    for system in BUNDLED:
        ensure_script(system)
