"""counterpart-admin: backups: make, list, restore, drill."""

from __future__ import annotations

import argparse
import errno
import os
from pathlib import Path

from app.access import settings
from app.access.session import open_session
from app.admin import restore, security
from app.cli.common import (
    Commands,
    Passwords,
    out,
    recovery_key_from,
    recovery_key_options,
    say_finished_rekey,
    signed_in,
    vault_and_user,
)
from app.cli.progress import TerminalProgress
from app.errors import InvalidInput, UsageError
from app.locale import _
from app.vault import backup


def cmd_backup(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session, TerminalProgress(_("Backing up…")) as progress:
        made = security.backup_now(session, Path(args.to), progress=progress)
    out(str(made))
    return 0


def cmd_backups(args: argparse.Namespace, passwords: Passwords) -> int:
    folder = Path(args.folder)
    if not folder.exists():  # said nothing, exit 0: a scheduler could not tell a missing USB drive from no backups
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(folder))
    if not folder.is_dir():
        raise InvalidInput(_("{path} is a file, not a backup folder.").format(path=folder))
    for info in backup.list_backups(folder):
        counts = ", ".join(f"{k}={v}" for k, v in sorted(info.counts.items()))
        out(
            "\t".join(
                [
                    info.path.name,
                    info.created.isoformat(),
                    info.reason,
                    _("schema {n}").format(n=info.schema_version),
                    counts,
                ]
            )
        )
    return 0


def _backup_credentials(args: argparse.Namespace, passwords: Passwords) -> tuple[str | None, str | None, str | None]:
    """(user, password, recovery key) that open a backup: the ones valid when it was made."""
    key = recovery_key_from(args, passwords)
    if key:
        return None, None, key
    if not args.user:
        raise UsageError(
            _(
                "Give --user NAME (with its password), or the recovery key (--recovery-key to be "
                "asked, or --recovery-key-stdin)."
            )
        )
    password = passwords.read(_("Password for {user} (as it was when the backup was made): ").format(user=args.user))
    return args.user, password, None


def cmd_restore(args: argparse.Namespace, passwords: Passwords) -> int:
    user, password, key = _backup_credentials(args, passwords)
    result = restore.restore(
        Path(args.backup),
        Path(args.to),
        user=user,
        password=password,
        recovery_key=key,
        replace_other_vault=args.replace_with_other_vault,
    )
    counts = ", ".join(f"{k}={v}" for k, v in sorted(result.counts.items()))
    out(
        _("Restored {backup} to {vault}: {counts}.").format(backup=Path(args.backup).name, vault=args.to, counts=counts)
    )
    if result.reerased:
        out(_("Erased again {n} people erased after this backup was made.").format(n=result.reerased))
    if result.kept_aside:
        out(_("The previous vault files are kept in {path}.").format(path=result.kept_aside))
    return 0


def cmd_drill(args: argparse.Namespace, passwords: Passwords) -> int:
    user, password, key = _backup_credentials(args, passwords)
    counts = restore.drill(Path(args.backup), user=user, password=password, recovery_key=key)
    out(
        _("Drill passed: the backup opens and is intact ({counts}).").format(
            counts=", ".join(f"{k}={v}" for k, v in sorted(counts.items()))
        )
    )
    if args.vault and user and password:
        session = open_session(args.vault, user, password)
        say_finished_rekey(session)
        try:
            settings.record_drill(session, Path(args.backup).name, counts)
        finally:
            session.lock("logout")
        out(_("Recorded the drill in {vault}.").format(vault=args.vault))
    return 0


def register(commands: Commands) -> None:
    """Declare this group's commands and their arguments."""
    backup_cmd = commands.add_parser("backup", help=_("make an encrypted backup"))
    vault_and_user(backup_cmd)
    backup_cmd.add_argument("--to", required=True, metavar="DIR")
    backup_cmd.set_defaults(run=cmd_backup)

    backups_cmd = commands.add_parser("backups", help=_("list the backups in a folder"))
    backups_cmd.add_argument("folder", metavar="DIR")
    backups_cmd.set_defaults(run=cmd_backups)

    for name, run, text in (
        ("restore", cmd_restore, _("replace a vault with a verified backup")),
        ("drill", cmd_drill, _("test that a backup restores, without touching the vault")),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("backup", metavar="BACKUP")
        if name == "restore":
            sub.add_argument("--to", required=True, metavar="VAULT")
            sub.add_argument(
                "--replace-with-other-vault",
                action="store_true",
                help=_("restore even though the backup is of another vault"),
            )
        else:
            sub.add_argument("--vault", metavar="VAULT", help=_("record the drill in this vault"))
        sub.add_argument("--user", metavar="NAME")
        recovery_key_options(sub)
        sub.add_argument("--password-stdin", action="store_true")
        sub.set_defaults(run=run)
