"""Columns to a person: which column fills which field, and one CSV record read into a Draft.

No column is dropped silently: a column that fills nothing but has a value in some row is named afterwards
(`unused`), unless the person importing chose to leave it out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from app.crm.importing import consent
from app.crm.importing.countries import country_code
from app.crm.importing.layouts import ADDRESS_PARTS, AMBIGUOUS_GIVEN, FIELDS, Layout, Target, fold, target_for
from app.crm.importing.model import Column, ConsentFact, Detail, Draft
from app.crm.importing.reader import Record
from app.errors import InvalidInput
from app.locale import _

_NAME_FIELDS = {"name", "given_name", "family_name", "email", "phone"}  # what can name a person
_REMEMBERED = 10_000  # readings of repeated cells kept at once
_ADDRESS_BREAKS = re.compile(r"\s*(?:\r?\n|\r)\s*|\s{2,}")  # Google's formatted lines, Mailchimp's double spaces


def _excel_text(value: str) -> str:
    """Shopify and Excel users put an apostrophe before phone numbers and zip codes to keep them as text."""
    return value[1:] if value.startswith("'") else value


@dataclass
class _Address:
    full: str = ""
    parts: dict[str, list[str]] = field(default_factory=lambda: {part: [] for part in ADDRESS_PARTS})
    label: str = ""

    def text(self) -> str:
        if self.full:
            return _ADDRESS_BREAKS.sub(", ", self.full).strip(", ")
        return ", ".join(value for part in ADDRESS_PARTS for value in self.parts[part])


def check_fields(mapping: Mapping[str, str]) -> None:
    """Refuse a mapping to something no column can fill, listing what can be chosen."""
    for wanted in mapping.values():
        if wanted and wanted not in FIELDS:
            raise InvalidInput(
                _('"{field}" is not something a column can fill; choose one of: {fields}.').format(
                    field=wanted, fields=", ".join(FIELDS)
                )
            )


def _chosen(headers: list[str], override: Mapping[str, str]) -> dict[int, str]:
    """Column index -> field the person chose; a column is named as in the file, or differing only in case
    and spacing. A name that is no column is refused (a typo must not leave the column unmapped unnoticed)."""
    chosen: dict[int, str] = {}
    for column, wanted in override.items():
        indexes = [i for i, h in enumerate(headers) if h == column.strip()] or [
            i for i, h in enumerate(headers) if fold(h) == fold(column)
        ]
        if not indexes:
            raise InvalidInput(
                _('There is no column "{column}" in this file; its columns are: {columns}.').format(
                    column=column, columns=", ".join(h for h in headers if h)
                )
            )
        chosen.update(dict.fromkeys(indexes, wanted))  # every column of that name, as before
    return chosen


@dataclass
class ColumnMap:
    layout: Layout
    headers: list[str]
    targets: list[Target | None]
    left_out: set[int] = field(default_factory=set)  # columns the person chose to leave out
    _unused: set[int] = field(default_factory=set)  # columns that fill nothing and had a value in some row
    # Worked out once, not per row (a million rows): each filled column with its field and how reports name it,
    # the columns to watch for values that fill nothing, and the readings of cells that repeat (consent, tags).
    _plan: list[tuple[int, str, Target, str, str]] = field(default_factory=list, init=False)
    _watch: list[int] = field(default_factory=list, init=False)
    _facts: dict[tuple[int, str], ConsentFact | None] = field(default_factory=dict, init=False)
    _tag_lists: dict[str, list[str]] = field(default_factory=dict, init=False)

    def __post_init__(self) -> None:
        origin = _('column "{column}"')
        self._plan = [
            (index, target.field, target, header, origin.format(column=header))
            for index, (header, target) in enumerate(zip(self.headers, self.targets, strict=True))
            if target is not None
        ]
        self._watch = [
            index for index, target in enumerate(self.targets) if target is None and index not in self.left_out
        ]

    @classmethod
    def build(cls, layout: Layout, headers: list[str], override: Mapping[str, str] | None = None) -> ColumnMap:
        """Map each header; `override` (header -> field, "" to ignore) is the column mapping a person chose."""
        override = override or {}
        check_fields(override)
        chosen = _chosen(headers, override)
        targets: list[Target | None] = []
        for index, header in enumerate(headers):
            if index in chosen:
                targets.append(Target(chosen[index]) if chosen[index] else None)
            else:
                targets.append(target_for(layout, header))
        if not any(t is not None and t.field == "family_name" for t in targets):
            for index, header in enumerate(headers):  # "Nombre" alone is the whole name
                target = targets[index]
                if (
                    index not in chosen
                    and target is not None
                    and target.field == "given_name"
                    and fold(header) in AMBIGUOUS_GIVEN
                ):
                    targets[index] = Target("name")
        if not any(t is not None and t.field in _NAME_FIELDS for t in targets):
            raise InvalidInput(
                _(
                    "Line 1 should name the columns (such as Name, First Name, Email, Phone); none "
                    "of them is a name, an email address or a phone number."
                )
            )
        left_out = {index for index, wanted in chosen.items() if not wanted}
        return cls(layout, headers, targets, left_out)

    def unused(self) -> list[str]:
        """The columns read so far that fill nothing but had a value, in file order (a column without a heading
        by its number)."""
        return [self.headers[i] or _("column {n}").format(n=i + 1) for i in sorted(self._unused)]

    def columns(self) -> list[Column]:
        return [
            Column(header, target.field if target else "")
            for header, target in zip(self.headers, self.targets, strict=True)
        ]

    def draft(self, record: Record) -> Draft:
        cells, width = record.cells, len(self.headers)
        draft = Draft(record.line)
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            draft.problem = _("{cells} cells, but the first line names {columns} columns").format(
                cells=len(cells), columns=width
            )
            return draft
        count = len(cells)
        if self._watch:
            seen = [index for index in self._watch if index < count and cells[index].strip()]
            if seen:
                self._unused.update(seen)
                self._watch = [index for index in self._watch if index not in self._unused]
        given: list[str] = []
        middle: list[str] = []
        family: list[str] = []
        labels: dict[str, str] = {}
        groups: list[str] = []
        addresses: dict[str, _Address] = {}
        facts: list[ConsentFact] = []
        dates: dict[str, datetime] = {}
        for index, kind, target, header, origin in self._plan:
            if index >= count:
                continue
            value = cells[index].strip()
            if not value:
                continue
            if kind in ("email", "phone"):
                multi = self.layout.multi_value
                for part in value.split(multi) if multi else [value]:
                    text = _excel_text(part.strip()) if kind == "phone" else part.strip()
                    draft.details.append(
                        Detail(kind, text, target.label, origin, record.line, identifies=target.identifies)
                    )
                    groups.append(target.group)
            elif kind == "given_name":
                given.append(value)
            elif kind == "family_name":
                family.append(value)
            elif kind in ADDRESS_PARTS:
                part = _excel_text(value) if kind == "postcode" else value
                address = addresses.get(target.group)
                if address is None:
                    address = addresses[target.group] = _Address(label=target.label)
                address.parts[kind].append(part)
            elif kind == "consent" and target.rule == "dated":
                when = consent.moment(value)
                if when is not None:
                    dates[target.group] = when
            elif kind == "consent":
                found = self._fact(index, target, header, value)
                if found:
                    facts.append(found)
            elif kind == "tags":
                draft.tags += self._tags(value)
            elif kind == "middle_name":
                middle.append(value)
            elif kind == "name":
                draft.name = draft.name or value
            elif kind == "label":
                labels[target.group] = value.lstrip("* ").casefold()
            elif kind == "address":
                address = addresses.get(target.group)
                if address is None:
                    address = addresses[target.group] = _Address(label=target.label)
                address.full = value
            elif kind == "organisation":
                draft.organisation = draft.organisation or value
            elif kind == "job_title":
                draft.job_title = draft.job_title or value
            elif kind == "note":
                draft.notes.append(value)
            elif kind in ("birth_date", "total_spent", "order_count"):
                draft.extras.setdefault(kind, (value, origin))
            elif kind == "source_id":
                source_id = _excel_text(value).strip()
                if source_id:
                    draft.sources.append((target.group, source_id))
        if labels:
            for detail, group in zip(draft.details, groups, strict=True):
                detail.label = labels.get(group, detail.label)
        for group, address in addresses.items():
            text = address.text()
            label = labels.get(group, address.label)
            if text:
                draft.details.append(Detail("address", text, label, _("address"), record.line))
            code = next((c for c in map(country_code, address.parts["country"]) if c), "")
            if code:
                draft.countries.append((label, code))
        draft.given = " ".join(given + middle)
        draft.family = " ".join(family)
        draft.consents = consent.settle(facts, dates) if facts else []
        return draft

    def _fact(self, index: int, target: Target, header: str, value: str) -> ConsentFact | None:
        """What a consent cell says; a yes/no cell's reading is remembered (a few values over a million rows),
        a timestamp's is not."""
        if target.rule in ("granted_at", "withdrawn_at"):
            return consent.fact(self.layout, target, header, value)
        key = (index, value)
        if key not in self._facts:
            if len(self._facts) >= _REMEMBERED:
                self._facts.clear()
            self._facts[key] = consent.fact(self.layout, target, header, value)
        return self._facts[key]

    def _tags(self, value: str) -> list[str]:
        known = self._tag_lists.get(value)
        if known is None:
            if len(self._tag_lists) >= _REMEMBERED:
                self._tag_lists.clear()
            known = self._tag_lists[value] = self._split_tags(value)
        return list(known)

    def _split_tags(self, value: str) -> list[str]:
        tags = []
        for raw in re.split(self.layout.tag_separator, value):
            tag = raw.strip().strip('"').strip()
            tag = tag[2:] if tag.startswith("* ") else tag  # Google's system labels
            if tag and tag.casefold() not in self.layout.ignored_tags:
                tags.append(tag)
        return tags
