"""Marketing choices stated in an export, read as facts (purpose, granted, source) and never invented.

Only what a cell affirmatively says counts: Shopify's "Accepts Email Marketing = no" is a refusal, HubSpot's
"Unsubscribed from all email = true" a withdrawal, but "= false" there says nothing about consent, and an empty
cell says nothing at all. When one record states both a grant and a withdrawal for a purpose (Mailchimp's
unsubscribed export keeps the old opt-in time), the withdrawal wins.
"""

from __future__ import annotations

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


def fact(layout: Layout, target: Target, header: str, value: str) -> ConsentFact | None:
    granted = _granted(target.rule, value)
    if granted is None:
        return None
    return ConsentFact(target.group, granted, f'{layout.label} "{header.strip()}" = {value.strip()}')


def settle(facts: list[ConsentFact]) -> list[ConsentFact]:
    """One fact per purpose: the first withdrawal if there is one, else the first grant."""
    chosen: dict[str, ConsentFact] = {}
    for item in facts:
        current = chosen.get(item.purpose)
        if current is None or (current.granted and not item.granted):
            chosen[item.purpose] = item
    return list(chosen.values())
