"""Columns to a person: which column fills which field, and one CSV record read into a Draft."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.crm.importing import consent
from app.crm.importing.layouts import ADDRESS_PARTS, FIELDS, Layout, Target, target_for
from app.crm.importing.model import Column, ConsentFact, Detail, Draft
from app.crm.importing.reader import Record
from app.errors import InvalidInput
from app.locale import _

_NAME_FIELDS = {"name", "given_name", "family_name", "email"}
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


@dataclass
class ColumnMap:
    layout: Layout
    headers: list[str]
    targets: list[Target | None]

    @classmethod
    def build(cls, layout: Layout, headers: list[str], override: Mapping[str, str] | None = None) -> ColumnMap:
        """Map each header; `override` (header -> field, "" to ignore) is the column mapping a person chose."""
        override = override or {}
        for wanted in override.values():
            if wanted and wanted not in FIELDS:
                raise InvalidInput(_('"{field}" is not something a column can fill; choose one of: {fields}.')
                                   .format(field=wanted, fields=", ".join(FIELDS)))
        targets: list[Target | None] = []
        for header in headers:
            if header in override:
                targets.append(Target(override[header]) if override[header] else None)
            else:
                targets.append(target_for(layout, header))
        if not any(t is not None and t.field in _NAME_FIELDS for t in targets):
            raise InvalidInput(_("Line 1 should name the columns (such as Name, First Name, Email); none of them "
                                 "is a name or an email address."))
        return cls(layout, headers, targets)

    def columns(self) -> list[Column]:
        return [Column(header, target.field if target else "") for header, target in zip(self.headers, self.targets,
                                                                                        strict=True)]

    def draft(self, record: Record) -> Draft:
        cells, width = record.cells, len(self.headers)
        draft = Draft(record.line)
        if len(cells) > width and any(cell.strip() for cell in cells[width:]):
            draft.problem = _("{cells} cells, but the first line names {columns} columns").format(
                cells=len(cells), columns=width)
            return draft
        given: list[str] = []
        middle: list[str] = []
        family: list[str] = []
        labels: dict[str, str] = {}
        groups: list[str] = []
        addresses: dict[str, _Address] = {}
        facts: list[ConsentFact] = []
        for index, target in enumerate(self.targets):
            value = cells[index].strip() if target is not None and index < len(cells) else ""
            if target is None or not value:
                continue
            header, kind = self.headers[index], target.field
            if kind == "given_name":
                given.append(value)
            elif kind == "middle_name":
                middle.append(value)
            elif kind == "family_name":
                family.append(value)
            elif kind == "name":
                draft.name = draft.name or value
            elif kind in ("email", "phone"):
                origin = _('column "{column}"').format(column=header)
                multi = self.layout.multi_value
                for part in value.split(multi) if multi else [value]:
                    text = _excel_text(part.strip()) if kind == "phone" else part.strip()
                    draft.details.append(Detail(kind, text, target.label, origin, record.line))
                    groups.append(target.group)
            elif kind == "label":
                labels[target.group] = value.lstrip("* ").casefold()
            elif kind == "address":
                addresses.setdefault(target.group, _Address(label=target.label)).full = value
            elif kind in ADDRESS_PARTS:
                part = _excel_text(value) if kind == "postcode" else value
                addresses.setdefault(target.group, _Address(label=target.label)).parts[kind].append(part)
            elif kind == "organisation":
                draft.organisation = draft.organisation or value
            elif kind == "job_title":
                draft.job_title = draft.job_title or value
            elif kind == "note":
                draft.notes.append(value)
            elif kind == "tags":
                draft.tags += self._tags(value)
            elif kind == "consent":
                found = consent.fact(self.layout, target, header, value)
                if found:
                    facts.append(found)
        for detail, group in zip(draft.details, groups, strict=True):
            detail.label = labels.get(group, detail.label)
        for group, address in addresses.items():
            text = address.text()
            if text:
                label = labels.get(group, address.label)
                draft.details.append(Detail("address", text, label, _("address"), record.line))
        draft.given = " ".join(given + middle)
        draft.family = " ".join(family)
        draft.consents = consent.settle(facts)
        return draft

    def _tags(self, value: str) -> list[str]:
        tags = []
        for raw in re.split(self.layout.tag_separator, value):
            tag = raw.strip().strip('"').strip()
            tag = tag[2:] if tag.startswith("* ") else tag  # Google's system labels
            if tag and tag.casefold() not in self.layout.ignored_tags:
                tags.append(tag)
        return tags
