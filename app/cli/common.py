"""What every command shares: passwords and the recovery key read safely, signing in and out, output lines,
the parser that turns usage errors into exit code 2."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import date, datetime
from typing import TextIO, TypeAlias

import sqlcipher3

from app.access.session import Session, open_session
from app.errors import InvalidInput, UsageError
from app.locale import _
from app.store.database import classify
from app.vault.second_factor import Fido2SecondFactor


class Passwords:
    """Passwords from standard input (one a line, with --password-stdin) or a hidden prompt."""

    def __init__(self, from_stdin: bool, stdin: TextIO | None = None) -> None:
        self.from_stdin = from_stdin
        self.stdin = stdin or sys.stdin

    def read(self, prompt: str, confirm: bool = False) -> str:
        if self.from_stdin:
            line = self.stdin.readline()
            if not line:
                raise UsageError(_("Expected another password on standard input."))
            return _utf8_text(line.rstrip("\r\n").removeprefix("\ufeff"))  # a file saved "with BOM": not typed
        if not self.stdin.isatty():
            raise UsageError(_("No terminal to ask for a password: give it on standard input with --password-stdin."))
        password = getpass.getpass(prompt)
        if confirm and getpass.getpass(_("Type it again: ")) != password:
            raise UsageError(_("The two passwords are not the same."))
        return password


def _utf8_text(line: str) -> str:
    """A line from standard input as typed, or InvalidInput when it was not UTF-8 (a password file saved as
    Windows-1252 arrived as undecodable bytes and ended in an "unexpected error")."""
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            _("What standard input gave is not UTF-8 text: save the password file as UTF-8 and try again.")
        ) from None
    return line


ASK = "\0ask"  # `--recovery-key` given alone: ask for it at a hidden prompt


def recovery_key_from(args: argparse.Namespace, passwords: Passwords) -> str | None:
    """The recovery key from a hidden prompt, standard input (its first line) or an open file descriptor; never
    from the command line, where other programs read it in /proc/PID/cmdline and the shell keeps it in its
    history."""
    given = getattr(args, "recovery_key", None)
    if given not in (None, ASK):
        raise UsageError(
            _(
                "The recovery key may not be given on the command line: other programs can read it "
                "there and the shell keeps it in its history. Use --recovery-key alone to be asked for "
                "it, or --recovery-key-stdin, or --recovery-key-fd N."
            )
        )
    if getattr(args, "recovery_key_stdin", False):
        line = passwords.stdin.readline()
        if not line:
            raise UsageError(_("Expected the recovery key on the first line of standard input."))
        return line.strip()
    descriptor = getattr(args, "recovery_key_fd", None)
    if descriptor is not None:
        try:
            with os.fdopen(descriptor, encoding="utf-8", closefd=False) as handle:
                return handle.readline().strip()
        except OSError:
            raise UsageError(
                _("Cannot read the recovery key from file descriptor {fd}.").format(fd=descriptor)
            ) from None
    if given == ASK:
        if not passwords.stdin.isatty():
            raise UsageError(_("No terminal to ask for the recovery key: give it with --recovery-key-stdin."))
        return getpass.getpass(_("Recovery key: "))
    return None


def recovery_key_options(parser: argparse.ArgumentParser, required: bool = False) -> None:
    source = parser.add_mutually_exclusive_group(required=required)
    source.add_argument("--recovery-key", nargs="?", const=ASK, metavar="", help=_("ask for the recovery key"))
    source.add_argument(
        "--recovery-key-stdin",
        action="store_true",
        help=_("read the recovery key from the first line of standard input"),
    )
    source.add_argument(
        "--recovery-key-fd", type=int, metavar="N", help=_("read the recovery key from open file descriptor N")
    )


def out(line: str) -> None:
    print(line, flush=True)


def security_key(passwords: Passwords) -> Fido2SecondFactor:
    """The security key a login may need (used only then): asks for a touch on stderr, its PIN like a password."""
    return Fido2SecondFactor(
        on_touch=lambda: print(_("Touch your security key…"), file=sys.stderr, flush=True),
        pin=lambda: passwords.read(_("PIN of your security key: ")),
    )


def session_for(args: argparse.Namespace, passwords: Passwords) -> Session:
    session = open_session(
        args.vault,
        args.user,
        passwords.read(_("Password for {user}: ").format(user=args.user)),
        security_key(passwords),
    )
    say_finished_rekey(session)
    return session


def say_finished_rekey(session: Session) -> None:
    """This sign-in finished a rekey that was interrupted: its new recovery key is shown now, once (on stderr,
    so it never ends up in a command's piped output)."""
    new_key, session.vault.finished_rekey = session.vault.finished_rekey, None
    if new_key:
        print(
            _(
                "A rekey that was interrupted has now finished: the old recovery key no longer opens the vault. "
                "Write down the new one, shown only this once:"
            ),
            file=sys.stderr,
            flush=True,
        )
        print(_("Recovery key: {key}").format(key=new_key), file=sys.stderr, flush=True)


@contextmanager
def signed_in(args: argparse.Namespace, passwords: Passwords) -> Iterator[Session]:
    """Sign in for one command and sign out however it ends (the logout is recorded in the audit log)."""
    session = session_for(args, passwords)
    try:
        yield session
    except sqlcipher3.DatabaseError as exc:  # named while the vault is open: its damaged pages, its folder
        error = classify(exc, session.vault.paths.database, session.vault.db)
        with suppress(Exception):  # the command's own error is the one to report, not the logout's
            session.lock("logout")
        if error is None:
            raise
        raise error from None
    except BaseException:
        with suppress(Exception):
            session.lock("logout")
        raise
    try:
        session.record("session.logout")  # often the command's only write: a full disk, a damaged page
    except sqlcipher3.DatabaseError as exc:
        error = classify(exc, session.vault.paths.database, session.vault.db)
        if error is None:
            raise
        raise error from None
    finally:
        session.vault.close()  # as Session.lock("logout"): the key forgotten and the lock let go, whatever happened


def say_protection(keychain_bound: bool) -> None:
    if keychain_bound:
        out(_("Protection: password plus this computer's keychain."))
    else:
        out(
            _(
                "Protection: password only. There is no usable keychain here, so anyone who has the vault file "
                "and a password can open it on any computer."
            )
        )


class Parser(argparse.ArgumentParser):
    """Usage errors become UsageError (exit 2, one line), like every other error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        command = self.prog.removeprefix("counterpart-admin").strip()  # main() says "counterpart-admin:" once
        raise UsageError(f"{command}: {message}" if command else message)


def vault_and_user(parser: argparse.ArgumentParser, user_help: str | None = None) -> None:
    parser.add_argument("vault", metavar="VAULT", help=_("the vault file"))
    parser.add_argument("--user", required=True, metavar="NAME", help=user_help or _("who is signing in"))
    parser.add_argument(
        "--password-stdin", action="store_true", help=_("read passwords from standard input, one a line")
    )


def iso_date(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise InvalidInput(_("{text} is not a date; write it as YYYY-MM-DD.").format(text=text)) from None


def comma_list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def moment_from(text: str) -> datetime:
    """A date or date-time typed by a person; without a zone it is this computer's local time."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            _("{text} is not a date and time; write it as YYYY-MM-DD HH:MM.").format(text=text)
        ) from None
    return moment if moment.tzinfo else moment.astimezone()


def say_recipients(recipients: list[str]) -> None:
    """Art. 19: whom the shop must now tell (from the record of processing)."""
    if recipients:
        out(_("Tell these recipients (GDPR Art. 19): {names}").format(names="; ".join(recipients)))
    else:
        out(_("The record of processing names no recipients to tell."))


# What each group's register() adds its commands to (argparse names the type only privately)
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
