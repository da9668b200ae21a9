"""counterpart-admin: the audit log, shown or written as CSV."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.common import Commands, Passwords, iso_date, out, signed_in, vault_and_user
from app.cli.progress import TerminalProgress
from app.locale import _
from app.privacy import audit_service
from app.store import audit


def cmd_audit(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        flt = audit.AuditFilter(since=iso_date(args.since) if args.since else None)
        if args.csv:
            with TerminalProgress(_("Exporting the audit log…")) as progress:
                rows = audit_service.export_csv(session, Path(args.csv), flt, progress=progress)
            out(_("Wrote {n} audit entries to {path}.").format(n=rows, path=args.csv))
        else:
            after = 0
            while page := audit_service.view(session, flt, after_id=after):
                for entry in page:
                    out(
                        "\t".join(
                            [
                                str(entry.id),
                                entry.at,
                                entry.user_name or "-",
                                entry.action,
                                entry.entity_type or "",
                                entry.entity_id or "",
                                entry.summary,
                            ]
                        )
                    )
                after = page[-1].id
    return 0


def register(commands: Commands) -> None:
    """Declare this group's commands and their arguments."""
    audit_cmd = commands.add_parser("audit", help=_("show or export the audit log"))
    vault_and_user(audit_cmd)
    audit_cmd.add_argument("--since", metavar="DATE", help=_("only entries from this date (YYYY-MM-DD)"))
    audit_cmd.add_argument("--csv", metavar="FILE", help=_("write the entries to a CSV file"))
    audit_cmd.set_defaults(run=cmd_audit)
