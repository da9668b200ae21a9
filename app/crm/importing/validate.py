"""A draft person becomes a ContactInput that ContactService will accept, or a reason it cannot.

The checks are the service's own (contact_points), run here first so that problems are reported by line. One
bad detail never costs the person: an email or phone that does not check out is kept as typed, marked
unchecked, and reported by line and column. Only a record with nothing to identify anyone (no name, email or
phone) is skipped.

A local phone number ("9 8765 4321") is read in the row's own country: its address's country (same label
first: a work phone in the work address's country), else the country of another number on the row written
with its country code, else the shop's country.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.crm.contact_points import UNCHECKED, country_of_phone, normalise_address, normalise_email, normalise_phone
from app.crm.contacts import MAX_NAME, ContactInput, ContactPointInput
from app.crm.importing import values
from app.crm.importing.model import Detail, Draft, ParsedRow
from app.crm.sensitive_text import described, find_sensitive
from app.errors import InvalidInput
from app.locale import _

_NONE: tuple[None, None, None] = (None, None, None)


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
    return _(
        "{origin}: not a valid phone number (without a country code it cannot be read: the shop's country is not set)"
    ).format(origin=detail.origin)


def _clean(text: str) -> str:
    return " ".join(text.split())


class _RowCountry:
    """Where a row's local phone numbers are: per label from its addresses, or from its other numbers."""

    def __init__(self, draft: Draft) -> None:
        self.by_label = {label: code for label, code in reversed(draft.countries)}  # the first of each label
        self.first = draft.countries[0][1] if draft.countries else ""
        self.details = draft.details
        self._from_phones: str | None = None

    def of(self, detail: Detail) -> str:
        if detail.value.lstrip()[:1] == "+":
            return ""  # it says its country itself
        if self.first:
            return self.by_label.get(detail.label, self.first)
        if self._from_phones is None:
            self._from_phones = next(
                (code for code in (country_of_phone(d.value) for d in self.details if d.kind == "phone") if code), ""
            )
        return self._from_phones


def _identity(good: list[ContactPointInput], kept: list[ContactPointInput]) -> str:
    """What names someone the file gives no name: an email, else a phone number; checked ones first, and
    never a "number" without a digit in it ("n/a")."""
    for points in (good, kept):
        for kind in ("email", "phone"):
            for point in points:
                if point.kind == kind and (kind == "email" or any(c.isdigit() for c in point.value)):
                    return point.value
    return ""


def _extras(
    draft: Draft, country: str, warnings: list[tuple[int, str]]
) -> tuple[date | None, Decimal | None, int | None]:
    """The birthday and the shop's totals the row gives, read in the row's country; a cell that cannot be read
    is reported by line and column and left out (the person is imported all the same)."""
    born: date | None = None
    spent: Decimal | None = None
    orders: int | None = None
    for kind, (text, origin) in draft.extras.items():
        try:
            if kind == "birth_date":
                born = values.birthday(text, country)
            elif kind == "total_spent":
                spent = values.amount(text, country)
            else:
                orders = values.count(text)
        except values.Unreadable as problem:
            warnings.append((draft.line, _("{origin}: {reason}; not kept").format(origin=origin, reason=problem)))
    return born, spent, orders


def check(draft: Draft, region: str | None) -> ParsedRow:
    """Normalise every detail and apply the rules: a name, an email or a phone is needed; a detail that does
    not check out is kept as typed (unchecked) and reported."""
    if draft.problem is not None:
        return ParsedRow(draft.line, None, draft.consents, problem=draft.problem)
    warnings = list(draft.warnings)
    unchecked: list[tuple[int, str]] = []
    good: list[ContactPointInput] = []
    kept: list[ContactPointInput] = []  # unchecked: after the good ones, so a good one is each kind's first
    keys: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    countries = _RowCountry(draft)
    for detail in draft.details:
        value = detail.value.strip()
        if not value:
            continue
        country = countries.of(detail) if detail.kind == "phone" else ""
        try:
            normalized = _normalise(detail.kind, value, country or region)
        except InvalidInput:
            if ("?" + detail.kind, value) in seen or detail.kind not in ("email", "phone"):
                continue
            seen.add(("?" + detail.kind, value))
            reason = _bad(detail, country or region)
            unchecked.append((detail.line, _("{reason}; kept as typed, unchecked").format(reason=reason)))
            kept.append(
                ContactPointInput(detail.kind, value, detail.label, country, keep_unchecked=True, normalized=UNCHECKED)
            )
            continue
        key = (detail.kind, normalized)
        if detail.kind in ("email", "phone") and detail.identifies and key not in keys:
            keys.append(key)  # the person's own, even when their delivery address has the same number
        if key in seen:
            continue  # the same number in "Phone" and "Mobile Phone"
        seen.add(key)
        good.append(ContactPointInput(detail.kind, value, detail.label, country, normalized=normalized))
    points = good + kept
    given, family, name = _clean(draft.given), _clean(draft.family), _clean(draft.name)
    if not (given or family or name):
        name = _identity(good, kept)
        if not name:
            return ParsedRow(
                draft.line,
                None,
                draft.consents,
                problem=_("nothing to identify the person: no name, email address or phone number"),
            )
    if len(name or f"{given} {family}".strip()) > MAX_NAME:
        return ParsedRow(
            draft.line, None, draft.consents, problem=_("the name is longer than {n} characters").format(n=MAX_NAME)
        )
    tags = list(dict.fromkeys(tag for tag in (_clean(t) for t in draft.tags) if tag))
    note = "\n\n".join("\n".join(n.strip().splitlines()) for n in draft.notes if n.strip())
    findings = find_sensitive(note) if note else []
    if findings:  # #20: said before anything is written (the preview, --dry-run); the file's note is kept
        text = _("the note seems to contain {what}; imported as it is: check it on the Notes tab")
        warnings.append((draft.line, text.format(what=described(findings))))
    born, spent, orders = _extras(draft, countries.first or region or "", warnings) if draft.extras else _NONE
    contact = ContactInput(
        birth_date=born,
        total_spent=spent,
        order_count=orders,
        given_name=given,
        family_name=family,
        display_name=name,
        points=points,
        organisation=_clean(draft.organisation),
        job_title=_clean(draft.job_title),
        tags=tags,
        note=note,
    )
    return ParsedRow(
        draft.line,
        contact,
        draft.consents,
        warnings=warnings,
        unchecked=unchecked,
        keys=keys,
        sources=list(dict.fromkeys(draft.sources)),
    )
