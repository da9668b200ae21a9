"""counterpart-admin: people's rights: the Art. 15 export, the request queue, restriction, objection."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime
from pathlib import Path

from app.cli.common import Commands, Passwords, out, say_recipients, signed_in, vault_and_user
from app.consent.restriction import RestrictionService
from app.documents import access_export
from app.locale import _
from app.privacy.objection import object_to_marketing
from app.privacy.recipients import recipients_for
from app.privacy.requests import RequestService


def cmd_export_subject(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        pdf_password = passwords.read(_("Password for the PDF: "), confirm=True) if args.pdf_password_stdin else None
        zip_path = Path(args.zip) if args.zip else None
        hashes = access_export.export_subject(
            session,
            args.contact,
            pdf=Path(args.pdf),
            zip_path=zip_path,
            language=args.export_lang,
            pdf_password=pdf_password,
            request_id=args.request,
        )
    for name, digest in hashes.items():
        out(_("Wrote {name} (sha256 {digest}).").format(name=name, digest=digest))
    return 0


def cmd_requests(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        today = datetime.now(UTC).date()
        service = RequestService(session)
        found = service.all_requests() if args.all else service.open_requests(overdue_only=args.overdue, today=today)
    if args.json:
        out(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "type": r.type,
                        "jurisdiction": r.jurisdiction,
                        "contact_id": r.contact_id,
                        "received": r.received_at,
                        "due": r.due_at,
                        "extended": r.extended,
                        "overdue": r.overdue(today),
                        "status": r.status,
                        "recipients": r.recipients,
                    }
                    for r in found
                ],
                ensure_ascii=False,
            )
        )
    else:
        for r in found:
            late = _("OVERDUE") if r.overdue(today) else ""
            tell = _("tell: {names}").format(names="; ".join(r.recipients)) if r.recipients else ""
            fields = [str(r.id), r.type, r.jurisdiction, _("due {date}").format(date=r.due_at)]
            fields += [r.status, late, tell] if args.all else [late]  # the open list keeps its columns
            out("\t".join(fields).rstrip())
    return 0


def cmd_restrict(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        service = RestrictionService(session)
        if args.lift:
            service.lift(args.customer, args.reason)
        else:
            service.restrict(args.customer, args.reason)
        recipients = recipients_for(session, args.customer)
    out(
        (
            _("Lifted the restriction of customer {id}.")
            if args.lift
            else _("Restricted processing of customer {id}: kept, but left out of lists, exports and the sweep.")
        ).format(id=args.customer)
    )
    say_recipients(recipients)
    return 0


def cmd_object(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        withdrawn = object_to_marketing(
            session, args.customer, request_id=args.request, method="request" if args.request else "verbal"
        )
    out(
        _("Customer {id} objected to direct marketing; withdrawn: {purposes}.").format(
            id=args.customer, purposes=", ".join(withdrawn) or _("nothing left to withdraw")
        )
    )
    return 0


def register(commands: Commands) -> None:
    """Declare this group's commands and their arguments."""
    export_subject = commands.add_parser("export-subject", help=_("a person's data as PDF (and ZIP)"))
    vault_and_user(export_subject)
    export_subject.add_argument("--contact", type=int, required=True, metavar="ID")
    export_subject.add_argument("--pdf", required=True, metavar="OUT.pdf")
    export_subject.add_argument("--zip", metavar="OUT.zip")
    export_subject.add_argument("--lang", metavar="LANG", dest="export_lang")
    export_subject.add_argument("--request", type=int, metavar="N", help=_("the request this answers"))
    export_subject.add_argument(
        "--pdf-password-stdin", action="store_true", help=_("protect the PDF with a password read from standard input")
    )
    export_subject.set_defaults(run=cmd_export_subject)

    requests_cmd = commands.add_parser("requests", help=_("open privacy requests, soonest deadline first"))
    vault_and_user(requests_cmd)
    requests_cmd.add_argument("--overdue", action="store_true")
    requests_cmd.add_argument(
        "--all", action="store_true", help=_("closed requests too, with the recipients to tell (Art. 19)")
    )
    requests_cmd.add_argument("--json", action="store_true")
    requests_cmd.set_defaults(run=cmd_requests)

    restrict = commands.add_parser(
        "restrict",
        help=_("restrict processing of a customer (GDPR Art. 18), or lift it with --lift"),
        description=_(
            "A restricted customer is kept but left out of marketing lists, exports and the retention "
            "sweep until the restriction is lifted. Completing a restriction request does the same."
        ),
    )
    vault_and_user(restrict)
    restrict.add_argument("customer", type=int, metavar="CUSTOMER", help=_("the customer's number"))
    restrict.add_argument("--lift", action="store_true", help=_("end the restriction"))
    restrict.add_argument("--reason", required=True, metavar="TEXT", help=_("why (kept with the restriction)"))
    restrict.set_defaults(run=cmd_restrict)

    object_cmd = commands.add_parser(
        "object",
        help=_("record an objection to direct marketing (GDPR Art. 21): withdraws every marketing purpose"),
        description=_(
            "Withdraws email, SMS, phone, postal marketing and profiling at once. Completing an objection "
            "request (Privacy › Requests) does the same; to withdraw one purpose use 'consent --withdraw'."
        ),
    )
    vault_and_user(object_cmd)
    object_cmd.add_argument("customer", type=int, metavar="CUSTOMER", help=_("the customer's number"))
    object_cmd.add_argument("--request", type=int, metavar="N", help=_("the privacy request this answers"))
    object_cmd.set_defaults(run=cmd_object)
