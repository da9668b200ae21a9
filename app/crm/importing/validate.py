"""A draft person becomes a ContactInput that ContactService will accept, or a reason it cannot.

The checks are the service's own (contact_points), run here first so that a bad row is reported by line and
skipped instead of aborting the whole import inside create_many.
"""

from __future__ import annotations

from app.crm.contact_points import normalise_address, normalise_email, normalise_phone
from app.crm.contacts import MAX_NAME, ContactInput, ContactPointInput
from app.crm.importing.model import Detail, Draft, ParsedRow
from app.errors import InvalidInput
from app.locale import _


def _normalise(kind: str, value: str, region: str | None) -> str:
    if kind == "email":
        return normalise_email(value)
    if kind == "phone":
        return normalise_phone(value, region)
    return normalise_address(value)


def _bad(detail: Detail, region: str | None) -> str:
    if detail.kind == "email":
        return _("{origin}: not a valid email address").format(origin=detail.origin)
    if region:
        return _("{origin}: not a valid phone number").format(origin=detail.origin)
    return _("{origin}: not a valid phone number (without a country code it cannot be read: the shop's country "
             "is not set)").format(origin=detail.origin)


def _clean(text: str) -> str:
    return " ".join(text.split())


def check(draft: Draft, region: str | None) -> ParsedRow:
    """Normalise every detail and apply the rules: a name or an email is needed; bad details refuse the row
    (or, for lenient sources like vCard, are left out with a warning)."""
    if draft.problem is not None:
        return ParsedRow(draft.line, None, draft.consents, problem=draft.problem)
    warnings = list(draft.warnings)
    points: list[ContactPointInput] = []
    keys: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for detail in draft.details:
        value = detail.value.strip()
        if not value:
            continue
        try:
            normalized = _normalise(detail.kind, value, region)
        except InvalidInput:
            reason = _bad(detail, region)
            if not draft.lenient:
                return ParsedRow(draft.line, None, draft.consents, problem=reason)
            warnings.append((detail.line, _("{reason}; left out").format(reason=reason)))
            continue
        if (detail.kind, normalized) in seen:
            continue  # the same number in "Phone" and "Mobile Phone"
        seen.add((detail.kind, normalized))
        points.append(ContactPointInput(detail.kind, value, detail.label))
        if detail.kind in ("email", "phone"):
            keys.append((detail.kind, normalized))
    given, family, name = _clean(draft.given), _clean(draft.family), _clean(draft.name)
    if not (given or family or name):
        email = next((p.value for p in points if p.kind == "email"), None)
        if email is None:
            return ParsedRow(draft.line, None, draft.consents, problem=_("no name and no email address"))
        name = email
    if len(name or f"{given} {family}".strip()) > MAX_NAME:
        return ParsedRow(draft.line, None, draft.consents,
                         problem=_("the name is longer than {n} characters").format(n=MAX_NAME))
    tags = list(dict.fromkeys(tag for tag in (_clean(t) for t in draft.tags) if tag))
    note = "\n\n".join("\n".join(n.strip().splitlines()) for n in draft.notes if n.strip())
    contact = ContactInput(given_name=given, family_name=family, display_name=name, points=points,
                           organisation=_clean(draft.organisation), job_title=_clean(draft.job_title), tags=tags,
                           note=note)
    return ParsedRow(draft.line, contact, draft.consents, warnings=warnings, keys=keys)
