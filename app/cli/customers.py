"""counterpart-admin: customers: synthetic demo data, search, export (CSV, vCard), import."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from app.access.roles import PAGE_ROWS
from app.cli.common import Commands, Passwords, out, signed_in, vault_and_user
from app.cli.progress import TerminalProgress
from app.crm import demo
from app.crm.activities import ActivityService
from app.crm.contacts import ContactService
from app.crm.deals import DealService
from app.crm.export import export_csv
from app.crm.importing.mapping import check_fields
from app.crm.importing.service import ImportService
from app.crm.vcard import export_vcards
from app.errors import InvalidInput, UsageError
from app.locale import _
from app.privacy.notices import create_tasks


def cmd_demo(args: argparse.Namespace, passwords: Passwords) -> int:
    if args.contacts < 0:
        raise UsageError(_("--contacts must be 0 or more."))
    with signed_in(args, passwords) as session:
        people = list(demo.generate(args.contacts))
        ids = ContactService(session).create_many(people, source="demo")
        stages = [s.id for s in DealService(session).pipelines()[0].stages]
        deals = DealService(session).create_many(
            demo.deals_for([(i, p.language) for i, p in zip(ids, people, strict=True)], stages), source="demo"
        )
        activities = ActivityService(session).create_many(demo.activities_for(ids, datetime.now(UTC)), source="demo")
    out(_("Added {n} demo customers, {d} deals and {a} activities.").format(n=len(ids), d=deals, a=activities))
    return 0


def cmd_search(args: argparse.Namespace, passwords: Passwords) -> int:
    if args.limit < 1:  # -5 meant "no limit" to SQLite (and a refusal for staff, as if they asked too many)
        raise UsageError(_("--limit must be 1 or more."))
    with signed_in(args, passwords) as session:
        found = ContactService(session).search(args.query, limit=args.limit)
        session.record_bulk_read("search", len(found))
    if args.json:
        out(
            json.dumps(
                [
                    {"id": c.id, "name": c.name, "email": c.email, "phone": c.phone, "organisation": c.organisation}
                    for c in found
                ],
                ensure_ascii=False,
            )
        )
    else:
        for c in found:
            out("\t".join([str(c.id), c.name, c.email or "", c.phone or "", c.organisation or ""]))
    return 0


def cmd_export(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session, TerminalProgress(_("Exporting customers…")) as progress:
        if args.vcard:
            rows = export_vcards(session, Path(args.vcard), query=args.query or "", progress=progress)
        else:
            rows = export_csv(session, Path(args.csv), args.query or "", progress=progress)
    out(_("Wrote {n} customers to {path}.").format(n=rows, path=args.vcard or args.csv))
    return 0


def _column_mapping(pairs: list[str]) -> dict[str, str]:
    """--map COLUMN=FIELD options as a mapping (FIELD empty: leave the column out), checked before signing in."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        column, equals, wanted = pair.rpartition("=")
        if not equals or not column.strip():
            raise InvalidInput(_('--map takes COLUMN=FIELD, such as --map "Crm Name=name".'))
        mapping[column.strip()] = wanted.strip()
    check_fields(mapping)
    return mapping


