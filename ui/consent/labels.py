"""Words for consent data shown to staff: methods, actions, states, languages. One place, so every view agrees."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QFont, QFontDatabase, QIcon
from PySide6.QtWidgets import QComboBox, QStyle, QWidget

from app.consent.ledger import ConsentState, Purpose
from app.locale import _, current_language
from app.locale.i18n import SUPPORTED_LANGUAGES, supported

# Fonts drawn for Chinese, best first. Without one first in line, Qt draws CJK punctuation (，。) with the Latin
# font's glyphs, which sit wrongly; the first installed one wins, else any font the system has for Chinese.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
)
WRITING_SYSTEMS = {"zh_CN": QFontDatabase.WritingSystem.SimplifiedChinese}

# Each language named in itself (an endonym), so a customer finds their own whatever the screen's language is.
LANGUAGE_NAMES = {"en": "English", "de": "Deutsch", "fr": "Français", "es": "Español", "zh_CN": "简体中文"}


def add_language_items(combo: QComboBox) -> None:
    """The shipped languages, each named in itself, with its code as the item's data (forms, exports, customers)."""
    for code in SUPPORTED_LANGUAGES:
        combo.addItem(LANGUAGE_NAMES.get(code, code), code)


def supported_language(language: str | None) -> str:
    """The shipped language closest to `language` (de_AT -> de, zh -> zh_CN), else the screen's, else English."""
    return supported(language) or supported(current_language()) or "en"


def purpose_name(purpose: Purpose, translate: Callable[[str], str] = _) -> str:
    """A default purpose's name is an English message id: shown translated (the owner's own wording stays)."""
    return translate(purpose.name)


def method_label(method: str) -> str:
    return {
        "form": _("Form at the counter"),
        "paper": _("Signed paper form"),
        "verbal": _("Told us in person"),
        "import": _("Imported"),
        "request": _("Privacy request"),
    }.get(method, method)


def action_label(action: str) -> str:
    return {"grant": _("Granted"), "withdraw": _("Withdrawn")}.get(action, action)


def state_label(state: ConsentState) -> str:
    """Granted or not, in words; a purpose resting on another lawful basis needs no consent at all."""
    if not state.granted:
        return _("Not granted")
    return _("Granted") if state.purpose.lawful_basis == "consent" else _("Allowed (no consent needed)")


def state_icon(widget: QWidget, granted: bool) -> QIcon:
    """A tick or a no-entry sign beside the words (never colour alone)."""
    pixmap = QStyle.StandardPixmap.SP_DialogApplyButton if granted else QStyle.StandardPixmap.SP_DialogCancelButton
    return widget.style().standardIcon(pixmap)


def font_for_language(base: QFont, language: str) -> QFont:
    """`base` with a font for `language`'s script put first, where the script needs one (Chinese)."""
    font = QFont(base)
    system = WRITING_SYSTEMS.get(language)
    if system is None:
        return font
    installed = QFontDatabase.families(system)
    family = next((f for f in CJK_FAMILIES if f in installed), installed[0] if installed else None)
    if family is not None:
        font.setFamilies([family, *[f for f in base.families() if f != family]])
    return font
