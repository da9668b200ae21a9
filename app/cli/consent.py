"""counterpart-admin: consent: record a grant or withdrawal, the list for a purpose, the paper form."""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from app.cli.common import Commands, Passwords, iso_date, out, signed_in, vault_and_user
from app.cli.progress import TerminalProgress
from app.consent.jurisdiction import set_birth_date
from app.consent.ledger import ConsentService
from app.crm.contacts import ContactService
from app.documents.consent_form import print_form
from app.errors import InvalidInput
from app.locale import _, current_language
from app.privacy.audience import export_audience, write_audience


def cmd_consent(args: argparse.Namespace, passwords: Passwords) -> int:
    if bool(args.parent) != bool(args.relation):
        raise InvalidInput(_("Give both --parent and --relation for a parent's consent."))
    guardian = (args.parent, args.relation) if args.parent else None
    with signed_in(args, passwords) as session, session.change():  # the birthday and the consent, or neither
        consent = ConsentService(session)
        if args.born:
            set_birth_date(session, args.contact, date.fromisoformat(iso_date(args.born)))
        notice_id = None
        if args.grant and args.method in ("form", "paper"):
            language = ContactService(session).language_of(args.contact) or current_language()
            notice = consent.current_notice(language)
            notice_id = notice.id if notice else None
        consent.record(
            args.contact,
            args.purpose,
            args.grant,
            args.method,
            notice_id=notice_id,
            source="counterpart-admin" if args.method == "import" else "",
            guardian=guardian,
        )
        state = next(s for s in consent.states(args.contact) if s.purpose.key == args.purpose)
    out(_("{purpose} for customer {id}: {state}.").format(purpose=args.purpose, id=args.contact, state=state.reason))
    return 0


def cmd_consent_list(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        if args.csv:
            with TerminalProgress(_("Exporting…")) as progress:
                written = write_audience(session, args.purpose, Path(args.csv), progress=progress)
        else:
            rows = export_audience(session, args.purpose)
    if args.csv:
        out(_("Wrote {n} people to {path}.").format(n=written, path=args.csv))
    else:
        for contact_id, name, email, phone in rows:
            out("\t".join([str(contact_id), name, email or "", phone or ""]))
    return 0


def cmd_consent_form(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        code = print_form(session, Path(args.out), args.form_lang, args.contact)
    out(_("Saved the consent form to {path} (reference {code}).").format(path=args.out, code=code))
    return 0


def register(commands: Commands) -> None:
    """Declare this group's commands and their arguments."""
    consent = commands.add_parser("consent", help=_("record a consent or its withdrawal"))
    vault_and_user(consent)
    consent.add_argument("--contact", type=int, required=True, metavar="ID")
    consent.add_argument("--purpose", required=True, metavar="KEY")
    choice = consent.add_mutually_exclusive_group(required=True)
    choice.add_argument("--grant", action="store_true")
    choice.add_argument("--withdraw", action="store_true")
    consent.add_argument("--method", required=True, choices=["form", "paper", "verbal", "import"])
    consent.add_argument(
        "--born",
        metavar="DATE",
        help=_("the customer's birthday, recorded first (a child's consent is given by a parent)"),
    )
    consent.add_argument("--parent", metavar="NAME", help=_("the parent or guardian giving a child's consent"))
    consent.add_argument("--relation", metavar="TEXT", help=_("how the parent or guardian is related (mother, …)"))
    consent.set_defaults(run=cmd_consent)

    consent_list = commands.add_parser("consent-list", help=_("people with a current basis for a purpose"))
    vault_and_user(consent_list)
    consent_list.add_argument("--purpose", required=True, metavar="KEY")
    consent_list.add_argument("--csv", metavar="FILE")
    consent_list.set_defaults(run=cmd_consent_list)

    form = commands.add_parser("consent-form", help=_("save a paper consent form as PDF"))
    vault_and_user(form)
    form.add_argument("--contact", type=int, metavar="ID", help=_("pre-fill for this customer"))
    form.add_argument("--lang", required=True, metavar="LANG", dest="form_lang")
    form.add_argument("--out", required=True, metavar="FILE.pdf")
    form.set_defaults(run=cmd_consent_form)