def cmd_import(args: argparse.Namespace, passwords: Passwords) -> int:
    """Counts on stdout; each column that fills nothing ("unused column: X"), then each skipped row and each
    detail left out or kept unchecked ("line N: reason"), on stderr. With --json, one object with all of it."""
    mapping = _column_mapping(args.map or [])
    with signed_in(args, passwords) as session:
        label = _("Checking the file…") if args.dry_run else _("Importing customers…")
        with TerminalProgress(label) as progress:
            report = ImportService(session).run(
                Path(args.file),
                fmt=args.format,
                dry_run=args.dry_run,
                progress=progress,
                mapping=mapping or None,
                overwrite=args.update == "file",
            )
        if not report.dry_run:  # GDPR Art. 14: each person the file added is still to be told (app.privacy.notices)
            create_tasks(session, report.contact_ids, Path(args.file).name)
    skipped = sorted(report.bad_rows + [(d.line, d.reason()) for d in report.duplicates if d.existing_id is None])
    if args.json:
        out(
            json.dumps(
                {
                    "format": report.format,
                    "encoding": report.encoding,
                    "dry_run": report.dry_run,
                    "imported": 0 if report.dry_run else report.imported,
                    "would_import": report.imported,
                    "matched": report.matched_count,
                    "updated": report.updated,
                    "would_update": report.changing_count,
                    "unchanged": report.matched_count - report.changing_count,
                    "skipped": report.skipped,
                    "skipped_rows": [{"line": line, "reason": reason} for line, reason in skipped],
                    "conflicts_kept": report.conflict_count,
                    "replaced": report.replaced_count,
                    "replaced_fields": [
                        {"line": m.line, "customer": m.contact_id, "field": c.field}
                        for m in report.matched
                        if not m.held
                        for c in m.taken
                    ],
                    "unused_columns": report.unused_columns,
                    "birthdays": report.birthdays,
                    "purchase_totals": report.purchases,
                    "totals_replaced": report.totals_replaced,
                    "consents_found": report.consents_found,
                    "consents_recorded": report.consents_stored,
                    "messages": [{"line": line, "message": text} for line, text in report.messages()],
                    "messages_left_out": report.left_out,
                },
                ensure_ascii=False,
            )
        )
        return 0
    for column in report.unused_columns:
        print(_("unused column: {column}").format(column=column), file=sys.stderr, flush=True)
    for line, reason in report.messages():
        print(_("line {line}: {reason}").format(line=line, reason=reason), file=sys.stderr, flush=True)
    if report.left_out:  # the first 1,000 of each kind are listed, the rest counted
        print(_("… and {n} more.").format(n=f"{report.left_out:,}"), file=sys.stderr, flush=True)
    out(_("format: {format} ({encoding})").format(format=report.format, encoding=report.encoding))
    if report.dry_run:
        out(_("dry run: nothing was written"))
        out(_("would import: {n}").format(n=report.imported))
        out(_("would update: {n}").format(n=report.changing_count))
    out(_("imported: {n}").format(n=0 if report.dry_run else report.imported))
    out(_("matched: {n}").format(n=report.matched_count))
    out(_("matched, updated: {n}").format(n=report.updated))
    out(_("matched, unchanged: {n}").format(n=report.matched_count - report.changing_count))
    out(_("conflicts kept: {n}").format(n=report.conflict_count))
    out(_("replaced by the file's: {n}").format(n=report.replaced_count))
    out(_("skipped: {n}").format(n=report.skipped))
    out(_("duplicates: {n}").format(n=report.duplicate_count))
    out(_("bad rows: {n}").format(n=report.bad_count))
    out(_("unused columns: {n}").format(n=len(report.unused_columns)))
    out(_("birthdays: {n}").format(n=report.birthdays))
    out(_("purchase totals: {n}, replaced: {replaced}").format(n=report.purchases, replaced=report.totals_replaced))
    if report.consents_found:
        out(
            _("consents stated in the file: {n}, recorded: {stored}").format(
                n=report.consents_found, stored=report.consents_stored
            )
        )
    return 0


def register(commands: Commands) -> None:
    """Declare this group's commands and their arguments."""
    demo_cmd = commands.add_parser("demo", help=_("add realistic synthetic customers"))
    vault_and_user(demo_cmd)
    demo_cmd.add_argument("--contacts", type=int, required=True, metavar="N")
    demo_cmd.set_defaults(run=cmd_demo)

    search = commands.add_parser("search", help=_("search customers"))
    vault_and_user(search)
    search.add_argument("query", metavar="QUERY")
    search.add_argument(
        "--limit",
        type=int,
        default=50,
        metavar="N",
        help=_("at most N customers; more than {n} at once needs the permission to export customer lists").format(
            n=PAGE_ROWS
        ),
    )
    search.add_argument("--json", action="store_true", help=_("print a JSON list"))
    search.set_defaults(run=cmd_search)

    export = commands.add_parser("export", help=_("export customers to CSV or vCard"))
    vault_and_user(export)
    export_to = export.add_mutually_exclusive_group(required=True)
    export_to.add_argument("--csv", metavar="FILE")
    export_to.add_argument("--vcard", metavar="FILE.vcf", help=_("write vCard 3.0 instead of CSV"))
    export.add_argument("--query", metavar="Q", help=_("only the customers matching this search"))
    export.set_defaults(run=cmd_export)

    import_cmd = commands.add_parser("import", help=_("import customers from a CSV export or a vCard file"))
    vault_and_user(import_cmd)
    import_cmd.add_argument("file", metavar="FILE")
    import_cmd.add_argument(
        "--format",
        default="auto",
        choices=["auto", "shopify", "google", "outlook", "hubspot", "mailchimp", "square", "vcard"],
    )
    import_cmd.add_argument(
        "--dry-run", action="store_true", help=_("check the file and say what would happen; write nothing")
    )
    import_cmd.add_argument(
        "--map",
        action="append",
        metavar="COLUMN=FIELD",
        help=_(
            "fill FIELD (name, given_name, email, phone…) from the column COLUMN; "
            "repeatable; an empty FIELD leaves the column out"
        ),
    )
    import_cmd.add_argument(
        "--update",
        default="keep",
        choices=["keep", "file"],
        help=_(
            "for a customer already in the vault whose value differs from the file's: keep "
            "theirs (keep, the default) or take the file's (file)"
        ),
    )
    import_cmd.add_argument(
        "--json", action="store_true", help=_("print the counts, skipped rows and messages as one JSON object")
    )
    import_cmd.set_defaults(run=cmd_import)
