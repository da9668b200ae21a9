"""Language choice, the one translation function and babel formatting."""

from app.locale.i18n import _, current_language, ngettext, set_language

__all__ = ["_", "ngettext", "set_language", "current_language"]
