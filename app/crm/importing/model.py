"""What an import reads and reports: one person per record, the reasons rows are left out, and the counts.

Reasons name a line and a column, never a value from the file: reports are printed, logged and shown to
staff who may not be allowed to see every customer's details.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.crm.contacts import ContactInput
from app.locale import _

EMAIL_MARKETING = "email_marketing"
SMS_MARKETING = "sms_marketing"


@dataclass(frozen=True)
class ConsentFact:
    """A marketing choice the source file states for a person; recorded as a consent event marked 'import'."""

    purpose: str  # email_marketing | sms_marketing
    granted: bool
    source: str  # what in the file says so, e.g. 'Shopify "Accepts Email Marketing" = yes'


@dataclass
class Detail:
    """One email, phone or address as read, with where it came from (a column or a vCard property)."""

    kind: str  # email | phone | address
    value: str
    label: str
    origin: str
    line: int


@dataclass
class Draft:
    """A person as read from one record, before any checking."""

    line: int
    given: str = ""
    family: str = ""
    name: str = ""
    details: list[Detail] = field(default_factory=list)
    organisation: str = ""
    job_title: str = ""
    notes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    consents: list[ConsentFact] = field(default_factory=list)
    problem: str | None = None  # found while reading (e.g. more cells than columns)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    countries: list[tuple[str, str]] = field(default_factory=list)  # (label, ISO code) of each address's country


@dataclass(frozen=True)
class DuplicateRow:
    line: int
    kind: str  # email | phone: what matched
    existing_id: int | None = None  # a customer already in the vault…
    earlier_line: int | None = None  # …or an earlier record of the same file

    def reason(self) -> str:
        what = _("email address") if self.kind == "email" else _("phone number")
        if self.existing_id is not None:
            return _("same {what} as customer {id}; skipped").format(what=what, id=self.existing_id)
        return _("same {what} as line {line}; skipped").format(what=what, line=self.earlier_line)


@dataclass
class ParsedRow:
    line: int
    contact: ContactInput | None
    consents: list[ConsentFact]
    problem: str | None = None
    duplicate: DuplicateRow | None = None
    warnings: list[tuple[int, str]] = field(default_factory=list)
    unchecked: list[tuple[int, str]] = field(default_factory=list)  # details kept as typed: (line, reason)
    keys: list[tuple[str, str]] = field(default_factory=list)  # (kind, normalised value), for duplicates

    @property
    def status(self) -> str:
        """ok | bad | duplicate"""
        if self.problem is not None:
            return "bad"
        return "duplicate" if self.duplicate is not None else "ok"


@dataclass
class ImportReport:
    format: str
    encoding: str
    dry_run: bool
    imported: int = 0  # written, or that would be written in a dry run
    bad_rows: list[tuple[int, str]] = field(default_factory=list)
    duplicates: list[DuplicateRow] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)  # details left out of imported people
    # Emails and phones of imported people that did not check out: kept as typed, marked unchecked.
    unchecked: list[tuple[int, str]] = field(default_factory=list)
    unused_columns: list[str] = field(default_factory=list)  # columns with data that fill nothing, in file order
    consents_found: int = 0  # facts stated in the file for the people imported
    consents_stored: int = 0  # of those, recorded as consent events (0 in a dry run)
    consent_counts: dict[str, int] = field(default_factory=dict)  # "email_marketing granted" -> n
    contact_ids: list[int] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.bad_rows) + len(self.duplicates)

    def messages(self) -> list[tuple[int, str]]:
        """Every row-level message, in file order."""
        rows = self.bad_rows + [(d.line, d.reason()) for d in self.duplicates] + self.warnings + self.unchecked
        return sorted(rows, key=lambda item: item[0])

    def summary(self) -> str:
        """For the audit log: counts only."""
        return (f"{self.format}: {self.imported} imported, {self.skipped} skipped ({len(self.duplicates)} duplicates, "
                f"{len(self.bad_rows)} bad rows), {len(self.warnings)} details left out, "
                f"{len(self.unchecked)} details kept unchecked, {len(self.unused_columns)} columns unused, "
                f"{self.consents_found} consent facts found, {self.consents_stored} recorded")


@dataclass(frozen=True)
class Column:
    header: str
    field: str  # what it fills ("" when ignored)


@dataclass
class ImportPreview:
    format: str
    format_label: str
    encoding: str
    columns: list[Column]  # empty for vCard
    rows: list[ParsedRow]  # the first records, each with its status
    report: ImportReport  # what running it would do (a dry run over the whole file)
