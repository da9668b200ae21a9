"""counterpart-admin: staff logins: add, list, passwords, disable and enable, remove, roles."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from app.access.second_factor import SecurityKeyService
from app.access.session import open_session
from app.access.users import UserService
from app.cli.common import (
    Commands,
    Parser,
    Passwords,
    out,
    say_finished_rekey,
    security_key,
    signed_in,
    vault_and_user,
)
from app.locale import _
from app.vault.keyfile import user_key


def cmd_user_add(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        temporary = passwords.read(_("Temporary password for {user}: ").format(user=args.name), confirm=True)
        user = UserService(session).add(args.name, args.role, temporary)
    out(
        _("Added {user} as {role}. They must choose their own password when they first sign in.").format(
            user=user.name, role=user.role.label()
        )
    )
    return 0


def cmd_user_list(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        users = UserService(session).list()
    for user in users:
        state = _("active") if user.active else _("disabled")
        out(f"{user.name}\t{user.role.value}\t{state}")
    return 0


def cmd_user_passwd(args: argparse.Namespace, passwords: Passwords) -> int:
    current = passwords.read(_("Password for {user}: ").format(user=args.user))
    session = open_session(args.vault, args.user, current, security_key(passwords))
    say_finished_rekey(session)
    try:
        service = UserService(session)
        target = args.name or args.user
        new = passwords.read(_("New password for {user}: ").format(user=target), confirm=True)
        if args.name and user_key(args.name) != user_key(args.user):
            service.reset_password(args.name, new)
        else:
            service.change_own_password(current, new)
    finally:
        session.lock("logout")
    out(_("Password changed for {user}.").format(user=target))
    return 0


def _user_change(action: Callable[[UserService, str], None], message: str) -> Callable[..., int]:
    def command(args: argparse.Namespace, passwords: Passwords) -> int:
        with signed_in(args, passwords) as session:
            action(UserService(session), args.name)
        out(message.format(user=args.name))
        return 0

    return command


def cmd_user_disable(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        UserService(session).disable(args.name)
    out(_("{user} can no longer sign in.").format(user=args.name))
    out(_("Their login gave them the vault's key: run 'counterpart-admin rekey' so that it stops working."))
    return 0


def cmd_user_enable(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        typed = (
            None
            if args.generate
            else passwords.read(_("Temporary password for {user}: ").format(user=args.name), confirm=True)
        )
        temporary = UserService(session).enable(args.name, typed)
    out(_("{user} can sign in again.").format(user=args.name))
    if args.generate:
        out(_("Temporary password: {password}").format(password=temporary))
    out(_("They must choose their own password when they first sign in."))
    return 0


def cmd_user_role(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        UserService(session).set_role(args.name, args.role)
    out(_("{user} is now {role}.").format(user=args.name, role=args.role))
    return 0


def cmd_security_key_add(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        password = passwords.read(_("Password for {user}, again: ").format(user=args.user))
        out(_("Touch your security key twice when it blinks: once to make its credential, once to answer."))
        SecurityKeyService(session).add(password, security_key(passwords))
    out(
        _(
            "From now on {user} signs in with the password and this security key. Without the key, only the "
            "recovery key opens the vault for them (or, for a manager, a password reset by the owner)."
        ).format(user=args.user)
    )
    return 0


def cmd_security_key_remove(args: argparse.Namespace, passwords: Passwords) -> int:
    with signed_in(args, passwords) as session:
        service = SecurityKeyService(session)
        if args.name and user_key(args.name) != user_key(args.user):
            temporary = passwords.read(_("Temporary password for {user}: ").format(user=args.name), confirm=True)
            service.remove_for(args.name, temporary)
            out(
                _(
                    "Took the security key off {user}'s login and gave it this temporary password; they must choose "
                    "their own at their next sign-in."
                ).format(user=args.name)
            )
            return 0
        password = passwords.read(_("Password for {user}, again: ").format(user=args.user))
        service.remove(password, security_key(passwords))
    out(_("{user} signs in with the password alone again.").format(user=args.user))
    return 0


def register(commands: Commands) -> None:
    """Declare this group's commands and their arguments."""
    user = commands.add_parser("user", help=_("manage staff logins"))
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="ACTION", parser_class=Parser)
    add = user_commands.add_parser("add", help=_("add a user with a temporary password"))
    vault_and_user(add)
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True, choices=["owner", "manager", "staff", "auditor"])
    add.set_defaults(run=cmd_user_add)
    listing = user_commands.add_parser("list", help=_("list users"))
    vault_and_user(listing)
    listing.set_defaults(run=cmd_user_list)
    passwd = user_commands.add_parser("passwd", help=_("change your password, or reset another user's"))
    vault_and_user(passwd)
    passwd.add_argument("--name", help=_("the user whose password the owner resets"))
    passwd.set_defaults(run=cmd_user_passwd)
    disable = user_commands.add_parser("disable", help=_("stop a user signing in (deletes their login's key)"))
    vault_and_user(disable)
    disable.add_argument("--name", required=True)
    disable.set_defaults(run=cmd_user_disable)
    enable = user_commands.add_parser("enable", help=_("let a disabled user sign in again, with a temporary password"))
    vault_and_user(enable)
    enable.add_argument("--name", required=True)
    enable.add_argument(
        "--generate",
        action="store_true",
        help=_("make up the temporary password and print it, instead of asking for one"),
    )
    enable.set_defaults(run=cmd_user_enable)
    remove = user_commands.add_parser("remove")
    vault_and_user(remove)
    remove.add_argument("--name", required=True)
    remove.set_defaults(
        run=_user_change(
            UserService.remove,
            _("Removed {user}. They may still know the vault's key: consider 'counterpart-admin rekey'."),
        )
    )
    role = user_commands.add_parser("role", help=_("change a user's role"))
    vault_and_user(role)
    role.add_argument("--name", required=True)
    role.add_argument("--role", required=True, choices=["owner", "manager", "staff", "auditor"])
    role.set_defaults(run=cmd_user_role)
    key = user_commands.add_parser("security-key", help=_("make your login need a FIDO2 security key, or not"))
    key_commands = key.add_subparsers(dest="key_command", required=True, metavar="ACTION", parser_class=Parser)
    key_add = key_commands.add_parser("add", help=_("add a security key to your own login (owners and managers)"))
    vault_and_user(key_add)
    key_add.set_defaults(run=cmd_security_key_add)
    key_remove = key_commands.add_parser(
        "remove",
        help=_("take the security key off your login (it must answer), or off another user's with a password reset"),
    )
    vault_and_user(key_remove)
    key_remove.add_argument("--name", help=_("the user whose lost key the owner takes off (a password reset)"))
    key_remove.set_defaults(run=cmd_security_key_remove)
