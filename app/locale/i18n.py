"""The project's one gettext function, shared by app/ (CLI, PDFs) and ui/.

Catalogs live in translations/<lang>/LC_MESSAGES/counterpart.po (managed with Babel); the compiled .mo files
are build output. A missing catalog falls back to the English source strings.
"""

from __future__ import annotations

import gettext as _gettext
import os
from collections.abc import Callable
from pathlib import Path

from app.errors import InvalidInput
from app.resources import project_root

DOMAIN = "counterpart"
SUPPORTED_LANGUAGES = ("en", "de", "fr", "es", "zh_CN")


def translations_dir() -> Path:
    """The catalog folder: inside a PyInstaller bundle, else beside the source tree."""
    return project_root() / "translations"


_translation: _gettext.NullTranslations = _gettext.NullTranslations()
_language = "en"


def set_language(language: str | None) -> str:
    """Switch every later lookup to `language` (None: the system's). Returns the language in effect."""
    global _translation, _language
    candidates = [language] if language else _system_languages()
    _translation = _gettext.translation(DOMAIN, localedir=translations_dir(), languages=candidates, fallback=True)
    _language = candidates[0].replace("-", "_") if candidates else "en"
    return _language


def current_language() -> str:
    return _language


def _system_languages() -> list[str]:
    """The user's languages from the environment, as gettext reads them. The C and POSIX locales ("C",
    "C.UTF-8", "POSIX") name no language: they mean the untranslated English, never a locale called "C" (which
    babel would read as en_US_POSIX and format 953342.00 without separators)."""
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            languages = [_language_of(part) for part in value.split(":")]
            return [language for language in languages if language] or ["en"]
    return ["en"]


def _language_of(locale_name: str) -> str:
    """'de_DE.UTF-8@euro' -> 'de_DE'; the C/POSIX locales -> ''."""
    language = locale_name.split(".")[0].split("@")[0].strip()
    return "" if language in ("", "C", "POSIX") else language


def _(message: str) -> str:
    """Translate `message` into the current language."""
    return _translation.gettext(message)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark a string for translation without translating it now (stored data translated when shown)."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def translator(language: str) -> Callable[[str], str]:
    """A gettext function for one language, leaving the app's own language alone: a customer's PDF can be in
    Chinese while the staff member's screen stays in German. Bind it to `_` locally so Babel extracts the strings."""
    return _gettext.translation(DOMAIN, localedir=translations_dir(), languages=[language], fallback=True).gettext


def supported(language: str | None) -> str | None:
    """The shipped language `language` asks for ("de_AT" -> "de", "zh-CN" -> "zh_CN"), or None."""
    if not language:
        return None
    code = language.replace("-", "_").split(".")[0]
    if code in SUPPORTED_LANGUAGES:
        return code
    base = code.split("_")[0]
    return next((lang for lang in SUPPORTED_LANGUAGES if lang.split("_")[0] == base), None)


def document_language(asked: str | None, *fallbacks: str | None) -> str:
    """The language of a document for a customer: the one asked for, which must be shipped (an unknown one is
    refused with the list, never silently printed in English); else the first of `fallbacks` (the person's
    preferred language, then the shop's) that is shipped; else English."""
    if asked:
        chosen = supported(asked)
        if chosen is None:
            raise InvalidInput(
                _("Documents are available in: {languages}. {asked} is not one of them.").format(
                    languages=", ".join(SUPPORTED_LANGUAGES), asked=asked
                )
            )
        return chosen
    return next((chosen for fallback in fallbacks if (chosen := supported(fallback))), "en")
