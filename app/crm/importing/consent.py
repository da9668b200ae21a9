"""Marketing choices stated in an export, read as facts (purpose, granted, source) and never invented.

Only what a cell affirmatively says counts: Shopify's "Accepts Email Marketing = no" is a refusal, HubSpot's
"Unsubscribed from all email = true" a withdrawal, but "= false" there says nothing about consent, and an empty
cell says nothing at all. When one record states both a grant and a withdrawal for a purpose (Mailchimp's
unsubscribed export keeps the old opt-in time), the withdrawal wins.

A choice is dated by the file when it can be (Mailchimp's OPTIN_TIME, CONFIRM_TIME, UNSUB_TIME, CLEAN_TIME, in
UTC; a "… consent updated at" column beside Shopify's yes/no), so that expiry runs from when the person chose, not
from the import. A date that cannot be read, or lies in the future, leaves the choice undated.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from app.crm.importing.layouts import Layout, Target
from app.crm.importing.model import ConsentFact

_YES = {"yes", "y", "true", "1", "subscribed", "opted in", "opt-in", "ja", "oui", "sí", "si"}
_NO = {"no", "n", "false", "0", "unsubscribed", "opted out", "opt-out", "nein", "non"}


def _granted(rule: str, value: str) -> bool | None:
    word = value.strip().casefold()
    if not word:
        return None
    if rule == "yes_no":
        return True if word in _YES else False if word in _NO else None
    if rule == "opt_out":  # a true opt-out withdraws; a false one states nothing
        return False if word in _YES else None
    if rule == "status":
        return True if word == "subscribed" else False if word == "unsubscribed" else None
    if rule == "granted_at":
        return True
    if rule == "withdrawn_at":
        return False
    return None


def moment(value: str) -> datetime | None:
    """A timestamp as exports write it ("2023-02-11 09:21:44", ISO 8601 with or without an offset, a date);
    without an offset it is UTC (Mailchimp's are). None when unreadable or in the future."""
    text = value.strip().replace("/", "-")
    if not text:
        return None
    try:
        found = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    found = found.replace(tzinfo=UTC) if found.tzinfo is None else found.astimezone(UTC)
    return None if found > datetime.now(UTC) + timedelta(days=1) else found


def fact(layout: Layout, target: Target, header: str, value: str) -> ConsentFact | None:
    granted = _granted(target.rule, value)
    if granted is None:
        return None
    at = moment(value) if target.rule in ("granted_at", "withdrawn_at") else None
    return ConsentFact(target.group, granted, f'{layout.label} "{header.strip()}" = {value.strip()}', at)


def settle(facts: list[ConsentFact], dates: dict[str, datetime] | None = None) -> list[ConsentFact]:
    """One fact per purpose: the first withdrawal if there is one, else the first grant; an undated one takes
    the date a "… updated at" column gives its purpose (`dates`)."""
    chosen: dict[str, ConsentFact] = {}
    for item in facts:
        current = chosen.get(item.purpose)
        if current is None or (current.granted and not item.granted):
            chosen[item.purpose] = item
    dates = dates or {}
    return [
        replace(item, at=dates[item.purpose]) if item.at is None and item.purpose in dates else item
        for item in chosen.values()
    ]
