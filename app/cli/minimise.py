"""counterpart-admin: minimisation: the data map (each field, its purpose, retention and how many people have it)
and the pseudonymised export for analysis."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from app.cli.common import Commands, Passwords, out, signed_in, vault_and_user
from app.cli.progress import TerminalProgress
from app.locale import _
from app.privacy.datamap import DataMapService
from app.privacy.pseudonymise import export_pseudonymised


def cmd_datamap(args: argparse.Namespace, passwords: Passwords) -> int:
    """Exit 0 even when some field has no purpose: the lines (or the JSON's no_purpose) say so."""
    with signed_in(args, passwords) as session:
        service = DataMapService(session)
        rows, people = service.rows(), service.people()
    if args.json:
        out(
            json.dumps(
                {
                    "people": people,
                    "fields": [
                        {
                            "key": row.key,
                            "field": row.name,
                            "purpose": row.purpose,
                            "retention": row.retention,
                            "retention_days": row.period_days,
                            "retention_action": row.action,
                            "people": row.people,
                            "no_purpose": row.no_purpose,
                            "columns": list(row.columns),
                        }
                        for row in rows
                    ],
                },
                ensure_ascii=False,
            )
        )
        return 0
    out(_("{n} people in the vault.").format(n=people))
    for row in rows:
        filled = "-" if row.people is None else str(row.people)
        if row.no_purpose:
            out(_("{field}: NO PURPOSE; {n} people").format(field=row.name, n=filled))
        else:
            out(
                _("{field}: {purpose}; {retention}; {n} people").format(
                    field=row.name, purpose=row.purpose, retention=row.retention_text(), n=filled
                )
            )
    return 0


def cmd_export_pseudonymised(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session, TerminalProgress(_("Pseudonymised export…")) as progress:
        rows = export_pseudonymised(session, Path(args.csv), progress=progress)
    out(_("Wrote {n} pseudonymised people to {path}.").format(n=rows, path=args.csv))
    return 0


def register(commands: Commands) -> None:
    """Declare this group's commands and their arguments."""
    datamap = commands.add_parser("datamap", help=_("each field kept about customers, its purpose and retention"))
    vault_and_user(datamap)
    datamap.add_argument("--json", action="store_true")
    datamap.set_defaults(run=cmd_datamap)

    export = commands.add_parser(
        "export-pseudonymised", help=_("customers as pseudonyms for analysis: no contact details, coarse dates")
    )
    vault_and_user(export)
    export.add_argument("--csv", required=True, metavar="FILE")
    export.set_defaults(run=cmd_export_pseudonymised)
