"""counterpart-admin: retention: the sweep, erasing one customer, legal holds."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

from app.cli.common import Commands, Passwords, iso_date, out, signed_in, vault_and_user
from app.cli.progress import TerminalProgress
from app.consent.restriction import RestrictionService
from app.locale import _, ngettext
from app.locale.formatting import clock_time
from app.privacy.erasure import erase
from app.privacy.retention import RetentionService


def cmd_sweep(args: argparse.Namespace, passwords: Passwords) -> int:
    if args.finish_traces:
        return _finish_traces(args, passwords)
    with signed_in(args, passwords) as session:
        service = RetentionService(session)
        items = service.preview()
        with TerminalProgress(_("Sweeping…")) as progress:
            result = service.apply(progress=progress) if args.apply else None
        counts = result.counts if result else {}
        traces_removed = result.traces_removed_at if result else None  # this sweep's, or a crashed one's
        kept = RestrictionService(session).kept_by_sweep()
    if args.json:
        out(
            json.dumps(
                {
                    "applied": bool(args.apply),
                    "counts": counts,
                    "kept_restricted": kept,
                    "traces_removed_at": traces_removed.isoformat(timespec="seconds") if traces_removed else None,
                    "items": [
                        {
                            "contact_id": i.contact_id,
                            "policy": i.category,
                            "action": i.action,
                            "count": i.count,
                            "reason": i.reason,
                        }
                        for i in items
                    ],
                },
                ensure_ascii=False,
            )
        )
        return 0
    for item in items:
        who = str(item.contact_id) if item.contact_id is not None else _("{n} records").format(n=item.count)
        out("\t".join([who, item.category, item.action, item.reason]))
    if kept:
        out(
            ngettext(
                "{n} person kept: processing restricted (GDPR Art. 18).",
                "{n} people kept: processing restricted (GDPR Art. 18).",
                kept,
            ).format(n=kept)
        )
    if args.apply:
        out(_("Applied: {counts}").format(counts=", ".join(f"{k}={v}" for k, v in sorted(counts.items())) or "0"))
        if traces_removed is not None:
            out(
                _("Erased people's words removed from the search index at {time}.").format(
                    time=clock_time(traces_removed)
                )
            )
    else:
        out(_("Dry run: nothing was changed. {n} items are due.").format(n=len(items)))
    return 0


def _finish_traces(args: argparse.Namespace, passwords: Passwords) -> int:
    """Only the trace removal an erasure still owes (what `verify` names): for any user, changing nobody's data."""
    with signed_in(args, passwords) as session:
        removed = RetentionService(session).remove_traces()
    if args.json:
        out(json.dumps({"traces_removed_at": removed.isoformat(timespec="seconds") if removed else None}))
    elif removed is None:
        out(_("Nothing to remove: no erased person's words are left in the search index."))
    else:
        out(_("Erased people's words removed from the search index at {time}.").format(time=clock_time(removed)))
    return 0


def cmd_erase(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        erase(session, args.contact, anonymise=args.anonymise, reason="counterpart-admin")
    out((_("Anonymised customer {id}.") if args.anonymise else _("Erased customer {id}.")).format(id=args.contact))
    return 0


def cmd_hold(args: argparse.Namespace, passwords: Passwords) -> int:
    until = datetime.fromisoformat(iso_date(args.until)).replace(tzinfo=UTC) if args.until else None
    with signed_in(args, passwords) as session:
        hold_id = RetentionService(session).hold(args.contact, args.reason, until)
    out(_("Legal hold {hold} placed on customer {id}.").format(hold=hold_id, id=args.contact))
    return 0


def register(commands: Commands) -> None:
    """Declare this group's commands and their arguments."""
    sweep = commands.add_parser("sweep", help=_("apply the retention policies"))
    vault_and_user(sweep)
    mode = sweep.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dry-run", action="store_true", help=_("list what is due, change nothing"))
    mode.add_argument("--apply", action="store_true", help=_("delete or anonymise what is due"))
    mode.add_argument(
        "--finish-traces",
        action="store_true",
        help=_("only remove erased people's words still in the search index (what verify names)"),
    )
    sweep.add_argument("--json", action="store_true")
    sweep.set_defaults(run=cmd_sweep)

    erase_cmd = commands.add_parser("erase", help=_("erase (or anonymise) one customer everywhere"))
    vault_and_user(erase_cmd)
    erase_cmd.add_argument("--contact", type=int, required=True, metavar="ID")
    erase_cmd.add_argument("--anonymise", action="store_true")
    erase_cmd.set_defaults(run=cmd_erase)

    hold = commands.add_parser("hold", help=_("place a legal hold on a customer"))
    vault_and_user(hold)
    hold.add_argument("--contact", type=int, required=True, metavar="ID")
    hold.add_argument("--reason", required=True, metavar="TEXT")
    hold.add_argument("--until", metavar="DATE")
    hold.set_defaults(run=cmd_hold)
