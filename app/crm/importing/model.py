"""What an import reads and reports: one person per record, the reasons rows are left out, and the counts.

Reasons name a line and a column, never a value from the file: reports are printed, logged and shown to
staff who may not be allowed to see every customer's details.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from app.crm.contacts import ContactInput
from app.locale import _

EMAIL_MARKETING = "email_marketing"
SMS_MARKETING = "sms_marketing"
# Problems of each kind (bad rows, duplicates, details left out or kept unchecked, consent facts not recorded)
# a report lists by line; the rest are counted, so a file of ten million rows is reported in bounded memory.
KEPT = 1000


@dataclass(frozen=True)
class ConsentFact:
    """A marketing choice the source file states for a person; recorded as a consent event marked 'import'."""

    purpose: str  # email_marketing | sms_marketing
    granted: bool
    source: str  # what in the file says so, e.g. 'Shopify "Accepts Email Marketing" = yes'
    at: datetime | None = None  # when, as the file dates it (Mailchimp's OPTIN_TIME, UNSUB_TIME…); None: undated


@dataclass
class Detail:
    """One email, phone or address as read, with where it came from (a column or a vCard property)."""

    kind: str  # email | phone | address
    value: str
    label: str
    origin: str
    line: int
    identifies: bool = True  # False: not the person's own (Shopify's delivery-address phone), never matched on


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
    sources: list[tuple[str, str]] = field(default_factory=list)  # (source kind, id the source tool gave them)
    problem: str | None = None  # found while reading (e.g. more cells than columns)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    countries: list[tuple[str, str]] = field(default_factory=list)  # (label, ISO code) of each address's country
    # birth_date, total_spent, order_count: (the cell as written, how reports name its column), read in validate
    extras: dict[str, tuple[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class DuplicateRow:
    """A record naming someone already known. A customer in the vault is matched (their record is updated, see
    Match) unless the person importing keeps the line as a new customer; an earlier record of the file is skipped."""

    line: int
    kind: str  # email | phone | source (the id the source tool gave them): what matched
    existing_id: int | None = None  # a customer already in the vault…
    earlier_line: int | None = None  # …or an earlier record of the same file

    def reason(self) -> str:
        what = {
            "email": _("email address"),
            "phone": _("phone number"),
            "source": _("customer ID in the same source"),
        }.get(self.kind, self.kind)
        if self.existing_id is not None:
            return _("same {what} as customer {id}; matched, their record is updated").format(
                what=what, id=self.existing_id
            )
        return _("same {what} as line {line}; skipped").format(what=what, line=self.earlier_line)


@dataclass(frozen=True)
class FieldChange:
    """What a matched record would change in the customer's record: a field filled, a detail added, or a
    conflict (the file has a different value; the customer's is kept, and the conflict reported)."""

    field: str  # given_name | family_name | name | organisation | job_title | email | phone | address | tag | note
    # | birth_date | total_spent | order_count
    action: str  # fill | add | conflict | replace (the shop's running totals: a newer export's replace them)
    old: str  # the customer's value ("" when empty)
    new: str  # the file's value

    def label(self) -> str:
        return {
            "given_name": _("given name"),
            "family_name": _("family name"),
            "name": _("name"),
            "organisation": _("organisation"),
            "job_title": _("job title"),
            "email": _("email address"),
            "phone": _("phone number"),
            "address": _("address"),
            "tag": _("tag"),
            "note": _("note"),
            "birth_date": _("birthday"),
            "total_spent": _("total spent"),
            "order_count": _("order count"),
        }.get(self.field, self.field)


@dataclass
class Match:
    """A record that names a customer already in the vault, and what importing it changes for them."""

    line: int
    contact_id: int
    by: str  # email | phone | source
    changes: list[FieldChange] = field(default_factory=list)
    taken: list[FieldChange] = field(default_factory=list)  # conflicts the person importing resolved for the file
    # The shop's totals the file gives anew (total_spent, order_count: "fill" or "replace"): written whatever is
    # chosen (they are the shop's running figures, not the person's data), unless the match is held.
    totals: list[FieldChange] = field(default_factory=list)

    @property
    def conflicts(self) -> list[FieldChange]:
        return [change for change in self.changes if change.action == "conflict"]

    @property
    def kept(self) -> list[FieldChange]:
        """Conflicts left as the customer has them (all of them unless the file's value was chosen)."""
        return [change for change in self.conflicts if change not in self.taken]

    @property
    def updates(self) -> list[FieldChange]:
        return [change for change in self.changes if change.action != "conflict"]

    @property
    def held(self) -> bool:
        """Matched by a phone number alone while the file gives a different email: perhaps someone else using
        that number, so nothing is applied (two people's details are never mixed); reported to check by hand."""
        return self.by == "phone" and any(c.field == "email" and c.action == "conflict" for c in self.changes)


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
    sources: list[tuple[str, str]] = field(default_factory=list)  # (source kind, id), for matching
    match: Match | None = None  # a customer in the vault this record updates
    recorded: list[ConsentFact] = field(default_factory=list)  # of `consents`, those importing it records

    @property
    def status(self) -> str:
        """ok | bad | duplicate"""
        if self.problem is not None:
            return "bad"
        return "duplicate" if self.duplicate is not None else "ok"


@dataclass
class ImportReport:
    """What an import did or would do. The lists of problems hold the first KEPT of each kind; the `*_count`
    fields count them all (`left_out` is how many messages are not listed)."""

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
    consents_to_record: int = 0  # of those, the ones importing records (what the ledger does not know yet)
    consent_counts: dict[str, int] = field(default_factory=dict)  # "email_marketing granted" -> n
    contact_ids: list[int] = field(default_factory=list)
    # Customers already in the vault the file names again: the first KEPT, each with what it changes (shown
    # before anything is written); `matched_count` counts them all, `changing_count` those whose record importing
    # changes, and `updated` those whose record was changed (0 in a dry run).
    matched: list[Match] = field(default_factory=list)
    updated: int = 0
    # Marketing choices the file states that were not recorded because the consent ledger says otherwise
    # (e.g. the file says yes, but the customer withdrew later at the counter): (line, reason).
    consent_conflicts: list[tuple[int, str]] = field(default_factory=list)
    bad_count: int = 0
    duplicate_count: int = 0
    repeat_count: int = 0  # of the duplicates, repeats of an earlier record of the file (skipped)
    warning_count: int = 0
    unchecked_count: int = 0
    consent_conflict_count: int = 0
    matched_count: int = 0
    changing_count: int = 0
    offering_count: int = 0  # matched customers for whom the file has something new (changes or conflicts)
    conflict_count: int = 0  # fields kept as the customer has them, and customers held because of the phone
    replaced_count: int = 0  # conflicting fields replaced by the file's value
    birthdays: int = 0  # people imported or matched whose birthday the file gives (and is kept)
    purchases: int = 0  # people imported or matched with a total spent or an order count from the file
    totals_replaced: int = 0  # matched customers whose totals the file sets or replaces (written unless dry run)

    def add_bad(self, line: int, reason: str) -> None:
        self.bad_count += 1
        if len(self.bad_rows) < KEPT:
            self.bad_rows.append((line, reason))

    def add_duplicate(self, duplicate: DuplicateRow) -> None:
        self.duplicate_count += 1
        self.repeat_count += duplicate.existing_id is None
        if len(self.duplicates) < KEPT:
            self.duplicates.append(duplicate)

    def add_details(self, warnings: list[tuple[int, str]], unchecked: list[tuple[int, str]]) -> None:
        """Details of an imported person left out (`warnings`) or kept unchecked."""
        self.warning_count += len(warnings)
        self.unchecked_count += len(unchecked)
        self.warnings += warnings[: KEPT - len(self.warnings)]
        self.unchecked += unchecked[: KEPT - len(self.unchecked)]

    def add_match(self, match: Match) -> None:
        """A customer in the vault the file names again (`taken` already chosen): counted, listed if among the
        first KEPT."""
        self.matched_count += 1
        self.changing_count += not match.held and bool(match.updates or match.taken)
        self.offering_count += not match.held and bool(match.changes)
        self.conflict_count += 1 if match.held else len(match.kept)
        self.replaced_count += 0 if match.held else len(match.taken)
        if len(self.matched) < KEPT:
            self.matched.append(match)

    def add_consent_conflict(self, line: int, reason: str) -> None:
        self.consent_conflict_count += 1
        if len(self.consent_conflicts) < KEPT:
            self.consent_conflicts.append((line, reason))

    @property
    def left_out(self) -> int:
        """Row-level messages counted but not listed (beyond the first KEPT of their kind)."""
        return (
            self.bad_count
            - len(self.bad_rows)
            + self.duplicate_count
            - len(self.duplicates)
            + self.warning_count
            - len(self.warnings)
            + self.unchecked_count
            - len(self.unchecked)
            + self.consent_conflict_count
            - len(self.consent_conflicts)
            + self.conflict_count
            - len(self.conflicts)
            + self.replaced_count
            - len(self.replaced)
        )

    @property
    def to_update(self) -> int:
        """Of the matched customers listed, those whose record importing changes (`changing_count`: of all)."""
        return sum(1 for m in self.matched if not m.held and (m.updates or m.taken))

    @property
    def skipped(self) -> int:
        """Rows neither imported nor matched: bad rows and repeats of an earlier record of the file."""
        return self.bad_count + self.repeat_count

    @property
    def conflicts(self) -> list[tuple[int, str]]:
        """(line, reason) for each field a matched record would change but that is kept as the customer has it."""
        held = [
            (
                m.line,
                _(
                    "customer {id} has the same phone number but a different email address; nothing "
                    "is changed for them, check by hand"
                ).format(id=m.contact_id),
            )
            for m in self.matched
            if m.held
        ]
        return held + [
            (
                m.line,
                _("customer {id}: the file has a different {field}; kept as it was").format(
                    id=m.contact_id, field=c.label()
                ),
            )
            for m in self.matched
            if not m.held
            for c in m.kept
        ]

    @property
    def replaced(self) -> list[tuple[int, str]]:
        """(line, reason) for each conflicting field replaced by the file's value, as the person importing chose."""
        return [
            (
                m.line,
                _("customer {id}: their {field} is replaced by the file's").format(id=m.contact_id, field=c.label()),
            )
            for m in self.matched
            if not m.held
            for c in m.taken
        ]

    def messages(self) -> list[tuple[int, str]]:
        """Every row-level message listed (see KEPT; `left_out` counts the others), in file order."""
        rows = (
            self.bad_rows
            + [(d.line, d.reason()) for d in self.duplicates]
            + self.warnings
            + self.unchecked
            + self.conflicts
            + self.replaced
            + self.consent_conflicts
        )
        return sorted(rows, key=lambda item: item[0])

    def summary(self) -> str:
        """For the audit log: counts only."""
        return (
            f"{self.format}: {self.imported} imported, {self.skipped} skipped ({self.duplicate_count} duplicates, "
            f"{self.bad_count} bad rows), {self.warning_count} details left out, "
            f"{self.unchecked_count} details kept unchecked, {len(self.unused_columns)} columns unused, "
            f"{self.consents_found} consent facts found, {self.consents_stored} recorded, "
            f"{self.matched_count} matched, {self.updated} updated, {self.conflict_count} conflicts kept, "
            f"{self.replaced_count} replaced by the file's, "
            f"{self.consent_conflict_count} consent facts not recorded, {self.birthdays} birthdays, "
            f"{self.purchases} purchase totals, {self.totals_replaced} totals replaced"
        )


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
