"""How customer data is worded on screen: kinds of contact details, languages, times, audit actions."""

from __future__ import annotations

from datetime import datetime

from app.locale import N_, _
from app.locale.formatting import babel_locale, moment
from app.privacy.audit_actions import action_text as audit_action_text

KINDS = ("email", "phone", "address")


def kind_label(kind: str) -> str:
    return {"email": _("Email"), "phone": _("Phone"), "address": _("Address")}.get(kind, kind)


def label_suggestions(kind: str) -> list[str]:
    """Words offered for a detail's label; people may type their own."""
    if kind == "phone":
        return [_("mobile"), _("work"), _("home"), _("other")]
    if kind == "address":
        return [_("home"), _("work"), _("billing"), _("delivery")]
    return [_("work"), _("home"), _("other")]


_LABEL_WORDS = {  # labels imports and demo data store in English (vCard TYPE=CELL is "mobile")
    "mobile": N_("mobile"),
    "work": N_("work"),
    "home": N_("home"),
    "other": N_("other"),
    "billing": N_("billing"),
    "delivery": N_("delivery"),
    "fax": N_("fax"),
    "pager": N_("pager"),
    "main": N_("main"),
}


def point_label_text(label: str) -> str:
    """A detail's label in the reader's language where it is one of the words imports store ("work" reads
    "geschäftlich" in German); a label someone typed stays as typed."""
    words = _LABEL_WORDS.get(label.strip().lower())
    return _(words) if words else label


def language_name(code: str | None) -> str:
    """A language code in words, in the reader's language ("de" → "German")."""
    if not code:
        return _("Not set")
    try:
        return str(babel_locale(code).get_display_name(babel_locale()) or code)
    except (ValueError, TypeError):
        return code


def local_moment(stored: str | None) -> str:
    """A stored UTC time in this computer's time zone and the reader's format."""
    if not stored:
        return ""
    try:
        return moment(datetime.fromisoformat(stored).astimezone())
    except ValueError:
        return stored


def action_text(action: str) -> str:
    """An audit action in a person's history, in words (the audit log's own words where this list has none)."""
    words = {
        "contact.create": _("Added"),
        "contact.update": _("Changed"),
        "contact.read": _("Opened"),
        "contact.delete": _("Moved to the bin"),
        "contact.restore": _("Restored from the bin"),
        "contact.merge": _("Merged with another record"),
        "contact.export": _("Exported"),
        "note.create": _("Note added"),
        "consent.grant": _("Consent given"),
        "consent.withdraw": _("Consent withdrawn"),
        "consent.evidence": _("Consent evidence added"),
        "consent.evidence_read": _("Consent evidence opened"),
        "consent.form_printed": _("Consent form printed"),
        "privacy_flag.set": _("Privacy choice set"),
        "privacy_flag.clear": _("Privacy choice cleared"),
        "legal_hold.add": _("Legal hold placed"),
    }
    return words.get(action) or audit_action_text(action)
