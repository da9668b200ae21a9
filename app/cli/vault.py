"""counterpart-admin: the vault itself: create, verify, rekey, recover, the recovery kit."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.access import rekey_due
from app.admin import recovery_kit, security
from app.cli.common import (
    Commands,
    Passwords,
    out,
    recovery_key_from,
    recovery_key_options,
    say_protection,
    session_for,
    signed_in,
    vault_and_user,
)
from app.errors import VaultDamaged
from app.locale import _, ngettext
from app.locale.formatting import clock_time
from app.vault.recovery_key import parse_recovery_key
from app.vault.vault import Vault


def cmd_init(args: argparse.Namespace, passwords: Passwords) -> int:
    password = passwords.read(_("New password for {owner}: ").format(owner=args.owner), confirm=True)
    vault, recovery_key = Vault.create(args.vault, args.owner, password, use_keychain=not args.no_keyring)
    with vault:
        out(_("Created vault {path} for {owner}.").format(path=vault.paths.database, owner=args.owner))
        say_protection(vault.keychain_bound)
        out(_("Write down the recovery key and keep it somewhere safe. It is shown only this once:"))
        out(_("Recovery key: {key}").format(key=recovery_key))
    return 0


def cmd_verify(args: argparse.Namespace, passwords: Passwords) -> int:
    session = session_for(args, passwords)
    try:
        report = security.verify(session, [Path(name) for name in args.head_from])
    finally:
        session.vault.close()
    if report.problems:
        raise VaultDamaged(_("The vault is damaged: {detail}").format(detail="; ".join(report.problems[:3])))
    chain = report.chain
    if not chain.ok:  # what the signed heads and the anchor say (a cut end or beginning), then a broken entry
        found = (
            [_("entry {id} fails ({reason}).").format(id=chain.first_broken, reason=chain.reason)]
            if chain.first_broken is not None
            else []
        )
        raise VaultDamaged(
            _("The audit log has been tampered with: {detail}").format(detail=" ".join([*chain.findings, *found]))
        )
    if report.traces_pending:  # erased people's words still in the search index: an erasure not finished
        raise VaultDamaged(
            _(
                "Words of people erased on {time} are still in the search index: their removal did not finish. "
                "Run 'counterpart-admin sweep --finish-traces' or open the vault in Counterpart to remove them."
            ).format(time=clock_time(report.traces_pending[0]))
        )
    out("ok")
    out(_("schema version: {n}").format(n=report.schema_version))
    for table, count in report.counts.items():
        out(f"{table}: {count}")
    out(_("audit chain: {n} entries intact").format(n=chain.entries))
    if chain.unsigned:
        out(
            ngettext(
                "{n} entry unsigned (written before version {version}, which began signing them)",
                "{n} entries unsigned (written before version {version}, which began signing them)",
                chain.unsigned,
            ).format(n=chain.unsigned, version=chain.signed_since)
        )
    if report.rekey_due:
        out(rekey_due.rekey_due_text(report.rekey_due) + " " + _("Run 'counterpart-admin rekey'."))
    return 0


def cmd_rekey(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        recovery_key = security.rekey(session)
    out(
        _(
            "The vault now has a new data key; every login still works. The old recovery key no longer opens "
            "it. Write down the new one:"
        )
    )
    out(_("Recovery key: {key}").format(key=recovery_key))
    return 0


def cmd_recover(args: argparse.Namespace, passwords: Passwords) -> int:
    key = recovery_key_from(args, passwords) or ""
    parse_recovery_key(key)  # a mistyped key fails before any password is asked
    password = passwords.read(_("New password for the owner: "), confirm=True)
    result = security.recover(args.vault, key, password)
    out(_("Recovered: {owner} can sign in with the new password.").format(owner=result.owner))
    say_protection(result.keychain_bound)
    if result.stale_users:
        out(
            _("These users were set up with the old keychain and need a password reset by the owner: {users}").format(
                users=", ".join(result.stale_users)
            )
        )
    return 0


def cmd_recovery_kit(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        recovery_kit.write_recovery_kit(session, Path(args.out))
    out(
        _("Saved the recovery kit to {path}. Print it and keep it somewhere safe; then delete the file.").format(
            path=args.out
        )
    )
    return 0


def register(commands: Commands) -> None:
    """Declare this group's commands and their arguments."""
    init = commands.add_parser("init", help=_("create a new vault"))
    init.add_argument("vault", metavar="VAULT")
    init.add_argument("--owner", required=True, metavar="NAME")
    init.add_argument("--no-keyring", action="store_true", help=_("protect with the password only"))
    init.add_argument("--password-stdin", action="store_true")
    init.set_defaults(run=cmd_init)

    for name, run, text in (
        ("verify", cmd_verify, _("check the vault's integrity and audit chain")),
        ("rekey", cmd_rekey, _("re-encrypt the vault under a new key")),
    ):
        sub = commands.add_parser(name, help=text)
        vault_and_user(sub)
        sub.set_defaults(run=run)
        if name == "verify":  # an exported file's sealed end of the audit log, compared like the key file's
            sub.add_argument(
                "--head-from",
                action="append",
                default=[],
                metavar="FILE",
                help=_("also compare the audit log with the end recorded in this exported file (repeatable)"),
            )

    recover = commands.add_parser("recover", help=_("open with the recovery key and set a new owner password"))
    recover.add_argument("vault", metavar="VAULT")
    recovery_key_options(recover, required=True)
    recover.add_argument("--password-stdin", action="store_true")
    recover.set_defaults(run=cmd_recover)

    kit = commands.add_parser("recovery-kit", help=_("save the printable recovery kit"))
    vault_and_user(kit)
    kit.add_argument("--out", required=True, metavar="FILE.pdf")
    kit.set_defaults(run=cmd_recovery_kit)
