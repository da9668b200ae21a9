"""counterpart-admin: the breach register, its letters and the regulator's report."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from app.access.session import Session
from app.cli.common import (
    Commands,
    Parser,
    Passwords,
    comma_list,
    moment_from,
    out,
    signed_in,
    vault_and_user,
)
from app.cli.progress import TerminalProgress
from app.documents.breach_letters import save_regulator_report, write_letters
from app.locale import _, current_language
from app.locale.i18n import document_language
from app.privacy.breach import BreachService


@contextmanager
def _breach_service(args: argparse.Namespace, passwords: Passwords) -> Iterator[tuple[Session, BreachService]]:
    with signed_in(args, passwords) as session:
        yield session, BreachService(session)


def cmd_breach_add(args: argparse.Namespace, passwords: Passwords) -> int:
    discovered = moment_from(args.discovered)
    with _breach_service(args, passwords) as (session, service):
        breach_id = service.record(
            discovered_at=discovered,
            nature=args.nature,
            data_categories=comma_list(args.data_categories),
            people_categories=comma_list(args.people_categories),
            approx_affected=args.affected,
            consequences=args.consequences or "",
            measures=args.measures or "",
            high_risk=args.high_risk,
        )
        breach = service.get(breach_id)
    out(
        _("Recorded breach {id}. Tell the supervisory authority by {deadline} (72 hours after discovery).").format(
            id=breach_id, deadline=breach.authority_deadline.isoformat(timespec="minutes")
        )
    )
    return 0


def cmd_breach_list(args: argparse.Namespace, passwords: Passwords) -> int:
    with _breach_service(args, passwords) as (session, service):
        breaches = service.all()
    now = datetime.now(UTC)
    if args.json:
        out(
            json.dumps(
                [
                    {
                        "id": b.id,
                        "discovered_at": b.discovered_at.isoformat(),
                        "status": b.status,
                        "authority_deadline": b.authority_deadline.isoformat(),
                        "hours_left": round(b.hours_left(now), 1),
                        "authority_notified_at": b.authority_notified_at,
                        "authority_overdue": b.authority_overdue(now),
                        "high_risk": b.high_risk,
                        "people_notified_at": b.people_notified_at,
                        "affected_selected": b.selected,
                    }
                    for b in breaches
                ]
            )
        )
        return 0
    for b in breaches:
        if b.authority_notified_at:
            clock = _("authority told {at}").format(at=b.authority_notified_at)
        elif b.authority_overdue(now):
            clock = _("LATE: the 72 hours ended {at}").format(at=b.authority_deadline.isoformat(timespec="minutes"))
        else:
            clock = _("{hours} hours left to tell the authority").format(hours=int(b.hours_left(now)))
        out("\t".join([str(b.id), b.discovered_at.isoformat(timespec="minutes"), b.status, clock]))
    return 0


def cmd_breach_select(args: argparse.Namespace, passwords: Passwords) -> int:
    before = moment_from(args.created_before) if args.created_before else None
    with _breach_service(args, passwords) as (session, service):
        count = service.select_affected(
            args.id, purpose=args.purpose, created_before=before, tag=args.tag, everyone=args.everyone
        )
    out(_("{n} people are recorded as affected by breach {id}.").format(n=count, id=args.id))
    return 0


def cmd_breach_notified(args: argparse.Namespace, passwords: Passwords) -> int:
    with _breach_service(args, passwords) as (session, service):
        if args.authority:
            service.authority_notified(args.id, args.authority, delay_reason=args.delay_reason or "")
        if args.people:
            service.people_notified(args.id)
    out(_("Recorded."))
    return 0


def cmd_breach_letters(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session, TerminalProgress(_("Writing letters…")) as progress:
        written = write_letters(session, args.id, Path(args.out), progress=progress)
    out(_("Wrote {n} letters to {path}.").format(n=len(written), path=args.out))
    return 0


def cmd_breach_report(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        save_regulator_report(session, args.id, Path(args.out), args.doc_lang or current_language())
    out(_("Saved the draft report for the authority to {path}.").format(path=args.out))
    return 0


def register(commands: Commands) -> None:
    """Declare this group's commands and their arguments."""
    breach = commands.add_parser("breach", help=_("the breach register"))
    breach_commands = breach.add_subparsers(dest="breach_command", required=True, metavar="ACTION", parser_class=Parser)
    add_breach = breach_commands.add_parser("add", help=_("record a breach"))
    vault_and_user(add_breach)
    add_breach.add_argument("--discovered", required=True, metavar="WHEN")
    add_breach.add_argument("--nature", required=True, metavar="TEXT")
    add_breach.add_argument("--data-categories", metavar="A,B")
    add_breach.add_argument("--people-categories", metavar="A,B")
    add_breach.add_argument("--affected", type=int, default=0, metavar="N")
    add_breach.add_argument("--consequences", metavar="TEXT")
    add_breach.add_argument("--measures", metavar="TEXT")
    add_breach.add_argument("--high-risk", action="store_true", help=_("people must be told (Art. 34)"))
    add_breach.set_defaults(run=cmd_breach_add)
    list_breach = breach_commands.add_parser("list", help=_("breaches and their 72-hour clocks"))
    vault_and_user(list_breach)
    list_breach.add_argument("--json", action="store_true")
    list_breach.set_defaults(run=cmd_breach_list)
    select = breach_commands.add_parser("select", help=_("choose the affected people"))
    vault_and_user(select)
    select.add_argument("--id", type=int, required=True)
    select.add_argument("--purpose", metavar="KEY")
    select.add_argument("--created-before", metavar="DATE")
    select.add_argument("--tag")
    select.add_argument("--everyone", action="store_true")
    select.set_defaults(run=cmd_breach_select)
    notified = breach_commands.add_parser("notified", help=_("record who was told"))
    vault_and_user(notified)
    notified.add_argument("--id", type=int, required=True)
    notified.add_argument("--authority", metavar="REFERENCE")
    notified.add_argument("--delay-reason", metavar="TEXT")
    notified.add_argument("--people", action="store_true")
    notified.set_defaults(run=cmd_breach_notified)
    for name, run, text in (
        ("letters", cmd_breach_letters, _("notification letters, one PDF per person")),
        ("report", cmd_breach_report, _("a draft report for the supervisory authority")),
    ):
        sub = breach_commands.add_parser(name, help=text)
        vault_and_user(sub)
        sub.add_argument("--id", type=int, required=True)
        sub.add_argument("--out", required=True, metavar="DIR" if name == "letters" else "FILE.pdf")
        sub.add_argument("--lang", metavar="LANG", dest="doc_lang", type=document_language)
        sub.set_defaults(run=run)
