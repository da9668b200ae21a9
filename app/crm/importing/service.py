"""Import customers from a CSV export or a vCard file: preview first, then one all-or-nothing transaction.

The file streams through once per call: decoded (encoding), split into records (reader), mapped to people
(layouts, mapping), checked (validate) and compared with the vault (duplicates). Rows naming nobody and
repeats of an earlier record are skipped and reported by line, details that do not check out are kept unchecked
and reported, and columns that fill nothing are named; a malformed file stops everything with InvalidInput
before anything is kept, because the rows go to ContactService.create_many as a generator inside its single
transaction.

A record naming a customer already in the vault (same source id, email or own phone) is matched: it fills what
their record leaves empty and adds new details, and a different value they have is reported as a conflict and
kept (merge). What the file says about their consent is weighed against their consent history
(consent.ledger.imported_verdict): a newer unsubscribe is recorded as a withdrawal, dated as the file dates it.
Source ids (Shopify's Customer ID, Mailchimp's EUID) are kept, so the next export matches exactly.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from app.access.roles import Permission
from app.access.session import Session
from app.access.shop import read_profile
from app.consent.jurisdiction import age_on, consent_age_for, is_pipl_phone, shop_country
from app.consent.ledger import ConsentService, imported_verdict
from app.crm import contact_points
from app.crm import vcard as vcards
from app.crm.contacts import ContactInput, ContactService
from app.crm.importing import merge
from app.crm.importing.duplicates import DuplicateFinder, keep_sources
from app.crm.importing.encoding import Encoding, detect, open_text
from app.crm.importing.layouts import BY_KEY, PRODUCTS
from app.crm.importing.layouts import detect as detect_layout
from app.crm.importing.mapping import ColumnMap
from app.crm.importing.model import (
    Column,
    ConsentFact,
    Draft,
    FieldChange,
    ImportPreview,
    ImportReport,
    Match,
    ParsedRow,
)
from app.crm.importing.reader import NumberedLines, check_cells, csv_records
from app.crm.importing.validate import check
from app.errors import InvalidInput
from app.locale import _
from app.store.database import bulk_cache

FORMATS = ("auto", *(layout.key for layout in PRODUCTS), "generic", "vcard")
_VCARD_SUFFIXES = {".vcf", ".vcard"}


@dataclass
class _Source:
    format: str
    label: str
    encoding: str
    columns: list[Column]
    drafts: Iterator[Draft]
    unused: Callable[[], list[str]] = list  # columns with data that filled nothing (known once drafts are read)


def _is_vcard(path: Path, encoding: Encoding) -> bool:
    if path.suffix.lower() in _VCARD_SUFFIXES:
        return True
    with open_text(path, encoding) as stream:
        for _number in range(100):
            line = stream.readline(200)
            if not line:
                return False
            if line.strip():
                return line.strip().upper().startswith("BEGIN:VCARD")
    return False


@contextmanager
def _open(path: Path, fmt: str, mapping: Mapping[str, str] | None, encoding: str | None) -> Iterator[_Source]:
    if fmt not in FORMATS:
        raise InvalidInput(
            _("{format} is not a format Counterpart imports; choose one of: {formats}.").format(
                format=fmt, formats=", ".join(FORMATS)
            )
        )
    found = detect(path, encoding)
    vcard = fmt == "vcard" or (fmt == "auto" and _is_vcard(path, found))
    with open_text(path, found) as stream:
        if vcard:
            if mapping:
                raise InvalidInput(_("A vCard file has no columns to map."))
            lines = NumberedLines(stream, max_line=vcards.MAX_LINE)
            yield _Source("vcard", "vCard", found.label(), [], vcards.read_drafts(lines))
            return
        records = csv_records(NumberedLines(stream))
        header = next(records, None)
        if header is None:
            raise InvalidInput(_("The file is empty."))
        headers = [cell.strip() for cell in header.cells]
        check_cells(header, [])
        layout = detect_layout(headers) if fmt == "auto" else BY_KEY[fmt]
        columns = ColumnMap.build(layout, headers, mapping)

        def drafts() -> Iterator[Draft]:
            for record in records:
                check_cells(record, headers)
                yield columns.draft(record)

        yield _Source(layout.key, layout.label, found.label(), columns.columns(), drafts(), columns.unused)


class ImportService:
    """Customers from other tools' exports. Needs EDIT_CUSTOMERS; the import is audited with counts only."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def preview(
        self,
        path: Path,
        fmt: str = "auto",
        limit: int = 20,
        *,
        mapping: Mapping[str, str] | None = None,
        encoding: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> ImportPreview:
        """What the file holds and what importing it would do, without writing anything.

        `rows` are the first `limit` records with their status (ok, bad, duplicate: the UI offers choices for
        duplicates and passes the lines to keep to `run`); `report` covers the whole file. `progress(n)` is
        called every 1,000 records read (a caller may raise there to stop).
        """
        self.session.require(Permission.EDIT_CUSTOMERS)
        with _open(Path(path), fmt, mapping, encoding) as source:
            report = ImportReport(source.format, source.encoding, dry_run=True)
            rows: list[ParsedRow] = []
            for count, (row, _write) in enumerate(self._analyse(source, report, ()), start=1):
                if len(rows) < limit:
                    rows.append(row)
                if progress and count % 1000 == 0:
                    progress(count)
        return ImportPreview(source.format, source.label, source.encoding, source.columns, rows, report)

    def run(
        self,
        path: Path,
        fmt: str = "auto",
        dry_run: bool = False,
        progress: Callable[[int], None] | None = None,
        *,
        mapping: Mapping[str, str] | None = None,
        encoding: str | None = None,
        keep_duplicates: bool | Collection[int] = (),
        overwrite: bool | Collection[tuple[int, FieldChange]] = False,
    ) -> ImportReport:
        """Import every good record in one transaction (nothing at all if the file turns out malformed).

        A record naming a customer in the vault updates them (`ImportReport.matched`: fills, additions, conflicts
        kept), and a repeat of an earlier record is skipped, unless its line is in `keep_duplicates` (True: every
        one, also those past the first ones the report lists): then it is imported as a new customer. A
        conflicting field (the customer has a different value) is kept as they have it, unless `overwrite` is
        True (the file's value, for every conflict) or names it as (line, change) from the preview. Consent facts
        the file states are stored as consent events (method 'import', the file, line and column as their source,
        dated as the file dates them) where the ledger does not know better (`consent.ledger.imported_verdict`).
        """
        self.session.require(Permission.EDIT_CUSTOMERS)
        with _open(Path(path), fmt, mapping, encoding) as source, contact_points.remembered():
            report = ImportReport(source.format, source.encoding, dry_run=dry_run)

            # per person not yet written, in order: (line, consents to record, source ids)
            pending: deque[tuple[int, list[ConsentFact], list[tuple[str, str]]]] = deque()
            file_name = Path(path).name
            origin, currency = f"import:{source.format}", read_profile(self.session.conn).currency or None
            consents = ConsentService(self.session)
            contacts = ContactService(self.session)

            def facts_of(
                contact_id: int, line: int, facts: list[ConsentFact]
            ) -> list[tuple[int, str, bool, str, datetime | None]]:
                return [
                    (contact_id, fact.purpose, fact.granted, f"{file_name}: line {line}, {fact.source}", fact.at)
                    for fact in facts
                ]

            def people() -> Iterator[ContactInput]:
                for row, action in self._analyse(source, report, keep_duplicates, overwrite):
                    if row.contact is None:
                        continue
                    if action == "new":
                        pending.append((row.line, row.recorded, row.sources))
                        yield row.contact
                    elif action == "update" and row.match is not None:
                        contact_id = row.match.contact_id
                        if row.match.held:
                            continue  # perhaps someone else: nothing of theirs changes, not even consent
                        if merge.apply(contacts, contact_id, row.contact, row.match.changes, row.match.taken):
                            report.updated += 1
                        merge.replace_totals(contacts, contact_id, row.match.totals, origin, currency)
                        keep_sources(self.session.conn, [(contact_id, row.sources)])
                        if row.recorded:  # record_imported reads the purposes even for nothing
                            report.consents_stored += consents.record_imported(
                                list(facts_of(contact_id, row.line, row.recorded)), audit=False
                            )  # typed for the call

            def written(ids: list[int]) -> None:
                """A batch of people is in: store what the file said about their consent, and their source ids,
                now, so that neither the facts nor the ids of a million rows are held until the end."""
                batch = [(contact_id, pending.popleft()) for contact_id in ids]
                keep_sources(self.session.conn, [(contact_id, sources) for contact_id, (_l, _f, sources) in batch])
                report.consents_stored += consents.record_imported(
                    [fact for contact_id, (line, facts, _s) in batch for fact in facts_of(contact_id, line, facts)],
                    audit=False,
                )

            if dry_run:
                count = 0
                for _row, action in self._analyse(source, report, keep_duplicates, overwrite):
                    count += action == "new"
                    if progress and action == "new" and count % 1000 == 0:
                        progress(count)
                return report
            # The larger cache ends after the commit: pages written in an open transaction cannot be let go.
            with bulk_cache(self.session.conn), self.session.change():  # all or nothing: people, consents, record
                report.contact_ids = contacts.create_many(
                    people(), source=f"import:{source.format}", progress=progress, written=written
                )
                if report.consents_stored:
                    consents.audit_imported(report.consents_stored)
                self.session.record("contact.import", "contact", None, report.summary())
        return report

    def _analyse(
        self,
        source: _Source,
        report: ImportReport,
        keep: bool | Collection[int],
        overwrite: bool | Collection[tuple[int, FieldChange]] = False,
    ) -> Iterator[tuple[ParsedRow, str | None]]:
        """Every record with its verdict, and what to do with it ("new", "update" a matched customer, or None);
        keeps `report` up to date as it goes."""
        region = ContactService(self.session).region()
        shop, today = shop_country(self.session.conn), datetime.now(UTC).date()
        consent_service = ConsentService(self.session)
        finder = DuplicateFinder(self.session.conn)
        consents: Counter[tuple[str, bool]] = Counter()
        try:
            for draft in source.drafts:
                row = check(draft, region)
                action: str | None = None
                if row.problem is not None:
                    report.add_bad(row.line, row.problem)
                    yield row, action
                    continue
                row.duplicate = finder.find(row.line, row.keys, row.sources)
                duplicate = row.duplicate
                if duplicate is not None and keep is not True and (keep is False or row.line not in keep):
                    report.add_duplicate(duplicate)
                    if duplicate.existing_id is not None and row.contact is not None:
                        action = "update"
                        row.match = Match(
                            row.line,
                            duplicate.existing_id,
                            duplicate.kind,
                            merge.plan(self.session.conn, duplicate.existing_id, row.contact, region),
                        )
                        row.match.totals = merge.totals(self.session.conn, duplicate.existing_id, row.contact)
                        report.totals_replaced += bool(row.match.totals) and not row.match.held
                        if not row.match.held and overwrite is not False:
                            row.match.taken = [
                                c
                                for c in row.match.conflicts
                                if isinstance(overwrite, bool) or (row.line, c) in overwrite
                            ]
                        report.add_match(row.match)
                        if not row.match.held:  # what of the file's details is left out or kept unchecked
                            report.add_details(row.warnings, row.unchecked)
                        held_or_silent = row.match.held or not row.consents  # no consent facts to weigh
                        latest = {} if held_or_silent else consent_service.latest_events(duplicate.existing_id)
                        for fact in [] if held_or_silent else row.consents:
                            verdict = imported_verdict(latest.get(fact.purpose), fact.granted, fact.at)
                            if verdict == "record":
                                row.recorded.append(fact)
                            elif verdict == "conflict":
                                report.add_consent_conflict(
                                    row.line, self._consent_conflict(duplicate.existing_id, fact)
                                )
                else:
                    action = "new"
                    report.imported += 1
                    report.add_details(row.warnings, row.unchecked)
                    row.recorded = list(row.consents)
                if row.recorded and row.contact is not None and row.contact.birth_date is not None:
                    self._leave_out_a_childs_grants(row, row.contact.birth_date, shop, today, report)
                if action is not None and row.contact is not None:
                    report.birthdays += row.contact.birth_date is not None
                    report.purchases += row.contact.total_spent is not None or row.contact.order_count is not None
                if action is not None:
                    finder.remember(row.line, row.keys, row.sources)
                    for fact in row.consents:
                        consents[fact.purpose, fact.granted] += 1
                    report.consents_found += len(row.consents)
                    report.consents_to_record += len(row.recorded)
                yield row, action
        finally:
            finder.close()
        report.consent_counts = {
            f"{purpose} {'granted' if granted else 'refused'}": count for (purpose, granted), count in consents.items()
        }
        report.unused_columns = source.unused()

    @staticmethod
    def _leave_out_a_childs_grants(row: ParsedRow, born: date, shop: str, today: date, report: ImportReport) -> None:
        """A file cannot show that a parent consented (GDPR Art. 8, PIPL Art. 31): for someone its birthday makes
        younger than their law's age of consent, its yes is reported here, before anything is written, and left
        out (the ledger leaves it out too, and so for a customer whose stored birthday says so:
        `ConsentService.record_imported`)."""
        assert row.contact is not None
        pipl = any(p.kind == "phone" and is_pipl_phone(p.normalized or "") for p in row.contact.points)
        limit = consent_age_for(shop, pipl)
        age = age_on(born, today)
        if limit is None or age >= limit:
            return
        for fact in [fact for fact in row.recorded if fact.granted]:
            row.recorded.remove(fact)
            report.add_consent_conflict(
                row.line,
                _(
                    "the file's consent to {purpose} is not recorded: by the birthday in the file the customer is "
                    "{age}, under {limit}, so a parent must give it (record it with the parent on the Consent tab)"
                ).format(purpose=fact.purpose, age=age, limit=limit),
            )

    @staticmethod
    def _consent_conflict(contact_id: int, fact: ConsentFact) -> str:
        if fact.granted:
            return _(
                "the file's consent to {purpose} is not recorded: customer {id} has withdrawn it since, or "
                "the file does not say when it was given"
            ).format(purpose=fact.purpose, id=contact_id)
        return _("the file's withdrawal of {purpose} is not recorded: customer {id} consented again after it").format(
            purpose=fact.purpose, id=contact_id
        )
