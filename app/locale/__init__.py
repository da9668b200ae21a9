"""Language choice, the one translation function and babel formatting."""

from app.locale.i18n import N_, _, current_language, ngettext, set_language

__all__ = ["_", "N_", "ngettext", "set_language", "current_language"]
