"""Words for the codes the privacy services store (jurisdictions, channels, actions), in one place."""

from __future__ import annotations

from app.locale import _
from app.privacy.requests import TYPE_LABELS

JURISDICTION_CODES = ("gdpr", "uk_gdpr", "ccpa", "pipl")
CHANNEL_CODES = ("in person", "email", "phone", "post", "web form")


def jurisdiction_label(code: str) -> str:
    return {
        "gdpr": _("GDPR (EU)"),
        "uk_gdpr": _("UK GDPR"),
        "ccpa": _("CCPA (California)"),
        "pipl": _("PIPL (China)"),
    }.get(code, code)


def channel_label(code: str) -> str:
    return {
        "in person": _("In person"),
        "email": _("Email"),
        "phone": _("Phone"),
        "post": _("Post"),
        "web form": _("Web form"),
    }.get(code, code)


def request_type_label(code: str) -> str:
    return _(TYPE_LABELS[code]) if code in TYPE_LABELS else code


def action_label(action: str) -> str:
    return {"delete": _("Delete"), "anonymise": _("Anonymise")}.get(action, action)


def person_label(contact_id: int | None, requester: str, name: str | None = None) -> str:
    """Who asked: the linked customer's name (read from their record, for those who may see customers; the
    register itself keeps no copy, so an erasure leaves nothing behind here) and number, and/or the requester's
    own words."""
    if contact_id is not None and name:
        if requester and requester != name:
            return _("{requester} ({name}, customer no. {id})").format(requester=requester, name=name, id=contact_id)
        return _("{name} (customer no. {id})").format(name=name, id=contact_id)
    if contact_id is not None and requester:
        return _("{requester} (customer no. {id})").format(requester=requester, id=contact_id)
    if contact_id is not None:
        return _("Customer no. {id}").format(id=contact_id)
    return requester
