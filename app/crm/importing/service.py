"""Import customers from a CSV export or a vCard file: preview first, then one all-or-nothing transaction.

The file streams through once per call: decoded (encoding), split into records (reader), mapped to people
(layouts, mapping), checked (validate) and compared with the vault (duplicates). Rows naming nobody and
duplicates are skipped and reported by line, details that do not check out are kept unchecked and reported, and
columns that fill nothing are named; a malformed file stops everything with InvalidInput before anything is
kept, because the rows go to ContactService.create_many as a generator inside its single transaction.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from app.access.roles import Permission
from app.access.session import Session
from app.crm import contact_points
from app.crm.contacts import ContactInput, ContactService
from app.crm.importing.duplicates import DuplicateFinder
from app.crm.importing.encoding import Encoding, detect, open_text
from app.crm.importing.layouts import BY_KEY, PRODUCTS
from app.crm.importing.layouts import detect as detect_layout
from app.crm.importing.mapping import ColumnMap
from app.crm.importing.model import Column, ConsentFact, Draft, ImportPreview, ImportReport, ParsedRow
from app.crm.importing.reader import NumberedLines, check_cells, csv_records
from app.crm.importing.validate import check
from app.errors import InvalidInput
from app.locale import _
from app.privacy.consent import ConsentService
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
        raise InvalidInput(_("{format} is not a format Counterpart imports; choose one of: {formats}.")
                           .format(format=fmt, formats=", ".join(FORMATS)))
    found = detect(path, encoding)
    vcard = fmt == "vcard" or (fmt == "auto" and _is_vcard(path, found))
    with open_text(path, found) as stream:
        if vcard:
            from app.crm import vcard as vcards

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

    def preview(self, path: Path, fmt: str = "auto", limit: int = 20, *, mapping: Mapping[str, str] | None = None,
                encoding: str | None = None) -> ImportPreview:
        """What the file holds and what importing it would do, without writing anything.

        `rows` are the first `limit` records with their status (ok, bad, duplicate: the UI offers choices for
        duplicates and passes the lines to keep to `run`); `report` covers the whole file.
        """
        self.session.require(Permission.EDIT_CUSTOMERS)
        with _open(Path(path), fmt, mapping, encoding) as source:
            report = ImportReport(source.format, source.encoding, dry_run=True)
            rows: list[ParsedRow] = []
            for row, _write in self._analyse(source, report, ()):
                if len(rows) < limit:
                    rows.append(row)
        return ImportPreview(source.format, source.label, source.encoding, source.columns, rows, report)

    def run(self, path: Path, fmt: str = "auto", dry_run: bool = False, progress: Callable[[int], None] | None = None,
            *, mapping: Mapping[str, str] | None = None, encoding: str | None = None,
            keep_duplicates: Collection[int] = ()) -> ImportReport:
        """Import every good record in one transaction (nothing at all if the file turns out malformed).

        Duplicates are skipped unless their line is in `keep_duplicates`. Consent facts the file states are stored
        as consent events (method 'import', the file and column as their source).
        """
        self.session.require(Permission.EDIT_CUSTOMERS)
        with _open(Path(path), fmt, mapping, encoding) as source, contact_points.remembered():
            report = ImportReport(source.format, source.encoding, dry_run=dry_run)

            facts: deque[list[ConsentFact]] = deque()  # per person not yet written, in order
            file_name = Path(path).name
            consents = ConsentService(self.session)

            def people() -> Iterator[ContactInput]:
                for row, write in self._analyse(source, report, keep_duplicates):
                    if write and row.contact is not None:
                        facts.append(row.consents)
                        yield row.contact

            def written(ids: list[int]) -> None:
                """A batch of people is in: store what the file said about their consent now, so that neither
                the facts nor the ids of a million rows are held until the end."""
                report.consents_stored += consents.record_imported(
                    [(contact_id, fact.purpose, fact.granted, f"{file_name}: {fact.source}")
                     for contact_id in ids for fact in facts.popleft()], audit=False)

            if dry_run:
                for count, _person in enumerate(people(), 1):
                    if progress and count % 1000 == 0:
                        progress(count)
                return report
            # The larger cache ends after the commit: pages written in an open transaction cannot be let go.
            with bulk_cache(self.session.conn), self.session.change():  # all or nothing: people, consents, record
                report.contact_ids = ContactService(self.session).create_many(
                    people(), source=f"import:{source.format}", progress=progress, written=written)
                if report.consents_stored:
                    consents.audit_imported(report.consents_stored)
                self.session.record("contact.import", "contact", None, report.summary())
        return report

    def _analyse(self, source: _Source, report: ImportReport,
                 keep: Collection[int]) -> Iterator[tuple[ParsedRow, bool]]:
        """Every record with its verdict, and whether to write it; keeps `report` up to date as it goes."""
        region = ContactService(self.session).region()
        finder = DuplicateFinder(self.session.conn)
        consents: Counter[str] = Counter()
        try:
            for draft in source.drafts:
                row = check(draft, region)
                write = False
                if row.problem is not None:
                    report.bad_rows.append((row.line, row.problem))
                else:
                    row.duplicate = finder.find(row.line, row.keys)
                    if row.duplicate is not None and row.line not in keep:
                        report.duplicates.append(row.duplicate)
                    else:
                        write = True
                        finder.remember(row.line, row.keys)
                        report.imported += 1
                        report.warnings += row.warnings
                        report.unchecked += row.unchecked
                        consents.update(f"{f.purpose} {'granted' if f.granted else 'refused'}" for f in row.consents)
                        report.consents_found += len(row.consents)
                yield row, write
        finally:
            finder.close()
        report.consent_counts = dict(consents)
        report.unused_columns = source.unused()
